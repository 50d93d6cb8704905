// The REST engine's side of access control: the grant the router obtained for the interaction, and
// the checks on single resources that a search's SQL filter cannot make (reads and writes).
import { FhirError } from '../fhir/errors.js';
import type { AccessGrant, RequestContext } from '../fhir/context.js';
import type { Resource } from '../fhir/types.js';
import type { WriteOptions } from '../store/index.js';

export function grantOf(ctx: RequestContext): AccessGrant {
  if (!ctx.grant) throw new Error('an interaction ran without being authorised (router bug)');
  return ctx.grant;
}

const hidden = (what: string): FhirError =>
  new FhirError('forbidden', { diagnostics: `Access denied: ${what} carries a sensitivity label (meta.security) your role may not see for this purpose of use`, expression: 'meta.security' });

/** Stored JSON text is parsed only when it could carry labels the grant does not allow. */
export function seesContent(grant: AccessGrant, type: string, content: string): boolean {
  if (grant.unrestricted) return true;
  if (!content.includes('"security"')) return grant.sees({ resourceType: type } as Resource);
  return grant.sees(JSON.parse(content) as Resource);
}

export function requireVisible(ctx: RequestContext, type: string, id: string, content: string): void {
  if (!seesContent(grantOf(ctx), type, content)) throw hidden(`${type}/${id}`);
}

/** A resource about to be written must carry only labels the caller may see. */
export function requireWritableContent(ctx: RequestContext, resource: Resource): void {
  if (!grantOf(ctx).sees(resource)) throw hidden(`the ${resource.resourceType} in the request`);
}

/** Which types the caller may read, asked of the policy once per type (undefined: not readable). */
export function readGrants(ctx: RequestContext): (type: string) => AccessGrant | undefined {
  const byType = new Map<string, AccessGrant | undefined>();
  return (type) => {
    if (!byType.has(type)) {
      try {
        byType.set(type, ctx.access.authorise({ interaction: 'read', type, access: 'r' }));
      } catch {
        byType.set(type, undefined);
      }
    }
    return byType.get(type);
  };
}

/** Resources brought in beside the matches (`_include`, a compartment): those of types and labels the caller may read. */
export function readable<T extends { type: string; content: string }>(ctx: RequestContext, found: readonly T[]): T[] {
  const grantFor = readGrants(ctx);
  return found.filter((f) => {
    const grant = grantFor(f.type);
    return grant !== undefined && seesContent(grant, f.type, f.content);
  });
}

/**
 * Before replacing or deleting: the current version must be one the caller may see (no silent
 * relabelling). Checked by the write on the version it locks, so a relabelling in between cannot slip by.
 */
export function writableCurrent(ctx: RequestContext, type: string, id: string): WriteOptions['checkCurrent'] {
  if (grantOf(ctx).unrestricted) return undefined;
  return (current) => {
    if (current && !current.deleted) requireVisible(ctx, type, id, current.content);
  };
}
