import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/commands/run.js';
import { UsageError } from '../../src/errors.js';

describe('svclab run arguments', () => {
  it('has documented defaults', () => {
    const a = parseRunArgs([]);
    expect(a).toMatchObject({ paths: ['scenarios'], backend: 'sim', seed: 1, seedFromCli: false, reporters: ['console', 'junit', 'html'], out: 'reports', tags: [], bail: false, timeoutMs: 600000, concurrency: 4, help: false });
    expect(a.color).toBeUndefined();
  });

  it('takes reporters as a comma list or repeated, without duplicates', () => {
    expect(parseRunArgs(['--reporter', 'json,junit', '--reporter', 'json', '--reporter=html']).reporters).toEqual(['json', 'junit', 'html']);
  });

  it('reads every option', () => {
    const a = parseRunArgs(['a.yaml', 'dir', '--backend', 'netns', '--seed', '42', '--out', 'o', '--grep', 'node.*', '--tag', 'x', '--tag', 'y', '--shard', '2/4', '--bail', '--timeout', '0', '--concurrency', '2', '--no-color']);
    expect(a).toMatchObject({ paths: ['a.yaml', 'dir'], backend: 'netns', seed: 42, seedFromCli: true, out: 'o', tags: ['x', 'y'], shard: { index: 2, count: 4 }, bail: true, timeoutMs: 0, concurrency: 2, color: false });
    expect(a.grep?.source).toBe('node.*');
    expect(parseRunArgs(['--color']).color).toBe(true);
    expect(parseRunArgs([]).junitStrict).toBe(false);
    expect(parseRunArgs(['--junit-strict']).junitStrict).toBe(true);
  });

  it.each([
    [['--backend', 'docker'], "--backend must be one of sim, proxy, netns, kube-proxy, kind (got 'docker')"],
    [['--reporter', 'tap'], "--reporter must be among console, junit, html, json (got 'tap')"],
    [['--seed=-1'], "--seed must be an integer from 0 to 4294967295 (got '-1')"],
    [['--concurrency', '0'], "--concurrency must be an integer from 1 to 1024 (got '0')"],
    [['--timeout', '1.5'], "--timeout must be an integer from 0"],
    [['--grep', '('], '--grep is not a valid regular expression'],
    [['--shard', '5/4'], '--shard <index> must be a positive number no greater than <count>'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['--out', ''], '--out needs a directory'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseRunArgs(argv)).toThrow(UsageError);
    expect(() => parseRunArgs(argv)).toThrow(message);
  });
});
