import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetfilterParseError, RuleCache, parseIptablesSave } from '../../../src/evaluators/iptables/parse.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const dump = readFileSync(path.join(fixtures, 'cluster-ip-general.rules'), 'utf8');

/** The dump with a rule added near the top of the nat table and the last rule of a chain dropped. */
function changed(text: string): string {
  const lines = text.split('\n');
  const natAt = lines.findIndex((l) => l === '*nat');
  const firstRule = lines.findIndex((l, i) => i > natAt && l.startsWith('-A '));
  lines.splice(firstRule, 0, '-A KUBE-SERVICES -m comment --comment "added by the test" -d 10.96.9.9/32 -p tcp -m tcp --dport 99 -j RETURN');
  const lastRule = lines.findLastIndex((l) => l.startsWith('-A '));
  lines.splice(lastRule, 1);
  return lines.join('\n');
}

describe('RuleCache', () => {
  it('gives the same rules, with their own line numbers, as a parse without it', () => {
    const cache = new RuleCache();
    cache.rotate();
    expect(parseIptablesSave(dump, 'a', cache)).toEqual(parseIptablesSave(dump, 'a'));
    const firstMisses = cache.misses;
    expect(firstMisses).toBeGreaterThan(10);

    const next = changed(dump);
    cache.rotate();
    const cached = parseIptablesSave(next, 'b', cache);
    expect(cached).toEqual(parseIptablesSave(next, 'b'));
    // Only the added rule was parsed; every other rule came from the cache.
    expect(cache.misses).toBe(1);
    expect(cache.hits).toBe(firstMisses - 1);
  });

  it('still reports errors with the line of the dump being parsed', () => {
    const cache = new RuleCache();
    cache.rotate();
    parseIptablesSave(dump, 'a', cache);
    cache.rotate();
    const bad = dump.replace('*nat\n', '*nat\n:EXTRA - [0:0]\n').replace(/\nCOMMIT\n?$/, '\n-A EXTRA -j NOWHERE\nCOMMIT\n');
    const line = bad.split('\n').indexOf('-A EXTRA -j NOWHERE') + 1;
    expect(() => parseIptablesSave(bad, 'b', cache)).toThrow(NetfilterParseError);
    expect(() => parseIptablesSave(bad, 'b', cache)).toThrow(new RegExp(`^b:${line}: unknown target or chain 'NOWHERE'`));
  });

  it('forgets lines no parse has met since the previous rotation', () => {
    const cache = new RuleCache();
    cache.rotate();
    parseIptablesSave(dump, 'a', cache);
    cache.rotate();
    parseIptablesSave('*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n', 'empty', cache);
    cache.rotate();
    parseIptablesSave(dump, 'a', cache);
    expect(cache.hits).toBe(0);
  });
});
