// MODS Need: the observation shape plus how significant and urgent the need is (mods.md §2.3 proposal).
import type { z } from 'zod';
import { coding, versioned } from './primitives.js';
import { observationShape, checkLocalTime } from './observation-statement.js';

export const need = versioned('MODS-Need', { ...observationShape, significance: coding.optional(), urgency: coding.optional() }).superRefine(checkLocalTime);
export type Need = z.output<typeof need>;
export type NeedInput = z.input<typeof need>;
