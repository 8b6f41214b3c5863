import { describe, expect, it } from 'vitest';
import { loadFigure } from '../../src/bench/load-figure.js';

describe('loadFigure', () => {
  it('counts the unanswered requests as errors and takes nearest-rank percentiles of the answered ones', () => {
    // 10 sent, 8 answered (out of order), in 2 s of wall time.
    const f = loadFigure('direct', 4, 10, [8, 1, 7, 2, 6, 3, 5, 4], 2000);
    expect(f).toEqual({ path: 'direct', concurrency: 4, requests: 10, errors: 2, requestsPerSecond: 4, meanMs: 4.5, p50Ms: 4, p90Ms: 8, p99Ms: 8, maxMs: 8 });
  });

  it('has no latency figures when nothing was answered', () => {
    const f = loadFigure('kernel-nat', 1, 5, [], 1000);
    expect(f.errors).toBe(5);
    expect(f.requestsPerSecond).toBe(0);
    expect(f.p50Ms).toBeNaN();
    expect(f.maxMs).toBeNaN();
  });
});
