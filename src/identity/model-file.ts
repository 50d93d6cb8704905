// A match model as a file: what `scip identity estimate` writes and SCIP_IDENTITY_MODEL names. Checked
// on load — one probability per level of every comparison — so a bad file stops the start, not a match.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { COMPARISON_NAMES, COMPARISONS } from './comparisons.js';
import type { MatchModel } from './model.js';

const probability = z.number().gt(0).lte(1);
const levels = (name: keyof typeof COMPARISONS) => z.array(probability).length(COMPARISONS[name].length);
const perComparison = z.object(Object.fromEntries(COMPARISON_NAMES.map((n) => [n, levels(n)])) as Record<keyof typeof COMPARISONS, ReturnType<typeof levels>>);

const schema = z.object({
  prior: probability,
  m: perComparison,
  u: perComparison,
  thresholds: z.object({ autoLink: probability, review: probability }).refine((t) => t.review < t.autoLink, 'review must be below autoLink'),
});

export function readModelFile(path: string): MatchModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: not a match model (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return parsed.data as MatchModel;
}
