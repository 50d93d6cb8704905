// MODS Location (MODS data browser, complete): where care happens.
import type { z } from 'zod';
import { coding, odsCode, text, versioned } from './primitives.js';

export const location = versioned('MODS-Location', {
  /** MODS holds the address as one text. */
  address: text.optional(),
  locationType: coding.optional(),
  locationName: text.optional(),
  /** ODS site code. */
  organisationSiteIdentifier: odsCode.optional(),
});
export type Location = z.output<typeof location>;
export type LocationInput = z.input<typeof location>;
