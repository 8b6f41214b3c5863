/** How two backends' observations of one step are judged the same or different. */
import { describe, expect, it } from 'vitest';
import { allOnOneSide, compareObserved, observedOf, presenceDifference, sameCounts } from '../../src/compare/observations.js';
import type { Observed } from '../../src/compare/observations.js';
import type { TrafficSummary } from '../../src/report/result.js';

function obs(outcomes: Record<string, number>, pods: Record<string, number> = {}, sources: Record<string, number> = {}, met = true): Observed {
  const count = Object.values(outcomes).reduce((a, b) => a + b, 0);
  return { count, outcomes, pods, sourcesSeen: sources, expectationsMet: met };
}

const plain = { sticky: false };

describe('outcome counts', () => {
  it('deterministic outcomes agree only when they are the same outcome', () => {
    expect(sameCounts({ ok: 100 }, { ok: 20 }, 0.001)).toBe(true);
    expect(sameCounts({ timeout: 10 }, { refused: 10 }, 0.001)).toBe(false);
  });

  it('mixed outcomes within sampling noise agree, clearly different proportions do not', () => {
    expect(sameCounts({ ok: 52, timeout: 48 }, { ok: 47, timeout: 53 }, 0.001)).toBe(true);
    expect(sameCounts({ ok: 90, timeout: 10 }, { ok: 20, timeout: 80 }, 0.001)).toBe(false);
    // a backend that never times out where the other does half the time
    expect(sameCounts({ ok: 50, timeout: 50 }, { ok: 100 }, 0.001)).toBe(false);
  });
});

describe('pods and sources that answered', () => {
  it('a pod missing from a few requests over three pods is chance, not a difference', () => {
    expect(presenceDifference({ a: 4, b: 3, c: 3 }, { a: 6, b: 4 }, 0.001)).toBeUndefined();
  });

  it('a pod that would almost surely have answered but never did is a difference', () => {
    expect(presenceDifference({ a: 34, b: 33, c: 33 }, { a: 50, b: 50 }, 0.001)).toMatch(/c never seen/);
  });

  it('different source addresses are reported with both sides', () => {
    const d = compareObserved('sim', obs({ ok: 20 }, { web: 20 }, { '10.244.1.1': 20 }), 'proxy', obs({ ok: 20 }, { web: 20 }, { '172.18.0.3': 20 }), plain);
    expect(d).toEqual([{ aspect: 'sources', detail: 'sim: 10.244.1.1×20 | proxy: 172.18.0.3×20' }]);
  });

  it('a pod the simulator computed as unreachable is a difference even if seen once', () => {
    const sim = { ...obs({ ok: 100 }, { a: 50, b: 50 }), reachablePods: ['a', 'b'] };
    const other = obs({ ok: 100 }, { a: 50, b: 49, z: 1 });
    expect(compareObserved('sim', sim, 'netns', other, plain).map((d) => d.aspect)).toEqual(['pods']);
  });

  it('on a sticky step which pod sticks is a random choice: only how many pods answered counts', () => {
    const a = obs({ ok: 20 }, { 'web-1': 20 }, { '10.244.1.1': 20 });
    const b = obs({ ok: 20 }, { 'web-2': 20 }, { '172.18.0.3': 20 });
    expect(compareObserved('sim', a, 'netns', b, { sticky: true })).toEqual([]);
    const spread = obs({ ok: 20 }, { 'web-1': 10, 'web-2': 10 }, { '172.18.0.3': 20 });
    expect(compareObserved('sim', a, 'proxy', spread, { sticky: true }).map((d) => d.aspect)).toEqual(['pods']);
  });

  it('expectations met on one backend and failed on the other is a difference', () => {
    const d = compareObserved('sim', obs({ ok: 10 }), 'proxy', obs({ ok: 10 }, {}, {}, false), plain);
    expect(d.map((x) => x.aspect)).toEqual(['expectations']);
  });
});

describe('observedOf', () => {
  it('keeps the counts without zeros, and the pods the exact computation makes reachable', () => {
    const t: TrafficSummary = {
      count: 10,
      from: 'mypc',
      to: '172.18.0.3:30080',
      targetText: 'NODE1:NPORT',
      protocol: 'TCP',
      outcomes: { ok: 10, timeout: 0 },
      pods: { a: 6, b: 4 },
      nodes: {},
      sourcesSeen: { '172.18.0.3': 10 },
      exact: {
        verdict: 'ok',
        endpoints: [
          { endpoint: '10.244.1.2:8080', pod: 'a', probability: 0.5 },
          { endpoint: '10.244.2.2:8080', pod: 'b', probability: 0.5 },
        ],
      },
    };
    expect(observedOf(t, true)).toEqual({ count: 10, outcomes: { ok: 10 }, pods: { a: 6, b: 4 }, sourcesSeen: { '172.18.0.3': 10 }, reachablePods: ['a', 'b'], expectationsMet: true });
  });
});

describe('presence across small samples', () => {
  it('does not flag a pod one side of 10 missed when the other side saw it 5 times in 10 (p = C(10,5)/C(20,5))', () => {
    expect(allOnOneSide(5, 10, 10)).toBeCloseTo(252 / 15504, 12);
    expect(presenceDifference({ 'echo-1': 5, 'echo-2': 5 }, { 'echo-1': 6, 'echo-3': 4 }, 0.001)).toBeUndefined();
  });
});
