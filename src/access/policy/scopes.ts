// SMART on FHIR scopes (v2 `system/Patient.rs`, `user/*.cruds`; v1 `.read` / `.write` / `.*`): whether
// the scopes granted to a token allow one kind of access to a resource type. `patient/` scopes need a
// launch context this platform does not issue, so they grant nothing here.

import type { ScopeAccess } from '../../fhir/context.js';

const V1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };

/** Whether one scope string grants `access` on `type`. */
function grants(scope: string, type: string, access: ScopeAccess): boolean {
  const m = /^(user|system)\/([A-Za-z]+|\*)\.([a-z*]+)(\?.*)?$/.exec(scope);
  if (!m) return false;
  const [, , scopeType, perms] = m;
  if (scopeType !== '*' && scopeType !== type) return false;
  const letters = V1[perms] ?? (/^c?r?u?d?s?$/.test(perms) ? perms : '');
  return letters.includes(access);
}

export function scopesAllow(scopes: readonly string[], type: string, access: ScopeAccess): boolean {
  return scopes.some((s) => grants(s, type, access));
}
