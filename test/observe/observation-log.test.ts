/**
 * Observations stream into a log whose memory does not grow with detail: one shared object per
 * distinct answer, full detail (paths) for a bounded sample; and the simulator yields while sending,
 * so a long step can be interrupted.
 */
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backends/sim/index.js';
import { MAX_DETAILED, ObservationLog } from '../../src/observe/observation-log.js';
import type { Observation } from '../../src/observe/observation.js';
import { NODE_PORT, seed004 } from '../sim/seed004.js';
import { mypc, scenarioOf, sendStep } from '../sim/helpers.js';

describe('ObservationLog', () => {
  it('keeps every answer in order, identical answers sharing one object, detail for the first of each', () => {
    const log = new ObservationLog();
    const pods = ['a', 'b', 'c'];
    for (let i = 0; i < 3000; i++) log.add({ outcome: 'ok', pod: pods[i % 3], sourceSeen: '1.2.3.4', trace: [{ note: `hop ${i}` }] });
    log.add({ outcome: 'refused', detail: 'ECONNREFUSED' });
    const obs = log.observations();
    expect(obs.map((o) => o.pod ?? o.outcome).slice(0, 4)).toEqual(['a', 'b', 'c', 'a']);
    expect(obs.length).toBe(3001);
    expect(log.distinct).toBe(4);
    expect(new Set(obs).size).toBe(7); // 3 first-of-answer with their path, 3 shared, 1 refusal
    expect(obs[0].trace).toEqual([{ note: 'hop 0' }]);
    expect(obs[3].trace).toBeUndefined();
    expect(obs[3000]).toEqual({ outcome: 'refused', detail: 'ECONNREFUSED' });
  });

  it('keeps full detail for at most MAX_DETAILED requests however many answers differ', () => {
    const log = new ObservationLog();
    for (let i = 0; i < 500; i++) log.add({ outcome: 'ok', endpoint: `10.0.0.${i % 250}:80`, latencyMs: i });
    expect(log.detailedCount).toBe(MAX_DETAILED);
    expect(log.observations().filter((o: Observation) => o.latencyMs !== undefined).length).toBe(MAX_DETAILED);
    expect(log.wantsDetail()).toBe(false);
  });
});

describe('sim send streams and yields', () => {
  const state = seed004();

  it('20,000 requests: one observation each, a handful of distinct objects, paths for a sample', async () => {
    const session = await createBackend().start(scenarioOf(state), { seed: 1, signal: new AbortController().signal, log: () => {} });
    const r = await session.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 20_000));
    if ('unsupported' in r) throw new Error(r.unsupported);
    expect(r.observations.length).toBe(20_000);
    expect(new Set(r.observations).size).toBeLessThanOrEqual(2 * MAX_DETAILED);
    const traced = r.observations.filter((o) => o.trace !== undefined);
    expect(traced.length).toBeGreaterThan(0);
    expect(traced.length).toBeLessThanOrEqual(MAX_DETAILED);
  });

  it('lets timers run during a long step and stops when its signal aborts', async () => {
    const controller = new AbortController();
    const session = await createBackend().start(scenarioOf(state), { seed: 1, signal: controller.signal, log: () => {} });
    let ticks = 0;
    const timer = setInterval(() => {
      // A timer firing at all proves the step gave the event loop a turn; the third one aborts.
      if (++ticks === 3) controller.abort(new Error('stop'));
    }, 1);
    try {
      const r = await session.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 100_000));
      if ('unsupported' in r) throw new Error(r.unsupported);
      expect(ticks).toBeGreaterThanOrEqual(3);
      expect(r.observations.length).toBeLessThan(100_000);
    } finally {
      clearInterval(timer);
    }
  });
});
