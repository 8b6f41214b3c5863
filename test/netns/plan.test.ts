/**
 * The parts of the netns backend that need no kernel: layout, validation of scenario text before
 * it reaches a command, conntrack clean-up choice, errno classification, nfacct handling.
 */
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/errors.js';
import { clientBatch, fabricBatch, nodeBatch, nodeSysctls, planFabric, planPods, podAttachBatch, podBatch } from '../../src/backends/netns/topology.js';
import { describeFlow, parseConntrackLine, staleFlowDeletions } from '../../src/backends/netns/conntrack.js';
import { classifyErrno, parseEchoReply } from '../../src/backends/netns/agent/protocol.js';
import { nfacctCounters, stripSaveComments, withoutNfacct } from '../../src/backends/netns/rules.js';
import { CLIENT, NODES, seed004 } from './fixtures.js';

describe('netns layout', () => {
  it('puts nodes and the client on one segment with a free gateway address that drops everything else', () => {
    const plan = planFabric(seed004());
    expect(plan.segment).toBe('172.18.0.0');
    expect(plan.segmentPrefix).toBe(24);
    expect(plan.gateway).toBe('172.18.0.1');
    expect(plan.nodes.map((n) => [n.name, n.ns, n.podGateway])).toEqual([
      [NODES.cp.name, 'n0', '10.10.0.1'],
      [NODES.w1.name, 'n1', '10.10.1.1'],
      [NODES.w2.name, 'n2', '10.10.2.1'],
      [NODES.w3.name, 'n3', '10.10.3.1'],
    ]);
    const fabric = fabricBatch(plan);
    expect(fabric).toContain('addr add 172.18.0.1/24 dev br0');
    expect(fabric).toContain('route add blackhole default');
    expect(fabric).toContain('link add vn3 type veth peer name eth0 netns n3');
    expect(fabric).toContain('link add vc0 type veth peer name eth0 netns c0');
    for (const line of fabric) for (const word of line.split(' ')) expect(word.length).toBeLessThanOrEqual(15);
  });

  it('routes every other node\'s pod CIDR via that node, and pods via their node\'s gateway address', () => {
    const state = seed004();
    const plan = planFabric(state);
    const pods = planPods(state);
    const cp = plan.nodes[0];
    expect(nodeBatch(plan, cp, pods)).toEqual([
      'link set lo up',
      'addr add 172.18.0.4/24 dev eth0',
      'link set eth0 up',
      'route add 10.10.1.0/24 via 172.18.0.5',
      'route add 10.10.2.0/24 via 172.18.0.2',
      'route add 10.10.3.0/24 via 172.18.0.3',
      'route add default via 172.18.0.1',
    ]);
    const w1 = plan.nodes[1];
    expect(podAttachBatch(w1, pods[0], 'p0', 'vp0')).toContain('addr add 10.10.1.1/32 dev vp0');
    expect(podBatch(w1, pods[0])).toContain('route add default via 10.10.1.1 dev eth0');
    expect(pods[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(clientBatch(plan, plan.clients[0])).toContain(`addr add ${CLIENT.ip}/24 dev eth0`);
  });

  it('sets route_localnet only when localhost node ports are on, and forwarding always', () => {
    const on = planFabric(seed004());
    expect(nodeSysctls(on, ['eth0'])).toEqual(
      expect.arrayContaining(['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.route_localnet=1', 'net.ipv4.conf.eth0.rp_filter=0']),
    );
    const state = seed004();
    state.cluster.kubeProxy.nodePortAddresses = ['172.18.0.0/24'];
    expect(nodeSysctls(planFabric(state), [])).toContain('net.ipv4.conf.all.route_localnet=0');
  });

  it('rejects scenario text that is not an address before it reaches a command', () => {
    const bad = seed004();
    bad.cluster.nodes[1].addresses = ['172.18.0.5 netns evil'];
    expect(() => planFabric(bad)).toThrow(ScenarioError);
    const badRoute = seed004();
    badRoute.cluster.clients[0].routes = [{ to: '10.200.1.0/24;reboot', via: '172.18.0.4' }];
    expect(() => planFabric(badRoute)).toThrow(/not an IPv4 CIDR/);
    const offSegment = seed004();
    offSegment.cluster.clients[0].routes = [{ to: '10.200.1.0/24', via: '192.168.9.9' }];
    expect(() => planFabric(offSegment)).toThrow(/not on the node segment/);
    const badPod = seed004();
    badPod.pods[0].ip = '10.10.1.2/32';
    expect(() => planPods(badPod)).toThrow(/IP of pod/);
    const stray = seed004();
    stray.pods[0].node = 'nowhere';
    expect(() => planPods(stray)).toThrow(/unknown node nowhere/);
  });

  it('normalizes client routes to network addresses', () => {
    const state = seed004();
    state.cluster.clients[0].routes = [{ to: '10.200.1.7/24', via: '172.18.0.4' }];
    expect(planFabric(state).clients[0].routes).toEqual([{ to: '10.200.1.0/24', via: '172.18.0.4' }]);
  });
});

describe('netns conntrack clean-up (as kube-proxy: UDP only)', () => {
  it('deletes UDP flows to endpoints that stopped serving', () => {
    expect(staleFlowDeletions(seed004({ protocol: 'UDP' }), seed004({ protocol: 'UDP', replicas: 1 }))).toEqual([
      ['conntrack', '-D', '-p', 'udp', '--dst-nat', '10.10.2.2'],
      ['conntrack', '-D', '-p', 'udp', '--dst-nat', '10.10.3.2'],
    ]);
  });

  it('leaves TCP flows alone', () => {
    expect(staleFlowDeletions(seed004(), seed004({ replicas: 1 }))).toEqual([]);
  });

  it('deletes UDP flows to a Service IP that went away', () => {
    const after = seed004({ protocol: 'UDP' });
    after.services = [];
    after.endpointSlices = [];
    expect(staleFlowDeletions(seed004({ protocol: 'UDP' }), after)).toContainEqual(['conntrack', '-D', '-p', 'udp', '--orig-dst', '10.200.1.10']);
  });
});

describe('netns request outcomes', () => {
  it('classifies errno as the scenario outcome', () => {
    expect(classifyErrno('ECONNREFUSED')).toBe('refused');
    expect(classifyErrno('ETIMEDOUT')).toBe('timeout');
    expect(classifyErrno('ECONNRESET')).toBe('reset');
    expect(classifyErrno('EHOSTUNREACH')).toBe('unreachable');
    expect(classifyErrno('ENETUNREACH')).toBe('unreachable');
  });

  it('reads the echo pod\'s answer and ignores anything else', () => {
    expect(parseEchoReply('{"pod":"a","node":"n","peer":"1.2.3.4","local":"10.0.0.2","localPort":8080}')).toEqual({
      pod: 'a',
      node: 'n',
      peer: '1.2.3.4',
      local: '10.0.0.2',
      localPort: 8080,
    });
    expect(parseEchoReply('<html>')).toBeUndefined();
    expect(parseEchoReply('{"hostname":"x"}')).toBeUndefined();
  });
});

describe('netns rules text', () => {
  const rules = [
    '*filter',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP',
    'COMMIT',
    '*nat',
    '-A KUBE-NODEPORTS -d 127.0.0.0/8 -p tcp -m tcp --dport 30898 -m nfacct --nfacct-name  localhost_nps_accepted_pkts -j KUBE-EXT-X',
    'COMMIT',
  ].join('\n');

  it('finds nfacct counters and can drop their (count-only) matches', () => {
    expect(nfacctCounters(rules)).toEqual(['ct_state_invalid_dropped_pkts', 'localhost_nps_accepted_pkts']);
    const stripped = withoutNfacct(rules);
    expect(stripped).not.toContain('nfacct');
    expect(stripped).toContain('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
    expect(stripped).toContain('--dport 30898 -j KUBE-EXT-X');
  });

  it('strips iptables-save timestamp comments', () => {
    expect(stripSaveComments('# Generated by iptables-save v1.8.9\n*nat\nCOMMIT\n# Completed on x')).toBe('*nat\nCOMMIT');
  });
});

describe('netns conntrack reading', () => {
  it('tells DNAT and SNAT apart from a conntrack entry', () => {
    const line =
      'tcp      6 117 TIME_WAIT src=172.18.0.100 dst=172.18.0.4 sport=51234 dport=30898 src=10.10.1.2 dst=172.18.0.4 sport=8080 dport=40001 [ASSURED] mark=0 use=1';
    const flow = parseConntrackLine(line, 'myk8s-control-plane')!;
    expect(flow.orig).toEqual({ src: '172.18.0.100', dst: '172.18.0.4', sport: 51234, dport: 30898 });
    expect(describeFlow(flow)).toBe(
      'DNAT 172.18.0.4:30898 to 10.10.1.2:8080, SNAT 172.18.0.100:51234 to 172.18.0.4:40001 on myk8s-control-plane (conntrack TIME_WAIT [ASSURED])',
    );
    const plain = parseConntrackLine('udp      17 29 src=10.10.1.2 dst=10.10.2.2 sport=40000 dport=53 [UNREPLIED] src=10.10.2.2 dst=10.10.1.2 sport=53 dport=40000 mark=0 use=1', 'n')!;
    expect(describeFlow(plain)).toBe('no NAT on n (conntrack [UNREPLIED])');
    expect(parseConntrackLine('conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.', 'n')).toBeUndefined();
  });
});
