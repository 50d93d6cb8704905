// Identity matching and de-duplication: the person index (golden records and their links), the
// Fellegi–Sunter matcher with blocking, the review queue, merge and unmerge, batch de-duplication,
// and the central base's operations ($match, $review, $merge, $unmerge).
export { PersonIndex } from './person-index.js';
export type { Registered } from './person-index.js';
export { identityOperations } from './operations.js';
export { sourceUrl } from './settings.js';
export type { IdentitySettings } from './settings.js';
export { DEFAULT_MODEL } from './model.js';
export type { MatchModel } from './model.js';
export { featuresOf } from './features.js';
export { blockingKeys } from './blocking.js';
export type { MatchFeatures } from './features.js';
export { dedupe, dedupeReport } from './dedupe.js';
export type { DedupeReport, DedupeResult } from './dedupe.js';
export { IDENTITY_REVIEW_SYSTEM } from './review.js';
export { estimateModel } from './estimate.js';
export type { Estimate } from './estimate.js';
export { readModelFile } from './model-file.js';
