// Database errors are translated here, at the store boundary, into the platform's FhirError.
import { FhirError } from '../fhir/errors.js';

interface PgError { code?: string; message?: string }

export function translateDbError(err: unknown): unknown {
  if (err instanceof FhirError) return err;
  const code = (err as PgError | undefined)?.code;
  switch (code) {
    case '23505':
      return new FhirError('conflict', { diagnostics: 'A concurrent write created the same resource; retry the request' });
    case '40001':
    case '40P01':
      return new FhirError('conflict', { diagnostics: 'The write conflicted with a concurrent transaction; retry the request', code: 'transient' });
    case '57014':
      return new FhirError('too-costly', { diagnostics: 'The request took too long and was cancelled (SCIP_STATEMENT_TIMEOUT_MS); narrow the search' });
    case '54000':
    case '22001':
      return new FhirError('invalid', { diagnostics: 'A value is too long to store or index' });
    case '22003':
    case '22P02':
    case '22007':
    case '22008':
      return new FhirError('invalid', { diagnostics: 'A value is out of range or not in a form the database accepts' });
    default:
      return err;
  }
}

/** Runs fn and rethrows database errors as FhirErrors. */
export async function translated<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translateDbError(err);
  }
}
