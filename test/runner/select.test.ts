import { describe, expect, it } from 'vitest';
import { parseShard, selectScenarios, shardSlice } from '../../src/runner/select.js';
import { scenario } from './harness.js';

describe('--shard', () => {
  it('parses i/n', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
  });

  it.each([
    ['3', "--shard must be <index>/<count>, e.g. 1/3 (got '3')"],
    ['1/0', '--shard <count> must be a positive number'],
    ['1/x', '--shard <count> must be a positive number'],
    ['0/2', '--shard <index> must be a positive number'],
    ['1.5/2', '--shard <index> must be a positive number'],
    ['3/2', '--shard <index> must be a positive number no greater than <count>'],
  ])('rejects %s like vitest does', (text, message) => {
    expect(() => parseShard(text)).toThrow(message);
  });

  it('every item lands in exactly one shard, sizes differing by at most one', () => {
    const items = Array.from({ length: 11 }, (_, i) => `scenario-${i}`);
    const shards = [1, 2, 3].map((index) => shardSlice(items, { index, count: 3 }, (s) => s));
    expect(shards.map((s) => s.length).sort()).toEqual([3, 4, 4]);
    expect(shards.flat().sort()).toEqual([...items].sort());
  });

  it('is stable: the same shard gets the same scenarios whatever the input order', () => {
    const a = ['x', 'y', 'z', 'w', 'v'].map((n) => scenario(n, []));
    const b = [...a].reverse();
    const pick = (list: typeof a) => selectScenarios(list, { tags: [], cwd: '/labs', shard: { index: 1, count: 2 } }).map((s) => s.name).sort();
    expect(pick(a)).toEqual(pick(b));
    const other = selectScenarios(a, { tags: [], cwd: '/labs', shard: { index: 2, count: 2 } }).map((s) => s.name);
    expect([...pick(a), ...other].sort()).toEqual(['v', 'w', 'x', 'y', 'z']);
  });

  it('keeps the run order of the selected scenarios', () => {
    const list = ['a', 'b', 'c', 'd'].map((n) => scenario(n, []));
    const picked = selectScenarios(list, { tags: [], cwd: '/labs', shard: { index: 1, count: 1 } }).map((s) => s.name);
    expect(picked).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('--grep and --tag', () => {
  const list = [scenario('nodeport-local', [], { tags: ['nodeport', 'etp'] }), scenario('clusterip', [], { tags: ['clusterip'] })];

  it('grep matches the name or the file path', () => {
    expect(selectScenarios(list, { tags: [], cwd: '/labs', grep: /local/ }).map((s) => s.name)).toEqual(['nodeport-local']);
    expect(selectScenarios(list, { tags: [], cwd: '/labs', grep: /^scenarios\/clusterip\.yaml$/ }).map((s) => s.name)).toEqual(['clusterip']);
  });

  it('tags keep scenarios carrying any of them', () => {
    expect(selectScenarios(list, { tags: ['etp', 'clusterip'], cwd: '/labs' }).map((s) => s.name)).toEqual(['nodeport-local', 'clusterip']);
    expect(selectScenarios(list, { tags: ['lb'], cwd: '/labs' })).toEqual([]);
  });
});

describe('--grep with a catastrophic pattern (issue 14)', () => {
  it('stops with a usage error naming the pattern instead of hanging', () => {
    const s = [scenario('a'.repeat(60), [])];
    const started = process.hrtime.bigint();
    expect(() => selectScenarios(s, { grep: /(a+)+b/, tags: [], cwd: '/labs' })).toThrow(/--grep '\(a\+\)\+b' took over \d+ ms .*backtracks catastrophically/);
    // Bounded: one match limit, not the minutes (a+)+b needs on 60 a's. A generous ceiling, not a speed goal.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(30_000);
  });
  it('ordinary patterns still select by name or file', () => {
    const s = [scenario('web-nodeport', []), scenario('dns', [])];
    expect(selectScenarios(s, { grep: /node(port)?$/, tags: [], cwd: '/labs' }).map((x) => x.name)).toEqual(['web-nodeport']);
    expect(selectScenarios(s, { grep: /scenarios\/dns/, tags: [], cwd: '/labs' }).map((x) => x.name)).toEqual(['dns']);
  });
});
