// access/: authentication (clients, keys, tokens) and, with issue #6, policy, consent and audit.
export { createTokenService } from './tokens.js';
export type { ExternalIdp, TokenService } from './tokens.js';
export { loadSigningKeys } from './signing-keys.js';
export type { SigningKeys } from './signing-keys.js';
export { ASSERTION_ALGORITHMS, handleTokenRequest, JWT_BEARER, OAuthError } from './token-endpoint.js';
export { ensureDemoWorld, DEMO_TENANTS } from './demo.js';
export type { DevCredentials } from './demo.js';
export { generateSecret, hashSecret } from './secrets.js';
export { registerClient } from './clients.js';
export type { NewClient } from './clients.js';
export { AuditLog, verifyAuditChain } from './audit.js';
export type { VerifyResult } from './audit.js';
export { auditRecord, CORRELATION_EXTENSION } from './audit-event.js';
export type { AuditFacts } from './audit-event.js';
