import { describe, expect, it } from 'vitest';
import type { Observation, SendResult } from '../../src/observe/observation.js';
import type { ClusterState } from '../../src/model/types.js';
import { CLUSTER_IP, NODE_PORT, seed004 } from './seed004.js';
import { changeStep, mypc, nodeSrc, sendStep, startSim } from './helpers.js';

function obsOf(r: SendResult): Observation[] {
  if ('unsupported' in r) throw new Error(r.unsupported);
  return r.observations;
}
const podSrc = (state: ClusterState, name: string) => {
  const p = state.pods.find((x) => x.name === name)!;
  return { kind: 'pod' as const, name, address: p.ip, node: p.node };
};

describe('pods as clients', () => {
  const state = seed004();
  it('pod to ClusterIP keeps the pod address (no SNAT) and reaches every endpoint', async () => {
    const s = await startSim(state);
    const obs = obsOf(await s.send(sendStep(state, podSrc(state, 'deploy-echo-0'), CLUSTER_IP, 9000, 90)));
    expect(obs.every((o) => o.outcome === 'ok')).toBe(true);
    expect(new Set(obs.map((o) => o.pod)).size).toBe(3);
    // Hairpin: a pod landing on itself is masqueraded to its node's gateway address.
    for (const o of obs) expect(o.sourceSeen).toBe(o.pod === 'deploy-echo-0' ? '10.10.1.1' : '10.10.1.10');
    expect(obs.every((o) => o.ingressNode === 'myk8s-worker')).toBe(true);
  });
  it('a node reaching a pod directly leaves by the pod bridge for its own pods, by its node address for others', async () => {
    const s = await startSim(state);
    const own = state.pods.find((p) => p.node === 'myk8s-worker')!;
    const other = state.pods.find((p) => p.node !== 'myk8s-worker')!;
    const worker = state.cluster.nodes.find((n) => n.name === 'myk8s-worker')!;
    const toOwn = obsOf(await s.send(sendStep(state, nodeSrc(worker.name, worker.addresses[0]), own.ip, 8080, 3)));
    expect(toOwn.map((o) => [o.outcome, o.pod, o.sourceSeen])).toEqual(Array(3).fill(['ok', own.name, '10.10.1.1']));
    const toOther = obsOf(await s.send(sendStep(state, nodeSrc(worker.name, worker.addresses[0]), other.ip, 8080, 3)));
    expect(toOther.map((o) => [o.outcome, o.pod, o.sourceSeen])).toEqual(Array(3).fill(['ok', other.name, worker.addresses[0]]));
  });

  it('a port the service does not expose is not intercepted and goes nowhere', async () => {
    const s = await startSim(state);
    const obs = obsOf(await s.send(sendStep(state, podSrc(state, 'deploy-echo-0'), CLUSTER_IP, 9999, 3)));
    expect(obs.every((o) => o.outcome === 'timeout')).toBe(true);
  });
});

describe('delivery outcomes', () => {
  it('a pod that does not serve the target port refuses', async () => {
    const state = seed004();
    for (const p of state.pods) p.ports = [{ containerPort: 9999, protocol: 'TCP' }];
    const s = await startSim(state);
    const obs = obsOf(await s.send(sendStep(state, mypc, '172.18.0.5', NODE_PORT, 5)));
    expect(obs.every((o) => o.outcome === 'refused' && /does not serve/.test(o.detail ?? ''))).toBe(true);
  });
  it('a service without endpoints is rejected: refused, not a timeout', async () => {
    const state = seed004();
    state.endpointSlices[0]!.endpoints = [];
    const s = await startSim(state);
    const obs = obsOf(await s.send(sendStep(state, mypc, '172.18.0.5', NODE_PORT, 3)));
    expect(obs.every((o) => o.outcome === 'refused' && /rejected in filter INPUT/.test(o.detail ?? ''))).toBe(true);
    const fromNode = obsOf(await s.send(sendStep(state, nodeSrc('myk8s-worker', '172.18.0.5'), CLUSTER_IP, 9000, 3)));
    expect(fromNode.every((o) => o.outcome === 'refused')).toBe(true);
  });
  it('a node port nobody listens on (no rule for it) is refused by the node', async () => {
    const state = seed004();
    const s = await startSim(state);
    const obs = obsOf(await s.send(sendStep(state, mypc, '172.18.0.5', 31999, 2)));
    expect(obs.every((o) => o.outcome === 'refused' && /nothing listens/.test(o.detail ?? ''))).toBe(true);
  });
});

describe('LoadBalancer delivery', () => {
  it('the cloud LB only sends to nodes with a local endpoint under eTP=Local; the pod sees the client', async () => {
    const state = seed004({ type: 'LoadBalancer', etp: 'Local', lbIP: '198.51.100.10', podNodes: ['myk8s-worker', 'myk8s-worker2'] });
    const s = await startSim(state, 3);
    const r = await s.send(sendStep(state, mypc, '198.51.100.10', 9000, 80));
    const obs = obsOf(r);
    expect(obs.every((o) => o.outcome === 'ok' && o.sourceSeen === '172.18.0.100')).toBe(true);
    expect(new Set(obs.map((o) => o.ingressNode))).toEqual(new Set(['myk8s-worker', 'myk8s-worker2']));
    for (const o of obs) expect(o.node).toBe(o.ingressNode);
    if ('unsupported' in r) throw new Error();
    expect(r.exact!.endpoints.map((e) => e.probability)).toEqual([0.5, 0.5]);
  });
  it('under eTP=Cluster every node is a backend and traffic is SNATed', async () => {
    const state = seed004({ type: 'LoadBalancer', lbIP: '198.51.100.10' });
    const s = await startSim(state, 3);
    const obs = obsOf(await s.send(sendStep(state, mypc, '198.51.100.10', 9000, 120)));
    expect(new Set(obs.map((o) => o.ingressNode)).size).toBe(4);
    expect(obs.every((o) => o.outcome === 'ok' && o.sourceSeen !== '172.18.0.100')).toBe(true);
  });
});

describe('session affinity and state across steps', () => {
  it('ClientIP affinity pins a client to one endpoint per node across requests and steps', async () => {
    const state = seed004({ affinity: true });
    const s = await startSim(state, 11);
    const first = obsOf(await s.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 30)));
    expect(new Set(first.map((o) => o.pod)).size).toBe(1);
    await s.apply(changeStep(state));
    const later = obsOf(await s.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 10)));
    expect(new Set(later.map((o) => o.pod))).toEqual(new Set(first.map((o) => o.pod)));
  });
  it('a change that removes endpoints is applied; traffic only reaches the remaining pods', async () => {
    const state = seed004();
    const s = await startSim(state);
    const smaller = seed004({ podNodes: ['myk8s-worker'] });
    await s.apply(changeStep(smaller));
    const obs = obsOf(await s.send(sendStep(smaller, mypc, '172.18.0.4', NODE_PORT, 20)));
    expect(new Set(obs.map((o) => o.pod))).toEqual(new Set(['deploy-echo-0']));
  });
  it('UDP conntrack entries to removed endpoints are cleared, others kept', async () => {
    const udp = (st: ClusterState) => {
      st.services[0]!.ports[0]!.protocol = 'UDP';
      st.endpointSlices[0]!.ports[0]!.protocol = 'UDP';
      for (const p of st.pods) p.ports = [{ containerPort: 8080, protocol: 'UDP' }];
      return st;
    };
    const state = udp(seed004());
    const s = await startSim(state);
    const obs = obsOf(await s.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 30, 'UDP')));
    expect(obs.every((o) => o.outcome === 'ok')).toBe(true);
    const session = s as unknown as { net: { host(n: string): { conntrack: { entries(): { reply: { src: number } }[] } } } };
    const ct = () => session.net.host('myk8s-control-plane').conntrack.entries();
    const before = ct().length;
    expect(before).toBeGreaterThan(0);
    const removedIp = ((10 << 24) | (10 << 16) | (3 << 8) | 12) >>> 0; // 10.10.3.12, deploy-echo-2
    expect(ct().some((e) => e.reply.src === removedIp)).toBe(true);
    await s.apply(changeStep(udp(seed004({ podNodes: ['myk8s-worker', 'myk8s-worker2'] }))));
    expect(ct().some((e) => e.reply.src === removedIp)).toBe(false);
    expect(ct().length).toBeGreaterThan(0);
  });
});

describe('exact mode', () => {
  it('reports the product of the statistic probabilities per endpoint without changing state', async () => {
    const state = seed004({ podNodes: ['myk8s-worker', 'myk8s-worker2', 'myk8s-worker3', 'myk8s-worker'] });
    state.pods[3]!.name = 'deploy-echo-3';
    state.pods[3]!.ip = '10.10.1.20';
    state.endpointSlices[0]!.endpoints[3]!.addresses = ['10.10.1.20'];
    state.endpointSlices[0]!.endpoints[3]!.pod = 'deploy-echo-3';
    const s = await startSim(state);
    const r = await s.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 1));
    if ('unsupported' in r) throw new Error();
    const probs = r.exact!.endpoints.map((e) => e.probability);
    expect(probs).toHaveLength(4);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // Sorted by "ip:port": 10.10.1.10 (p=0.25), 10.10.1.20 (0.75*1/3), 10.10.2.11 (0.75*2/3*0.5), 10.10.3.12 (rest).
    expect(probs[0]).toBeCloseTo(0.25, 12);
    expect(probs[1]).toBeCloseTo(0.75 * 0.3333333333, 12);
  });
});

describe('kube-proxy modes', () => {
  it('a scenario in nftables mode walks kube-proxy nftables rules, never iptables ones', async () => {
    const state = seed004();
    state.cluster.kubeProxy.mode = 'nftables';
    const s = await startSim(state);
    const r = await s.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 1));
    if ('unsupported' in r) throw new Error(r.unsupported);
    expect(r.observations[0]!.outcome).toBe('ok');
    const chains = r.observations[0]!.trace!.map((h) => h.chain).filter(Boolean);
    expect(chains).toContain('services');
    expect(chains.some((c) => c!.startsWith('KUBE-'))).toBe(false);
  });

  it('a scenario in ipvs mode is reported unsupported with the reason', async () => {
    const state = seed004();
    state.cluster.kubeProxy.mode = 'ipvs';
    const s = await startSim(state);
    const r = await s.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 1));
    expect(r).toEqual({ unsupported: expect.stringMatching(/ipvs mode \(ipvs is deprecated upstream/) });
  });
});
