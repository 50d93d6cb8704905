import { defineConfig } from 'vitest/config';

// One runner for the whole repo: unit tests beside the code, cross-module and HTTP tests in test/.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // PGlite instances are memory-hungry WASM heaps; two workers match the two cores here.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
