// Prints a benchmark result file (bench/results/<backend>.json) as the markdown table docs/performance.md uses.
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
const r = JSON.parse(readFileSync(file, 'utf8'));
const f = (n) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(2)) : '-');
const lines = ['| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | timeouts | limit req/s | ours / limit |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
for (const x of r.rows) {
  const limit = x.limit ? `${f(x.limit.rps)} | ${((x.ours.rps / x.limit.rps) * 100).toFixed(0)}%` : ' | ';
  lines.push(`| ${x.scenario} | ${f(x.ours.rps)} | ${f(x.ours.p50)} | ${f(x.ours.p95)} | ${f(x.ours.p99)} | ${x.ours.errors} | ${x.ours.timeouts ?? 0} | ${limit} |`);
}
lines.push('', `Run ${r.date}. ${Object.entries(r.facts).map(([k, v]) => `${k}: ${v}`).join('; ')}.`);
console.log(lines.join('\n'));
