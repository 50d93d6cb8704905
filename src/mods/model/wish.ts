// MODS Wish: the generic observation shape (observation-statement.ts) with no further elements.
import type { z } from 'zod';
import { versioned } from './primitives.js';
import { observationShape, checkLocalTime } from './observation-statement.js';

export const wish = versioned('MODS-Wish', observationShape).superRefine(checkLocalTime);
export type Wish = z.output<typeof wish>;
export type WishInput = z.input<typeof wish>;
