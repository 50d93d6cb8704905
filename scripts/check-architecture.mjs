// Enforces the layer rules of docs/architecture.md on src/: which top-level module may import which,
// no import cycles, and no hand-written file over the size limit. Exits non-zero on any breach.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SRC = join(ROOT, 'src');
const MAX_LINES = 400;

// module -> modules it may import (besides itself). Root files (main.ts, platform.ts, config.ts) are the composition root.
const ALLOWED = {
  fhir: [],
  store: ['fhir'],
  access: ['fhir', 'store'],
  rest: ['fhir', 'store'],
  mods: ['fhir', 'store', 'rest'],
  identity: ['fhir', 'store', 'rest'],
  federation: ['fhir', 'store', 'rest', 'identity', 'access'],
  events: ['fhir', 'store'],
  exchange: ['fhir', 'store', 'rest', 'identity', 'federation', 'access'],
  http: ['fhir', 'store', 'access', 'rest', 'mods', 'identity', 'federation', 'events', 'exchange', '(root)'],
  cli: ['fhir', 'store', 'access', 'rest', 'mods', 'identity', 'federation', 'events', 'exchange', '(root)', 'http'],
  '(root)': ['fhir', 'store', 'access', 'rest', 'mods', 'identity', 'federation', 'events', 'exchange', 'http', 'config'],
};

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
};
walk(SRC);

const moduleOf = (file) => {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? '(root)' : rel[0];
};

const problems = [];
const graph = new Map();
const IMPORT = /^\s*import\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'|^\s*export\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length;
  if (lines > MAX_LINES && !file.includes('/generated/')) problems.push(`${relative(ROOT, file)}: ${lines} lines (limit ${MAX_LINES})`);
  const edges = [];
  for (const m of text.matchAll(IMPORT)) {
    const typeOnly = Boolean(m[1] || m[3]);
    const spec = m[2] ?? m[4];
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    const from = moduleOf(file);
    const to = moduleOf(target);
    const isTest = file.endsWith('.test.ts');
    if (from !== to && !isTest) {
      const allowed = ALLOWED[from] ?? [];
      const rootAllowed = to === '(root)' && (allowed.includes('(root)') || relative(SRC, target) === 'platform.ts' && typeOnly);
      if (!allowed.includes(to) && !rootAllowed) problems.push(`${relative(ROOT, file)}: ${from} may not import ${to} (${spec})`);
    }
    if (!typeOnly && !isTest) edges.push(target);
  }
  graph.set(file, edges);
}

// Cycles among runtime imports (type-only imports vanish at runtime and are ignored).
const state = new Map();
const stack = [];
const visit = (node) => {
  state.set(node, 'active');
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    if (state.get(next) === 'active') {
      const cycle = stack.slice(stack.indexOf(next)).map((f) => relative(SRC, f));
      problems.push(`import cycle: ${[...cycle, relative(SRC, next)].join(' -> ')}`);
    } else if (!state.has(next) && graph.has(next)) visit(next);
  }
  stack.pop();
  state.set(node, 'done');
};
for (const file of graph.keys()) if (!state.has(file)) visit(file);

if (problems.length) {
  console.error(`Architecture check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Architecture check passed: ${files.length} files, layers and size limits respected, no cycles.`);
