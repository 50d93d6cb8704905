// The MODS adapter's public face: what the HTTP layer and the composition root use.
export { fhirToMods, modsToFhir, parseMods } from './adapter.js';
export { catalogue, installCatalogue, mapByUrl, mapUrl } from './catalogue.js';
export { MODS_CLASSES, modsClass } from './classes.js';
export type { ModsClass, ModsRecord } from './classes.js';
export { MAX_LISTED, ModsRecords } from './records.js';
export type { HistoryItem, ModsServices, PublishResult } from './records.js';
export { terminologyResources } from './terminology.js';
export { MODS_COLLECTION, MODS_JSON, TRANSFORM_OPERATION, transformToFhir, transformToMods } from './transform.js';
