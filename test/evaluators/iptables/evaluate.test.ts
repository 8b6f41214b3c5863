import { describe, expect, it } from 'vitest';
import { CompiledRuleset, type EvalEnv } from '../../../src/evaluators/iptables/evaluate.js';
import { NetfilterHost } from '../../../src/evaluators/host.js';
import { IptablesHookRules } from '../../../src/evaluators/iptables/hook-rules.js';
import { formatIPv4, parseIPv4 } from '../../../src/evaluators/iptables/ip.js';
import { CT, type Packet } from '../../../src/evaluators/iptables/packet.js';
import { parseIptablesSave } from '../../../src/evaluators/iptables/parse.js';
import { RecentStore } from '../../../src/evaluators/iptables/recent.js';
import { Rng } from '../../../src/evaluators/iptables/rng.js';
import { compileDump, traceRules } from '../../../src/evaluators/iptables/trace-rules.js';
import { renderNodeRules } from '../../../src/kubeproxy/iptables/render.js';
import { clusterWith, port, slice, svc, TEST_NODE } from './kube-states.js';

const ip = (s: string) => parseIPv4(s)!;
const pkt = (src: string, dst: string, dport: number, extra: Partial<Packet> = {}): Packet => ({
  src: ip(src), dst: ip(dst), proto: 6, sport: 40000, dport, mark: 0, inIface: 'eth0', outIface: '', ctstate: CT.NEW, ...extra,
});
const env = (over: Partial<EvalEnv> = {}): EvalEnv => ({
  isLocal: (a) => a === ip('192.168.0.2') || a >>> 24 === 127,
  chance: () => true,
  recent: new RecentStore(),
  now: 0,
  mutate: true,
  masqueradeAddress: () => ip('192.168.0.2'),
  ...over,
});
const compile = (text: string) => new CompiledRuleset(parseIptablesSave(text));

describe('chain walking', () => {
  const rules = compile(`*filter
:INPUT DROP [0:0]
:A - [0:0]
:B - [0:0]
:C - [0:0]
-A INPUT -j A
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -g B
-A INPUT -j REJECT
-A A -s 10.0.0.0/8 -j RETURN
-A A -m mark --mark 0x1/0x1 -j ACCEPT
-A B -p tcp -m tcp --dport 80 -j ACCEPT
-A B -j C
-A C -p tcp -m tcp --dport 81 -j DROP
COMMIT
`);
  it('RETURN resumes the caller, goto returns past it, the policy applies at the end', () => {
    expect(rules.run('filter', 'INPUT', pkt('10.1.1.1', '192.168.0.2', 22), env())).toBe('ACCEPT');
    expect(rules.run('filter', 'INPUT', pkt('10.1.1.1', '192.168.0.2', 80), env())).toBe('ACCEPT');
    expect(rules.run('filter', 'INPUT', pkt('10.1.1.1', '192.168.0.2', 81), env())).toBe('DROP');
    // B was entered by goto: when it returns, INPUT does not continue to REJECT; the policy (DROP) applies.
    expect(rules.run('filter', 'INPUT', pkt('10.1.1.1', '192.168.0.2', 99), env())).toBe('DROP');
    expect(rules.run('filter', 'INPUT', pkt('1.1.1.1', '192.168.0.2', 99, { mark: 1 }), env())).toBe('ACCEPT');
  });
});

describe('matches and targets', () => {
  const rules = compile(`*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:SEP - [0:0]
-A PREROUTING -m recent --name SEP --rcheck --seconds 10 --reap -j SEP
-A PREROUTING -m addrtype --dst-type LOCAL -m statistic --mode random --probability 0.5 -j SEP
-A PREROUTING -m addrtype --dst-type LOCAL -j DNAT --to-destination 10.9.9.9:99
-A SEP -m recent --name SEP --set -j DNAT --to-destination 10.1.1.1:8080
-A POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A POSTROUTING -j MARK --xor-mark 0x4000
-A POSTROUTING -j MASQUERADE --random-fully
COMMIT
`);
  it('statistic follows the random draw; DNAT rewrites address and port', () => {
    const p1 = pkt('1.1.1.1', '192.168.0.2', 30000);
    rules.run('nat', 'PREROUTING', p1, env({ chance: () => false }));
    expect([formatIPv4(p1.dst), p1.dport, (p1.ctstate & CT.DNAT) !== 0]).toEqual(['10.9.9.9', 99, true]);
    const p2 = pkt('1.1.1.1', '192.168.0.2', 30000);
    rules.run('nat', 'PREROUTING', p2, env({ chance: () => true }));
    expect(formatIPv4(p2.dst)).toBe('10.1.1.1');
  });
  it('recent --set makes --rcheck match until --seconds pass (affinity)', () => {
    const recent = new RecentStore();
    rules.run('nat', 'PREROUTING', pkt('1.1.1.1', '192.168.0.2', 30000), env({ recent, now: 100, chance: () => true }));
    const sticky = pkt('1.1.1.1', '192.168.0.2', 30000);
    rules.run('nat', 'PREROUTING', sticky, env({ recent, now: 105, chance: () => false }));
    expect(formatIPv4(sticky.dst)).toBe('10.1.1.1');
    const other = pkt('2.2.2.2', '192.168.0.2', 30000);
    rules.run('nat', 'PREROUTING', other, env({ recent, now: 105, chance: () => false }));
    expect(formatIPv4(other.dst)).toBe('10.9.9.9');
    // 105 refreshed the entry; at 116 it is 11 s old and --reap removes it.
    const expired = pkt('1.1.1.1', '192.168.0.2', 30000);
    rules.run('nat', 'PREROUTING', expired, env({ recent, now: 116, chance: () => false }));
    expect(formatIPv4(expired.dst)).toBe('10.9.9.9');
    expect(recent.has('SEP', ip('1.1.1.1'))).toBe(false);
  });
  it('MASQUERADE only for marked packets, and the mark is cleared', () => {
    const marked = pkt('1.1.1.1', '10.1.1.1', 8080, { mark: 0x4000, outIface: 'eth0' });
    rules.run('nat', 'POSTROUTING', marked, env());
    expect([formatIPv4(marked.src), marked.mark]).toEqual(['192.168.0.2', 0]);
    const plain = pkt('1.1.1.1', '10.1.1.1', 8080);
    rules.run('nat', 'POSTROUTING', plain, env());
    expect(formatIPv4(plain.src)).toBe('1.1.1.1');
  });
});

describe('conntrack', () => {
  const dump = (endpoint: string) => `*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 172.30.0.1/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination ${endpoint}
-A POSTROUTING -s 203.0.113.0/24 -j MASQUERADE
COMMIT
`;
  const hostWith = (endpoint: string) => ({
    name: 'n',
    rules: new IptablesHookRules(compile(dump(endpoint))),
    isLocal: (a: number) => a === ip('192.168.0.2'),
    route: () => ({ kind: 'out' as const, iface: 'eth0' }),
    ifaceAddress: () => ip('192.168.0.2'),
  });
  const opts = { chance: () => true, now: 1, mutate: true };
  it('an established flow keeps its endpoint after the rules change; its reply is un-NATed', () => {
    const host = new NetfilterHost(hostWith('10.0.0.1:8080'));
    const first = host.process(pkt('203.0.113.5', '172.30.0.1', 80), 'eth0', opts);
    expect(first.kind).toBe('out');
    expect([formatIPv4(first.packet.dst), formatIPv4(first.packet.src)]).toEqual(['10.0.0.1', '192.168.0.2']);
    host.replaceRules(hostWith('10.0.0.2:8080'));
    const again = host.process(pkt('203.0.113.5', '172.30.0.1', 80), 'eth0', opts);
    expect(formatIPv4(again.packet.dst)).toBe('10.0.0.1');
    expect(again.packet.ctstate & CT.ESTABLISHED).toBeTruthy();
    // The reply from the endpoint to the masqueraded source comes back with the original addresses.
    const reply = host.process({ ...pkt('10.0.0.1', '192.168.0.2', 40000), sport: 8080 }, 'eth0', opts);
    expect([formatIPv4(reply.packet.src), reply.packet.sport, formatIPv4(reply.packet.dst), reply.packet.dport]).toEqual(['172.30.0.1', 80, '203.0.113.5', 40000]);
    // A new flow (another source port) meets the new rules.
    const fresh = host.process(pkt('203.0.113.5', '172.30.0.1', 80, { sport: 40001 }), 'eth0', opts);
    expect(formatIPv4(fresh.packet.dst)).toBe('10.0.0.2');
  });
});

describe('conntrack with asymmetric routing', () => {
  // A forwarding node with kube-proxy's INVALID drop in FORWARD and no NAT.
  const host = () =>
    new NetfilterHost({
      name: 'fwd',
      rules: new IptablesHookRules(
        compile(`*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate INVALID -j DROP
COMMIT
`),
      ),
      isLocal: () => false,
      route: () => ({ kind: 'out' as const, iface: 'eth0' }),
      ifaceAddress: () => ip('192.168.0.2'),
    });
  const opts = { chance: () => true, now: 1, mutate: true };
  const syn = pkt('172.18.0.101', '10.244.1.2', 8080);

  it("drops the client's ACK as INVALID when the flow's reply never passed this node", () => {
    const h = host();
    expect(h.process(syn, 'eth0', opts).kind).toBe('out');
    // A retransmitted SYN is still fine; the ACK is not.
    expect(h.process(syn, 'eth0', opts).kind).toBe('out');
    const ack = h.process({ ...syn, ack: true }, 'eth0', opts);
    expect(ack.kind).toBe('drop');
    expect(ack.packet.ctstate & CT.INVALID).toBeTruthy();
  });

  it('lets the ACK through once the reply has passed (symmetric routing)', () => {
    const h = host();
    h.process(syn, 'eth0', opts);
    h.process({ ...pkt('10.244.1.2', '172.18.0.101', 40000), sport: 8080, dport: syn.sport }, 'eth0', opts);
    const ack = h.process({ ...syn, ack: true }, 'eth0', opts);
    expect(ack.kind).toBe('out');
    expect(ack.packet.ctstate & CT.ESTABLISHED).toBeTruthy();
  });
});

describe('indexed dispatch', () => {
  // Many services (ClusterIP, NodePort, LB with source ranges, eTP Local, affinity) on one node.
  const services = [];
  const slices = [];
  for (let i = 0; i < 600; i++) {
    const ns = `ns${i % 7}`;
    const name = `svc${i}`;
    const a = 10 + (i >> 8);
    const b = i & 255;
    const kind = i % 5;
    services.push(
      svc(ns, name, {
        type: kind === 0 ? 'ClusterIP' : kind === 1 ? 'NodePort' : 'LoadBalancer',
        clusterIP: `172.30.${a}.${b}`,
        ports: [port('p', 80 + (i % 3), { nodePort: kind === 0 ? undefined : 30000 + i, protocol: i % 11 === 0 ? 'UDP' : 'TCP' })],
        loadBalancerIngress: kind >= 2 ? [{ ip: `5.5.${a}.${b}` }] : [],
        loadBalancerSourceRanges: kind === 3 ? ['203.0.113.0/25'] : [],
        externalTrafficPolicy: kind === 4 ? 'Local' : 'Cluster',
        sessionAffinity: i % 13 === 0 ? 'ClientIP' : 'None',
      }),
    );
    if (i % 17 !== 0) {
      const eps = Array.from({ length: 1 + (i % 4) }, (_, k) => ({ ip: `10.${a}.${b}.${k + 1}`, node: k === 0 ? TEST_NODE : 'other' }));
      slices.push(slice(ns, name, eps, [{ name: 'p', port: 8080, protocol: i % 11 === 0 ? 'UDP' : 'TCP' }]));
    }
  }
  const text = renderNodeRules(clusterWith(services, slices), TEST_NODE);
  const indexed = compileDump(text, 'big');
  const linear = compileDump(text, 'big', true);
  it('indexes the long dispatch chains', () => {
    expect(indexed.indexedChains()).toEqual(expect.arrayContaining(['nat/KUBE-SERVICES', 'nat/KUBE-NODEPORTS']));
    expect(linear.indexedChains()).toEqual([]);
  });
  it('gives the same verdict, endpoints and masquerade as a linear scan', () => {
    const rng = new Rng(99);
    const pick = <T>(xs: T[]) => xs[Math.floor(rng.next() * xs.length)]!;
    const sources = ['10.0.0.2', '203.0.113.2', '203.0.113.200', '192.168.0.2', '127.0.0.1'];
    let compared = 0;
    for (let n = 0; n < 400; n++) {
      const i = Math.floor(rng.next() * 600);
      const a = 10 + (i >> 8);
      const b = i & 255;
      const [to, portNo] = pick([
        [`172.30.${a}.${b}`, 80 + (i % 3)],
        [`172.30.${a}.${b}`, 81 + (i % 3)],
        ['192.168.0.2', 30000 + i],
        [`5.5.${a}.${b}`, 80 + (i % 3)],
        ['127.0.0.1', 30000 + i],
      ] as [string, number][]);
      const input = { nodeIPs: ['192.168.0.2'], from: pick(sources), to, port: portNo, protocol: pick(['tcp', 'tcp', 'udp']) };
      const x = traceRules(indexed, input);
      const y = traceRules(linear, input);
      expect({ v: x.verdict, e: x.endpoints, m: x.masquerade }).toEqual({ v: y.verdict, e: y.endpoints, m: y.masquerade });
      expect(x.branches.map((br) => br.path)).toEqual(y.branches.map((br) => br.path));
      compared++;
    }
    expect(compared).toBe(400);
  });
});

describe('interfaces and SNAT', () => {
  const rules = compile(`*nat
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o cni0 -j RETURN
-A POSTROUTING -s 10.0.0.0/8 ! -o veth+ -j SNAT --to-source 192.168.0.9
COMMIT
`);
  it('matches exact and wildcard interface names, with negation', () => {
    const toBridge = pkt('10.1.1.1', '10.2.2.2', 80, { outIface: 'cni0' });
    rules.run('nat', 'POSTROUTING', toBridge, env());
    expect(formatIPv4(toBridge.src)).toBe('10.1.1.1');
    const toVeth = pkt('10.1.1.1', '10.2.2.2', 80, { outIface: 'veth1234' });
    rules.run('nat', 'POSTROUTING', toVeth, env());
    expect(formatIPv4(toVeth.src)).toBe('10.1.1.1');
    const out = pkt('10.1.1.1', '8.8.8.8', 80, { outIface: 'eth0' });
    rules.run('nat', 'POSTROUTING', out, env());
    expect([formatIPv4(out.src), (out.ctstate & CT.SNAT) !== 0]).toEqual(['192.168.0.9', true]);
  });
});
