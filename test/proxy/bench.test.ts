import { describe, expect, it } from 'vitest';
import { benchProxy } from '../../src/bench/proxy.js';

describe('benchProxy', () => {
  it('measures proxyd and a direct connection to the same pod at each concurrency, without errors', async () => {
    const result = await benchProxy({ concurrencies: [1, 8], requests: 40, warmup: 5, daemon: 'in-process' });
    expect(result.figures.map((f) => `${f.path}@${f.concurrency}`)).toEqual(['direct@1', 'proxyd@1', 'direct@8', 'proxyd@8']);
    for (const f of result.figures) {
      expect(f.errors).toBe(0);
      expect(f.requests).toBe(40);
      expect(f.requestsPerSecond).toBeGreaterThan(0);
      expect(f.p50Ms).toBeLessThanOrEqual(f.p99Ms);
      expect(f.p99Ms).toBeLessThanOrEqual(f.maxMs);
    }
  });
});

describe('benchProxy with its own processes', () => {
  it('runs the daemon and the echo pod as processes of their own and measures both paths without errors', async () => {
    const result = await benchProxy({ concurrencies: [4], requests: 40, warmup: 5 });
    expect(result.daemon).toBe('process');
    expect(result.figures.map((f) => [f.path, f.concurrency, f.requests, f.errors])).toEqual([
      ['direct', 4, 40, 0],
      ['proxyd', 4, 40, 0],
    ]);
  });
});
