import { describe, expect, it } from 'vitest';
import { decide, desiredListeners, type AffinityTable, type ListenerRoute } from '../../src/backends/proxy/routing.js';
import type { DesiredServicePort, DesiredState } from '../../src/backends/proxy/desiredState.js';
import { seededRng } from '../../src/backends/proxy/rng.js';

const ep = (address: string, node: string, ready = true) => ({ address, port: 8080, node, ready, serving: ready, terminating: false });

function svc(over: Partial<DesiredServicePort> = {}): DesiredServicePort {
  return {
    key: 'default/web:',
    clusterIP: '127.9.150.1',
    port: 80,
    nodePort: 30000,
    externalIPs: [],
    loadBalancerIPs: [],
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    endpoints: [ep('127.9.20.1', 'n1'), ep('127.9.20.2', 'n2')],
    ...over,
  };
}

function state(node: string, s: DesiredServicePort, extra: Partial<DesiredState> = {}): DesiredState {
  return {
    node,
    nodes: [
      { name: 'n1', addresses: ['127.9.1.1'] },
      { name: 'n2', addresses: ['127.9.1.2'] },
      { name: 'n3', addresses: ['127.9.1.3'] },
    ],
    pods: [
      { address: '127.9.20.1', node: 'n1' },
      { address: '127.9.20.2', node: 'n2' },
      { address: '127.9.20.9', node: 'n3' },
    ],
    vipOwner: true,
    vipRoutes: [],
    masqueradeAll: false,
    services: [s],
    ...extra,
  };
}

const CLIENT = '127.9.10.1';
const nodePort = (address: string): ListenerRoute => ({ serviceKey: 'default/web:', kind: 'nodePort', address, port: 30000, protocol: 'TCP' });
const clusterIP: ListenerRoute = { serviceKey: 'default/web:', kind: 'clusterIP', address: '127.9.150.1', port: 80, protocol: 'TCP' };

function run(st: DesiredState, route: ListenerRoute, source: string, table: AffinityTable = new Map(), now = 0) {
  return decide(st, st.services[0], route, source, seededRng(1), table, now);
}

describe('proxy routing decisions (kube-proxy iptables semantics)', () => {
  it('eTP Cluster: any endpoint, source SNATed to the ingress node', () => {
    const d = run(state('n3', svc()), nodePort('127.9.1.3'), CLIENT);
    expect(d).toMatchObject({ kind: 'forward', node: 'n3', from: '127.9.1.3', snat: true });
  });

  it('eTP Local: only local endpoints, client address kept; none local -> drop', () => {
    const s = svc({ externalTrafficPolicy: 'Local' });
    expect(run(state('n2', s), nodePort('127.9.1.2'), CLIENT)).toMatchObject({ kind: 'forward', endpoint: { address: '127.9.20.2' }, from: CLIENT, snat: false });
    expect(run(state('n3', s), nodePort('127.9.1.3'), CLIENT)).toMatchObject({ kind: 'drop' });
  });

  it('eTP Local: pod traffic and the node itself still reach every endpoint', () => {
    const s = svc({ externalTrafficPolicy: 'Local' });
    expect(run(state('n3', s), nodePort('127.9.1.3'), '127.9.20.9')).toMatchObject({ kind: 'forward', from: '127.9.20.9', snat: false });
    expect(run(state('n3', s), nodePort('127.9.1.3'), '127.9.1.3')).toMatchObject({ kind: 'forward', from: '127.9.1.3', snat: true });
  });

  it('SNAT source: the pod gateway toward an endpoint on the SNAT node, the node address toward another node', () => {
    const gw = { nodes: [
      { name: 'n1', addresses: ['127.9.1.1'], podGateway: '127.9.1.11' },
      { name: 'n2', addresses: ['127.9.1.2'], podGateway: '127.9.1.12' },
      { name: 'n3', addresses: ['127.9.1.3'], podGateway: '127.9.1.13' },
    ] };
    const pick = (s: DesiredServicePort, node: string, route: ListenerRoute, source: string) => run(state(node, s, gw), route, source);
    const onN1 = svc({ endpoints: [ep('127.9.20.1', 'n1')] });
    const onN2 = svc({ endpoints: [ep('127.9.20.2', 'n2')] });
    // A client's NodePort connection (eTP Cluster).
    expect(pick(onN1, 'n1', nodePort('127.9.1.1'), CLIENT)).toMatchObject({ kind: 'forward', from: '127.9.1.11', snat: true });
    expect(pick(onN2, 'n1', nodePort('127.9.1.1'), CLIENT)).toMatchObject({ kind: 'forward', from: '127.9.1.1', snat: true });
    // The node itself: to its own NodePort, eTP Local too, and to a ClusterIP.
    expect(pick(onN1, 'n1', nodePort('127.9.1.1'), '127.9.1.1')).toMatchObject({ from: '127.9.1.11', snat: true });
    expect(pick(svc({ externalTrafficPolicy: 'Local', endpoints: [ep('127.9.20.1', 'n1')] }), 'n1', nodePort('127.9.1.1'), '127.9.1.1')).toMatchObject({ from: '127.9.1.11' });
    expect(pick(onN1, 'n3', clusterIP, '127.9.1.1')).toMatchObject({ node: 'n1', from: '127.9.1.11', snat: true });
    expect(pick(onN2, 'n3', clusterIP, '127.9.1.1')).toMatchObject({ node: 'n1', from: '127.9.1.1', snat: true });
    // masqueradeAll: a pod's connection to a pod on its own node leaves through the bridge as well.
    expect(run(state('n1', onN1, { ...gw, masqueradeAll: true }), clusterIP, '127.9.20.9')).toMatchObject({ node: 'n3', from: '127.9.1.3' });
    const podOnN3 = svc({ endpoints: [ep('127.9.20.7', 'n3')] });
    expect(run(state('n1', podOnN3, { ...gw, masqueradeAll: true }), clusterIP, '127.9.20.9')).toMatchObject({ node: 'n3', from: '127.9.1.13' });
    // An endpoint without a node name is placed by the pod owning its address.
    const unnamed = svc({ endpoints: [{ ...ep('127.9.20.2', ''), node: '' }] });
    expect(pick(unnamed, 'n2', nodePort('127.9.1.2'), CLIENT)).toMatchObject({ from: '127.9.1.12' });
    expect(pick(unnamed, 'n1', nodePort('127.9.1.1'), CLIENT)).toMatchObject({ from: '127.9.1.1' });
    // Not SNATed: the client address is kept whatever the endpoint's node.
    expect(pick(svc({ externalTrafficPolicy: 'Local', endpoints: [ep('127.9.20.1', 'n1')] }), 'n1', nodePort('127.9.1.1'), CLIENT)).toMatchObject({ from: CLIENT, snat: false });
  });

  it('ClusterIP: not routed from an external client, SNAT from nodes, pod source kept', () => {
    expect(run(state('n1', svc()), clusterIP, CLIENT)).toMatchObject({ kind: 'drop' });
    expect(run(state('n1', svc()), clusterIP, '127.9.1.2')).toMatchObject({ kind: 'forward', node: 'n2', from: '127.9.1.2', snat: true });
    expect(run(state('n1', svc()), clusterIP, '127.9.20.9')).toMatchObject({ kind: 'forward', node: 'n3', from: '127.9.20.9', snat: false });
    const routed = state('n1', svc(), { vipRoutes: [{ source: CLIENT, vip: '127.9.150.1', viaNode: 'n2' }] });
    expect(run(routed, clusterIP, CLIENT)).toMatchObject({ kind: 'forward', node: 'n2', from: '127.9.1.2' });
  });

  it('internalTrafficPolicy Local: only the source node endpoints, drop when none', () => {
    const s = svc({ internalTrafficPolicy: 'Local' });
    expect(run(state('n1', s), clusterIP, '127.9.1.2')).toMatchObject({ kind: 'forward', endpoint: { address: '127.9.20.2' } });
    expect(run(state('n1', s), clusterIP, '127.9.20.9')).toMatchObject({ kind: 'drop' });
  });

  it('no ready endpoint: rejected and no listener; serving-terminating endpoints are the fallback', () => {
    const none = svc({ endpoints: [ep('127.9.20.1', 'n1', false)] });
    expect(run(state('n1', none), nodePort('127.9.1.1'), CLIENT)).toMatchObject({ kind: 'reject' });
    expect(desiredListeners(state('n1', none)).size).toBe(0);
    const terminating = svc({ endpoints: [{ ...ep('127.9.20.1', 'n1', false), serving: true, terminating: true }] });
    expect(run(state('n1', terminating), nodePort('127.9.1.1'), CLIENT)).toMatchObject({ kind: 'forward', endpoint: { address: '127.9.20.1' } });
  });

  it('ClientIP affinity sticks until the timeout, then picks again', () => {
    const s = svc({ affinityTimeoutSeconds: 10, endpoints: [ep('127.9.20.1', 'n1'), ep('127.9.20.2', 'n2'), ep('127.9.20.3', 'n2')] });
    const st = state('n1', s);
    const table: AffinityTable = new Map();
    const rng = seededRng(42);
    const first = decide(st, s, nodePort('127.9.1.1'), CLIENT, rng, table, 0);
    const picks = new Set<string>();
    for (let t = 0; t <= 10_000; t += 500) {
      const d = decide(st, s, nodePort('127.9.1.1'), CLIENT, rng, table, t);
      if (d.kind === 'forward') picks.add(d.endpoint.address);
    }
    if (first.kind !== 'forward') throw new Error(`expected forward, got ${first.kind}`);
    expect(picks).toEqual(new Set([first.endpoint.address]));
    // After more than the timeout without use, the entry has expired; over many clients all endpoints are used.
    const spread = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const d = decide(st, s, nodePort('127.9.1.1'), CLIENT, rng, table, 100_000 + i * 20_000);
      if (d.kind === 'forward') spread.add(d.endpoint.address);
    }
    expect(spread.size).toBe(3);
  });

  it('listeners: UDP ports get their own sockets beside TCP ones on the same address:port', () => {
    const st = state('n1', svc());
    st.services.push(svc({ key: 'default/web:dns', protocol: 'UDP' }));
    expect([...desiredListeners(st).keys()].sort()).toEqual(['127.9.1.1:30000', '127.9.150.1:80', 'udp:127.9.1.1:30000', 'udp:127.9.150.1:80']);
  });

  it('listeners: node ports on every daemon, VIPs only on the owner', () => {
    const s = svc({ externalIPs: ['127.9.220.1'] });
    expect([...desiredListeners(state('n1', s)).keys()].sort()).toEqual(['127.9.1.1:30000', '127.9.150.1:80', '127.9.220.1:80']);
    expect([...desiredListeners(state('n2', s, { vipOwner: false })).keys()]).toEqual(['127.9.1.2:30000']);
  });
  it('loadBalancerSourceRanges: LB IP traffic from other sources is dropped; an external IP that is a node address enters that node', () => {
    const s = svc({ loadBalancerIPs: ['127.9.220.5'], loadBalancerAllowedSources: [CLIENT], externalIPs: ['127.9.1.2'] });
    const st = state('n1', s, { vipRoutes: [{ source: CLIENT, vip: '127.9.220.5', viaNode: 'n2' }, { source: '127.9.10.2', vip: '127.9.220.5', viaNode: 'n2' }] });
    const lb: ListenerRoute = { serviceKey: 'default/web:', kind: 'loadBalancer', address: '127.9.220.5', port: 80, protocol: 'TCP' };
    expect(run(st, lb, CLIENT)).toMatchObject({ kind: 'forward', node: 'n2' });
    expect(run(st, lb, '127.9.10.2')).toMatchObject({ kind: 'drop' });
    const ext: ListenerRoute = { serviceKey: 'default/web:', kind: 'externalIP', address: '127.9.1.2', port: 80, protocol: 'TCP' };
    expect(run(st, ext, '127.9.10.2')).toMatchObject({ kind: 'forward', node: 'n2', from: '127.9.1.2' });
  });
});
