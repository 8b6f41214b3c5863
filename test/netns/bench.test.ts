/**
 * The netns benchmark's two paths really answer (a path that times out would measure timeouts).
 * No timing assertions: speed is reported by `npm run bench`, not tested.
 */
import { describe, expect, it } from 'vitest';
import { benchNetns } from '../../src/bench/netns.js';
import { kernelSkipReason } from './fixtures.js';

const skip = await kernelSkipReason();
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);

describe(title('netns benchmark'), () => {
  it.skipIf(skip)('measures kernel NAT and direct access without errors, and a lab cycle', async () => {
    const result = await benchNetns({ concurrencies: [2], requests: 8, warmup: 1, labCycles: 1 });
    expect(result.figures.map((f) => [f.path, f.concurrency, f.requests, f.errors])).toEqual([
      ['direct', 2, 8, 0],
      ['kernel-nat', 2, 8, 0],
    ]);
    for (const f of result.figures) expect(f.requestsPerSecond).toBeGreaterThan(0);
    expect(result.lab.upMs).toHaveLength(1);
    expect(result.lab.downMs).toHaveLength(1);
  });
});
