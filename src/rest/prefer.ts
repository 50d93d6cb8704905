// The Prefer header (RFC 7240) as FHIR uses it: return=minimal|representation|OperationOutcome, handling=strict|lenient.
export interface Preferences {
  return: 'minimal' | 'representation' | 'OperationOutcome';
  lenient: boolean;
}

export function parsePrefer(header: string | undefined): Preferences {
  const prefs: Preferences = { return: 'representation', lenient: false };
  for (const part of (header ?? '').split(/[,;]/)) {
    const [key, value] = part.trim().split('=').map((s) => s?.trim().replace(/^"|"$/g, ''));
    if (key === 'return' && (value === 'minimal' || value === 'representation' || value === 'OperationOutcome')) prefs.return = value;
    if (key === 'handling') prefs.lenient = value === 'lenient';
  }
  return prefs;
}
