// MODS Strength: the generic observation shape (observation-statement.ts) with no further elements.
import type { z } from 'zod';
import { versioned } from './primitives.js';
import { observationShape, checkLocalTime } from './observation-statement.js';

export const strength = versioned('MODS-Strength', observationShape).superRefine(checkLocalTime);
export type Strength = z.output<typeof strength>;
export type StrengthInput = z.input<typeof strength>;
