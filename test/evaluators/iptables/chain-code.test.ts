/**
 * Hot chains run as generated JavaScript (src/evaluators/iptables/chain-code.ts) when no trace is taken.
 * Over every kube-proxy rule fixture, thousands of seeded packets (addresses and ports taken from
 * the dump, random sources, protocols, marks and conntrack states) go through every builtin chain
 * twice: with every chain compiled to code at once, and on the plain path. Verdicts, rewritten
 * packets and the random draws made must be identical.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CompiledRuleset, type EvalEnv } from '../../../src/evaluators/iptables/evaluate.js';
import { parseIptablesSave } from '../../../src/evaluators/iptables/parse.js';
import { RecentStore } from '../../../src/evaluators/iptables/recent.js';
import { Rng } from '../../../src/evaluators/iptables/rng.js';
import { parseIPv4 } from '../../../src/evaluators/iptables/ip.js';
import type { Packet } from '../../../src/evaluators/iptables/packet.js';

const dir = new URL('./fixtures/', import.meta.url);
const names = readdirSync(dir).filter((f) => f.endsWith('.rules') && !f.startsWith('bad-'));
const HOOKS: [string, string][] = [
  ['nat', 'PREROUTING'],
  ['nat', 'OUTPUT'],
  ['nat', 'POSTROUTING'],
  ['filter', 'INPUT'],
  ['filter', 'FORWARD'],
  ['filter', 'OUTPUT'],
];
const PACKETS = 400;

/** Addresses and ports the dump mentions, so random packets hit its rules. */
function vocabulary(text: string): { addrs: number[]; ports: number[] } {
  const addrs = new Set<number>([0x7f000001, 0x0a000001, 0xc0a80002]);
  for (const m of text.matchAll(/(\d+\.\d+\.\d+\.\d+)/g)) {
    const a = parseIPv4(m[1]!);
    if (a !== undefined) addrs.add(a);
  }
  const ports = new Set<number>([80, 53, 12345]);
  for (const m of text.matchAll(/(?:--dport|:)\s?(\d{2,5})\b/g)) ports.add(Number(m[1]));
  return { addrs: [...addrs], ports: [...ports] };
}

function walkAll(rules: CompiledRuleset, text: string, seed: number): unknown[] {
  const { addrs, ports } = vocabulary(text);
  const rng = new Rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
  const local = new Set(addrs.filter((_, i) => i % 5 === 0));
  const draws: number[] = [];
  const chanceRng = new Rng(seed + 1);
  const env: EvalEnv = {
    isLocal: (a) => a >>> 24 === 127 || local.has(a),
    chance: (p) => {
      draws.push(p);
      return chanceRng.next() < p;
    },
    recent: new RecentStore(),
    now: 0,
    mutate: true,
    masqueradeAddress: (iface) => (iface === 'lo' ? 0x7f000001 : 0xc0a80002),
  };
  const out: unknown[] = [];
  for (let i = 0; i < PACKETS; i++) {
    env.now = i;
    const p: Packet = {
      src: rng.next() < 0.5 ? pick(addrs) : (rng.nextU32() >>> 0),
      dst: pick(addrs),
      proto: pick([6, 6, 17, 132]),
      sport: 30000 + (rng.nextU32() % 30000),
      dport: pick(ports),
      mark: pick([0, 0, 0x4000, 0x8000]),
      inIface: pick(['', 'eth0', 'cni0']),
      outIface: pick(['', 'eth0', 'cni0', 'lo']),
      ctstate: pick([1, 1, 2, 4, 8, 1 | 64]),
    };
    const [table, chain] = pick(HOOKS);
    const verdict = rules.run(table, chain, p, env);
    out.push({ table, chain, verdict, p, draws: draws.splice(0) });
  }
  return out;
}

describe('generated chain code', () => {
  it('finds the fixtures', () => expect(names.length).toBeGreaterThan(20));
  it.each(names)('walks %s exactly like the plain path', (name) => {
    const text = readFileSync(new URL(name, dir), 'utf8');
    const ruleset = parseIptablesSave(text, name);
    for (const seed of [1, 2, 3]) {
      const code = walkAll(new CompiledRuleset(ruleset, { hotCalls: 1 }), text, seed);
      const plain = walkAll(new CompiledRuleset(ruleset, { plain: true }), text, seed);
      expect(code).toEqual(plain);
    }
  });
});
