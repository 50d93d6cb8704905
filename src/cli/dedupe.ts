// `scip identity dedupe` and `scip identity estimate`, over a tenant's Patients or a file of Patients
// (NDJSON, a JSON array or a Bundle). Dedupe shows a progress bar on stderr, prints a summary and writes
// the full report (clusters, the links that made them, pairs for review) where asked; estimate prints
// (and writes) a match model estimated from the records without labels.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Patient } from '@medplum/fhirtypes';
import { SingleBar, Presets } from 'cli-progress';
import { FhirError } from '../fhir/errors.js';
import { DEFAULT_MODEL, dedupe, dedupeReport, estimateModel, featuresOf } from '../identity/index.js';
import type { DedupeReport, MatchFeatures } from '../identity/index.js';
import { scanCurrent } from '../store/index.js';
import type { Queryable } from '../store/index.js';

export interface DedupeInput {
  ids: string[];
  features: MatchFeatures[];
}

/** Patients from a file: NDJSON (one resource per line), a JSON array, or a Bundle's entries. */
export function patientsFromFile(path: string): DedupeInput {
  const text = readFileSync(path, 'utf8');
  let resources: unknown[];
  try {
    const trimmed = text.trimStart();
    const whole = trimmed.startsWith('[') || /^\{\s*"resourceType"\s*:\s*"Bundle"/.test(trimmed) ? (JSON.parse(text) as unknown) : undefined;
    resources = Array.isArray(whole)
      ? whole
      : whole
        ? ((whole as { entry?: { resource?: unknown }[] }).entry ?? []).map((e) => e.resource)
        : text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
  } catch (err) {
    throw new FhirError('invalid', { diagnostics: `${path}: not NDJSON, a JSON array or a Bundle of Patients (${(err as Error).message})` });
  }
  const input: DedupeInput = { ids: [], features: [] };
  resources.forEach((r, i) => {
    const p = r as Patient | undefined;
    if (p?.resourceType !== 'Patient') return;
    input.ids.push(p.id ?? `#${i + 1}`);
    input.features.push(featuresOf(p));
  });
  return input;
}

export async function patientsOfTenant(q: Queryable, tenant: string, onPage: (n: number) => void): Promise<DedupeInput> {
  const input: DedupeInput = { ids: [], features: [] };
  for await (const page of scanCurrent(q, tenant, 'Patient')) {
    for (const row of page) {
      input.ids.push(row.id);
      input.features.push(featuresOf(JSON.parse(row.content) as Patient));
    }
    onPage(input.ids.length);
  }
  return input;
}

export function runDedupe(input: DedupeInput, reportPath: string | undefined, showProgress: boolean): Omit<DedupeReport, 'duplicates' | 'review'> & { report?: string } {
  const bar = showProgress ? new SingleBar({ format: ' {stage} [{bar}] {percentage}% | {value}/{total}', stream: process.stderr }, Presets.shades_classic) : undefined;
  let stage = '';
  const started = performance.now();
  const result = dedupe(input.features, DEFAULT_MODEL, (s, done, total) => {
    if (!bar) return;
    if (s !== stage) {
      if (stage) bar.stop();
      stage = s;
      bar.start(total, done, { stage: s.padEnd(10) });
    } else bar.update(done);
  });
  bar?.stop();
  const report = dedupeReport(result, input.ids, (performance.now() - started) / 1000);
  if (reportPath) writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  const { duplicates: _d, review: _r, ...summary } = report;
  return { ...summary, ...(reportPath ? { report: reportPath } : {}) };
}

export function runEstimate(input: DedupeInput, outPath: string | undefined): Record<string, unknown> {
  const started = performance.now();
  const estimate = estimateModel(input.features, DEFAULT_MODEL);
  if (outPath) writeFileSync(outPath, `${JSON.stringify(estimate.model, null, 2)}\n`);
  return { records: input.ids.length, seconds: Number(((performance.now() - started) / 1000).toFixed(2)), ...estimate, ...(outPath ? { written: outPath } : {}) };
}
