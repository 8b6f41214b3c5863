/**
 * The walker's nftables semantics on small hand-written listings: hooks and priorities across
 * tables, accept vs drop, exact numgen shares, dynamic-set affinity with timeouts.
 */
import { describe, expect, it } from 'vitest';
import { NetfilterHost } from '../../../src/evaluators/host.js';
import { compileNftRuleset } from '../../../src/evaluators/nftables/compile.js';
import { exploreBranches } from '../../../src/evaluators/iptables/explore.js';
import { formatIPv4, parseIPv4 } from '../../../src/evaluators/iptables/ip.js';
import type { Packet } from '../../../src/evaluators/iptables/packet.js';

const ip = (s: string) => parseIPv4(s)!;
const host = (text: string) =>
  new NetfilterHost({
    name: 'n',
    rules: compileNftRuleset(text, 'test'),
    isLocal: (a) => a === ip('192.168.0.2'),
    route: (d) => (d === ip('192.168.0.2') ? { kind: 'local' } : { kind: 'out', iface: 'eth0' }),
    ifaceAddress: () => ip('192.168.0.2'),
  });
const pkt = (src: string, dst: string, dport: number, sport = 40000): Packet => ({ src: ip(src), dst: ip(dst), proto: 6, sport, dport, mark: 0, inIface: '', outIface: '', ctstate: 0 });

describe('hooks and priorities', () => {
  const text = `table ip a {
	chain fwd {
		type filter hook forward priority 10; policy accept;
		tcp dport 80 drop
	}
}
table inet b {
	chain fwd {
		type filter hook forward priority -5; policy accept;
		tcp dport 80 accept
		tcp dport 81 reject with tcp reset
	}
}
`;
  it('accept ends only its own base chain; the next one by priority still runs and its drop is final', () => {
    const h = host(text);
    const path: string[] = [];
    const r = h.process(pkt('10.0.0.1', '10.9.9.9', 80), 'eth0', { chance: () => true, now: 0, mutate: false, trace: (x) => path.push(`${x.table} ${x.chain}: ${x.note}`) });
    expect(r.kind).toBe('drop');
    expect(path).toEqual(['inet b fwd: accept', 'ip a fwd: drop']);
    expect(r.kind === 'drop' && r.hook).toBe('ip a fwd');
  });
  it('reject is final too', () => {
    expect(host(text).process(pkt('10.0.0.1', '10.9.9.9', 81), 'eth0', { chance: () => true, now: 0, mutate: false }).kind).toBe('reject');
  });
});

describe('numgen and affinity', () => {
  const text = `table ip k {
	set aff {
		type ipv4_addr
		flags dynamic,timeout
		timeout 10s
	}
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 172.30.0.1 tcp dport 80 jump svc
	}
	chain svc {
		ip saddr @aff goto ep1
		numgen random mod 3 vmap { 0 : goto ep0, 1 : goto ep1, 2 : goto ep2 }
	}
	chain ep0 {
		meta l4proto tcp dnat to 10.1.0.1:8080
	}
	chain ep1 {
		update @aff { ip saddr }
		meta l4proto tcp dnat to 10.1.0.2:8080
	}
	chain ep2 {
		meta l4proto tcp dnat to 10.1.0.3:8080
	}
}
`;
  it('numgen random mod 3 gives each endpoint exactly 1/3 in exact mode', () => {
    const h = host(text);
    const branches = exploreBranches((chance) => formatIPv4(h.process(pkt('10.0.0.9', '172.30.0.1', 80), 'eth0', { chance, now: 0, mutate: false }).packet.dst));
    const shares = new Map<string, number>();
    for (const b of branches) shares.set(b.result, (shares.get(b.result) ?? 0) + b.probability);
    expect([...shares.keys()].sort()).toEqual(['10.1.0.1', '10.1.0.2', '10.1.0.3']);
    for (const p of shares.values()) expect(p).toBeCloseTo(1 / 3, 12);
  });
  it('a client recorded by update @set sticks to its endpoint until the timeout passes', () => {
    const h = host(text);
    // Force the first choice to endpoint 1 (decline endpoint 0, take 1).
    const picks = [false, true];
    const first = h.process(pkt('10.0.0.9', '172.30.0.1', 80, 1), 'eth0', { chance: () => picks.shift() ?? false, now: 0, mutate: true });
    expect(formatIPv4(first.packet.dst)).toBe('10.1.0.2');
    for (const [now, want] of [[5, '10.1.0.2'], [9.9, '10.1.0.2']] as const) {
      const r = h.process(pkt('10.0.0.9', '172.30.0.1', 80, 2 + now), 'eth0', { chance: () => true, now, mutate: true });
      expect(formatIPv4(r.packet.dst)).toBe(want);
    }
    // The last update was at 9.9 s: still there at 19 s, gone by 30 s (the numgen then takes endpoint 0).
    expect(formatIPv4(h.process(pkt('10.0.0.9', '172.30.0.1', 80, 30), 'eth0', { chance: () => true, now: 19, mutate: false }).packet.dst)).toBe('10.1.0.2');
    expect(formatIPv4(h.process(pkt('10.0.0.9', '172.30.0.1', 80, 31), 'eth0', { chance: () => true, now: 30, mutate: false }).packet.dst)).toBe('10.1.0.1');
    expect(h.sets.elements('ip k/aff', 19)).toEqual([String(ip('10.0.0.9') | 0)]);
  });
});
