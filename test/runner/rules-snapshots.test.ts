import { describe, expect, it } from 'vitest';
import type { BackendSession, NodeRules } from '../../src/backends/backend.js';
import { capText, MAX_SNAPSHOTS, RulesRecorder } from '../../src/runner/rules-snapshots.js';

/** A session whose nodes hold whatever `now` says. */
function session(now: () => NodeRules[]): BackendSession {
  return {
    apply: async () => ({ applied: true }),
    send: async () => ({ observations: [] }),
    close: async () => undefined,
    nodeRules: async () => now(),
  };
}

const BY = 'loaded by kube-proxy v1.37.2 (iptables mode)';
const rules = (node: string, text: string): NodeRules => ({ node, writtenBy: BY, format: 'iptables-save', text });

describe('rule snapshots', () => {
  it('keeps a node only when its rules changed (counters aside), with the step they follow', async () => {
    let nodes = [rules('a', '*nat\n:PREROUTING ACCEPT [0:0]\n-A X -j Y\nCOMMIT\n'), rules('b', '*nat\nCOMMIT\n')];
    const recorder = new RulesRecorder();
    const s = session(() => nodes);
    await recorder.record(s, undefined);
    nodes = [rules('a', '*nat\n:PREROUTING ACCEPT [12:720]\n-A X -j Y\nCOMMIT\n'), rules('b', '*nat\n-A X -j Z\nCOMMIT\n')];
    await recorder.record(s, 2);
    await recorder.record(s, 4);
    expect(recorder.snapshots.map((r) => [r.node, r.afterStep])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['b', 2],
    ]);
    expect(recorder.snapshots[2]).toEqual({ node: 'b', writtenBy: BY, format: 'iptables-save', text: '*nat\n-A X -j Z\nCOMMIT\n', afterStep: 2 });
  });

  it('bounds each snapshot and the number kept, saying how much was left out', async () => {
    const big = Array.from({ length: 1000 }, (_, i) => `-A KUBE-SERVICES -d 10.0.${i >> 8}.${i & 255}/32 -j KUBE-SVC-${i}`).join('\n') + '\n';
    const capped = capText(big, 400);
    expect(capped.text.split('\n').filter(Boolean)).toHaveLength(400);
    expect(capped.truncatedLines).toBe(600);
    expect(capText('a\nbb\nccc\n', 10, 5)).toEqual({ text: 'a\nbb\n', truncatedLines: 1 });
    expect(capText('')).toEqual({ text: '', truncatedLines: 0 });

    let i = 0;
    const recorder = new RulesRecorder();
    const s = session(() => [rules('a', `${big}-A STEP ${i++}\n`)]);
    for (let step = 0; step < MAX_SNAPSHOTS + 5; step++) await recorder.record(s, step);
    expect(recorder.snapshots).toHaveLength(MAX_SNAPSHOTS);
    expect(recorder.omitted).toBe(5);
    expect(recorder.snapshots[0]!.truncatedLines).toBe(601);
  });

  it('records a node it cannot read with the reason, and nothing for backends that cannot read rules', async () => {
    const recorder = new RulesRecorder();
    await recorder.record(session(() => [{ node: 'a', writtenBy: BY, format: 'nft', text: '', error: 'nft: no such table' }]), undefined);
    expect(recorder.snapshots).toEqual([{ node: 'a', writtenBy: BY, format: 'nft', text: '', error: 'nft: no such table' }]);
    const none = new RulesRecorder();
    const { nodeRules: _, ...without } = session(() => []);
    await none.record(without, undefined);
    expect(none.snapshots).toEqual([]);
  });
});
