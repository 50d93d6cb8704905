// MODS Preference: the generic observation shape (observation-statement.ts) with no further elements.
import type { z } from 'zod';
import { versioned } from './primitives.js';
import { observationShape, checkLocalTime } from './observation-statement.js';

export const preference = versioned('MODS-Preference', observationShape).superRefine(checkLocalTime);
export type Preference = z.output<typeof preference>;
export type PreferenceInput = z.input<typeof preference>;
