import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Backends start real processes and namespaces; keep file-level parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
