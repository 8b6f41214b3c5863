import { describe, expect, it } from 'vitest';
import { CLUSTER_IP, NODE_PORT, NODES, seed004 } from './seed004.js';
import { mypc, nodeSrc, sendStep, startSim } from './helpers.js';
import type { Observation } from '../../src/observe/observation.js';

function observationsOf(r: Awaited<ReturnType<Awaited<ReturnType<typeof startSim>>['send']>>): Observation[] {
  if ('unsupported' in r) throw new Error(r.unsupported);
  return r.observations;
}

const gateway = (cidr: string) => cidr.replace(/0\/24$/, '1');

describe('seed 004: NodePort, externalTrafficPolicy Cluster', () => {
  const state = seed004();
  it.each(NODES.map((n) => [n.name, n.ip, n.cidr]))('%s answers from every pod, SNATed to the ingress node', async (name, ip, cidr) => {
    const session = await startSim(state, 7);
    const result = await session.send(sendStep(state, mypc, ip, NODE_PORT, 120));
    const obs = observationsOf(result);
    expect(obs.every((o) => o.outcome === 'ok')).toBe(true);
    expect(new Set(obs.map((o) => o.pod))).toEqual(new Set(['deploy-echo-0', 'deploy-echo-1', 'deploy-echo-2']));
    expect(obs.every((o) => o.ingressNode === name)).toBe(true);
    // MASQUERADE picks the outgoing interface's address: the node IP toward another node, the
    // pod-CIDR gateway toward a pod on the ingress node itself.
    for (const o of obs) expect(o.sourceSeen).toBe(o.node === name ? gateway(cidr) : ip);
    if (!('unsupported' in result)) {
      expect(result.exact?.verdict).toBe('ok');
      const probs = result.exact!.endpoints.map((e) => e.probability);
      expect(probs).toHaveLength(3);
      for (const p of probs) expect(p).toBeCloseTo(1 / 3, 9);
    }
  });

  it('ClusterIP answers from a node and times out from the outside client', async () => {
    const session = await startSim(state);
    const fromNode = observationsOf(await session.send(sendStep(state, nodeSrc('myk8s-control-plane', '172.18.0.4'), CLUSTER_IP, 9000, 20)));
    expect(fromNode.every((o) => o.outcome === 'ok')).toBe(true);
    // The node's own source is not in the cluster CIDR: masqueraded to the node's address.
    expect(fromNode.every((o) => o.sourceSeen === '172.18.0.4')).toBe(true);
    const fromPc = observationsOf(await session.send(sendStep(state, mypc, CLUSTER_IP, 9000, 10)));
    expect(fromPc.every((o) => o.outcome === 'timeout')).toBe(true);
    expect(fromPc[0]!.detail).toMatch(/no route/);
  });

  it('a static route to the service CIDR makes the ClusterIP reachable from outside (SNATed)', async () => {
    const routed = seed004({ routes: [{ to: '10.200.1.0/24', via: '172.18.0.4' }] });
    const session = await startSim(routed);
    const obs = observationsOf(await session.send(sendStep(routed, mypc, CLUSTER_IP, 9000, 30)));
    expect(obs.every((o) => o.outcome === 'ok' && o.sourceSeen === '172.18.0.4' && o.ingressNode === 'myk8s-control-plane')).toBe(true);
  });

  it('the three endpoints are chained as 1/3, 1/2, rest', async () => {
    const session = await startSim(state);
    const obs = observationsOf(await session.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 60)));
    // Paths are kept for the first request of each answer (the sample reports show), not for every request.
    const probs = new Set(obs.flatMap((o) => o.trace ?? []).flatMap((h) => /--probability (\S+)/.exec(h.rule ?? '')?.[1] ?? []));
    expect(probs).toEqual(new Set(['0.3333333333', '0.5000000000']));
  });
});

describe('seed 004: externalTrafficPolicy Local with 2 replicas', () => {
  const state = seed004({ etp: 'Local', podNodes: ['myk8s-worker', 'myk8s-worker2'] });
  it('the pod-less control-plane node times out (DROP, not REJECT)', async () => {
    const session = await startSim(state);
    const obs = observationsOf(await session.send(sendStep(state, mypc, '172.18.0.4', NODE_PORT, 20)));
    expect(obs.every((o) => o.outcome === 'timeout')).toBe(true);
    expect(obs[0]!.detail).toMatch(/dropped in filter/);
    expect(obs[0]!.trace!.some((h) => h.note === 'verdict DROP' && h.rule?.includes('has no local endpoints'))).toBe(true);
  });
  it('a node with a pod answers from its own pod and the pod sees the client address', async () => {
    const session = await startSim(state);
    const obs = observationsOf(await session.send(sendStep(state, mypc, '172.18.0.5', NODE_PORT, 40)));
    expect(obs.every((o) => o.outcome === 'ok' && o.pod === 'deploy-echo-0' && o.sourceSeen === '172.18.0.100')).toBe(true);
  });
  it('from a node, every endpoint is used and the source is masqueraded', async () => {
    const session = await startSim(state);
    const obs = observationsOf(await session.send(sendStep(state, nodeSrc('myk8s-control-plane', '172.18.0.4'), '172.18.0.4', NODE_PORT, 60)));
    expect(obs.every((o) => o.outcome === 'ok')).toBe(true);
    expect(new Set(obs.map((o) => o.pod)).size).toBe(2);
    expect(obs.every((o) => o.sourceSeen === '172.18.0.4')).toBe(true);
  });
});

describe('determinism', () => {
  const state = seed004();
  const run = async (seed: number) => {
    const s = await startSim(state, seed);
    return observationsOf(await s.send(sendStep(state, mypc, '172.18.0.3', NODE_PORT, 60))).map((o) => o.pod);
  };
  it('the same seed gives the same observations', async () => {
    expect(await run(42)).toEqual(await run(42));
  });
  it('another seed gives another sequence', async () => {
    expect(await run(42)).not.toEqual(await run(43));
  });
});
