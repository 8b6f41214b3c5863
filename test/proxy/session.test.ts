import { afterEach, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backends/proxy/index.js';
import { ProxyLab } from '../../src/backends/proxy/lab.js';
import type { ProxySession } from '../../src/backends/proxy/session.js';
import { requestOnce } from '../../src/backends/proxy/trafficClient.js';
import type { BackendSession } from '../../src/backends/backend.js';
import type { Observation } from '../../src/observe/observation.js';
import { CIP, MYPC, NODES, NPORT, PODS, UDP_NPORT, changeStep, context, lab004, nodeSource, scenarioOf, sendStep } from './fixtures.js';

let session: BackendSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

/**
 * The source a pod sees after SNAT on `ingress` (as MASQUERADE picks it): the node's pod gateway
 * when the answering pod runs on that node, the node's primary address otherwise.
 */
function snatSource(ingress: string, podNode: string | undefined): string {
  const node = NODES.find((n) => n.name === ingress)!;
  return podNode === ingress ? node.podCIDR.replace(/\.0\/24$/, '.1') : node.ip;
}

function observations(r: Awaited<ReturnType<BackendSession['send']>>): Observation[] {
  if ('unsupported' in r) throw new Error(`unexpected unsupported: ${r.unsupported}`);
  return r.observations;
}

describe('proxy backend on the seed 004 NodePort lab', () => {
  it('spreads NodePort traffic from every node over all pods, SNATed to the ingress node (its pod gateway toward its own pod)', async () => {
    const state = lab004();
    session = await createBackend().start(scenarioOf(state), context(7).ctx);
    for (const node of NODES) {
      const obs = observations(await session.send(sendStep(state, MYPC, { address: node.ip, port: NPORT }, 60)));
      expect(obs).toHaveLength(60);
      expect(obs.every((o) => o.outcome === 'ok')).toBe(true);
      expect(new Set(obs.map((o) => o.pod))).toEqual(new Set(PODS.map((p) => p.name)));
      for (const o of obs) expect(o.sourceSeen).toBe(snatSource(node.name, o.node));
      expect(obs.every((o) => o.ingressNode === node.name)).toBe(true);
      for (const o of obs) {
        const pod = PODS.find((p) => p.name === o.pod)!;
        expect(o.node).toBe(pod.node);
        expect(o.endpoint).toBe(`${pod.ip}:8080`);
      }
    }
  });

  it('SNATs to the pod gateway toward a pod on the SNAT node and to the node address toward other nodes, node-originated traffic too', async () => {
    const state = lab004();
    session = await createBackend().start(scenarioOf(state), context(11).ctx);
    const worker = NODES[1]; // myk8s-worker: runs deploy-echo-a, pod CIDR 10.10.2.0/24
    const sends = [
      sendStep(state, MYPC, { address: worker.ip, port: NPORT }, 60), // client -> NodePort on the worker
      sendStep(state, nodeSource(1), { address: worker.ip, port: NPORT }, 60), // the worker -> its own NodePort
      sendStep(state, nodeSource(1), { address: CIP, port: 9000 }, 60), // the worker -> ClusterIP
    ];
    for (const step of sends) {
      const obs = observations(await session.send(step));
      expect(obs.every((o) => o.outcome === 'ok')).toBe(true);
      const local = obs.filter((o) => o.node === worker.name);
      const remote = obs.filter((o) => o.node !== worker.name);
      expect(local.length).toBeGreaterThan(0);
      expect(remote.length).toBeGreaterThan(0);
      expect(new Set(local.map((o) => o.sourceSeen))).toEqual(new Set(['10.10.2.1']));
      expect(new Set(remote.map((o) => o.sourceSeen))).toEqual(new Set([worker.ip]));
    }
    // The control-plane node runs no pod: every pod sees its address, never its gateway 10.10.0.1.
    const fromCp = observations(await session.send(sendStep(state, MYPC, { address: NODES[0].ip, port: NPORT }, 30)));
    expect(new Set(fromCp.map((o) => o.sourceSeen))).toEqual(new Set([NODES[0].ip]));
  });

  it('a node reaching a pod directly: its own pod sees the pod gateway, another node\'s pod the node address', async () => {
    const state = lab004();
    session = await createBackend().start(scenarioOf(state), context(7).ctx);
    const worker = NODES[1];
    const own = PODS.find((p) => p.node === worker.name)!;
    const other = PODS.find((p) => p.node !== worker.name)!;
    const toOwn = observations(await session.send(sendStep(state, nodeSource(1), { address: own.ip, port: 8080 }, 5)));
    expect(toOwn.map((o) => [o.outcome, o.pod, o.sourceSeen])).toEqual(Array(5).fill(['ok', own.name, snatSource(worker.name, worker.name)]));
    const toOther = observations(await session.send(sendStep(state, nodeSource(1), { address: other.ip, port: 8080 }, 5)));
    expect(toOther.map((o) => [o.outcome, o.pod, o.sourceSeen])).toEqual(Array(5).fill(['ok', other.name, worker.ip]));
  });

  it('does not route the ClusterIP from outside, but nodes reach it', async () => {
    const state = lab004();
    session = await createBackend().start(scenarioOf(state), context().ctx);
    const outside = observations(await session.send(sendStep(state, MYPC, { address: CIP, port: 9000 }, 3, 300)));
    expect(outside.map((o) => o.outcome)).toEqual(['timeout', 'timeout', 'timeout']);
    const inside = observations(await session.send(sendStep(state, nodeSource(0), { address: CIP, port: 9000 }, 20)));
    expect(inside.every((o) => o.outcome === 'ok')).toBe(true);
    expect(new Set(inside.map((o) => o.sourceSeen))).toEqual(new Set([NODES[0].ip]));
  });

  it('routes the ClusterIP from a client that has a route via a node', async () => {
    const state = lab004({ clientRouteVia: NODES[1].ip });
    session = await createBackend().start(scenarioOf(state), context().ctx);
    const obs = observations(await session.send(sendStep(state, MYPC, { address: CIP, port: 9000 }, 10)));
    expect(obs.every((o) => o.outcome === 'ok' && o.ingressNode === NODES[1].name)).toBe(true);
    for (const o of obs) expect(o.sourceSeen).toBe(snatSource(NODES[1].name, o.node));
  });

  it('externalTrafficPolicy Local: drops on nodes without a local pod, keeps the client address elsewhere', async () => {
    const initial = lab004();
    const local = lab004({ etp: 'Local', pods: ['deploy-echo-a', 'deploy-echo-b'] });
    session = await createBackend().start(scenarioOf(initial, [local]), context().ctx);
    expect(await session.apply(changeStep(local))).toEqual({ applied: true });
    const cnode = observations(await session.send(sendStep(local, MYPC, { address: NODES[0].ip, port: NPORT }, 4, 300)));
    expect(cnode.map((o) => o.outcome)).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
    const worker3 = observations(await session.send(sendStep(local, MYPC, { address: NODES[3].ip, port: NPORT }, 2, 300)));
    expect(worker3.map((o) => o.outcome)).toEqual(['timeout', 'timeout']);
    const worker = observations(await session.send(sendStep(local, MYPC, { address: NODES[1].ip, port: NPORT }, 30)));
    expect(worker.every((o) => o.outcome === 'ok' && o.pod === 'deploy-echo-a' && o.sourceSeen === MYPC.address)).toBe(true);
    // A node sending to its own node port is masqueraded and may reach every endpoint.
    const fromNode = observations(await session.send(sendStep(local, nodeSource(0), { address: NODES[0].ip, port: NPORT }, 40)));
    expect(fromNode.every((o) => o.outcome === 'ok' && o.sourceSeen === NODES[0].ip)).toBe(true);
    expect(new Set(fromNode.map((o) => o.pod))).toEqual(new Set(['deploy-echo-a', 'deploy-echo-b']));
  });

  it('refuses when the service has no endpoints', async () => {
    const initial = lab004();
    const none = lab004({ pods: [] });
    session = await createBackend().start(scenarioOf(initial, [none]), context().ctx);
    await session.apply(changeStep(none));
    const obs = observations(await session.send(sendStep(none, MYPC, { address: NODES[1].ip, port: NPORT }, 3)));
    expect(obs.map((o) => o.outcome)).toEqual(['refused', 'refused', 'refused']);
    await session.apply(changeStep(initial));
    const back = observations(await session.send(sendStep(initial, MYPC, { address: NODES[1].ip, port: NPORT }, 3)));
    expect(back.map((o) => o.outcome)).toEqual(['ok', 'ok', 'ok']);
  });

  it('keeps a client on one pod with ClientIP affinity', async () => {
    const state = lab004({ affinity: true });
    session = await createBackend().start(scenarioOf(state), context(3).ctx);
    const obs = observations(await session.send(sendStep(state, MYPC, { address: NODES[2].ip, port: NPORT }, 30)));
    expect(obs.every((o) => o.outcome === 'ok')).toBe(true);
    expect(new Set(obs.map((o) => o.pod)).size).toBe(1);
  });

  it('answers unsupported for SCTP instead of faking it', async () => {
    const state = lab004();
    session = await createBackend().start(scenarioOf(state), context().ctx);
    const sctp = { ...sendStep(state, MYPC, { address: NODES[1].ip, port: NPORT }, 1) };
    sctp.traffic = { ...sctp.traffic, protocol: 'SCTP' };
    expect(await session.send(sctp)).toMatchObject({ unsupported: expect.stringContaining('SCTP') });
  });

  it('proxies UDP: node port with SNAT, ClusterIP from a pod, timeout on an undeclared port, refused without endpoints', async () => {
    const state = lab004({ udp: true });
    const none = lab004({ udp: true, pods: [] });
    session = await createBackend().start(scenarioOf(state, [none]), context(5).ctx);
    const np = observations(await session.send(sendStep(state, MYPC, { address: NODES[0].ip, port: UDP_NPORT }, 60, 10_000, 'UDP')));
    expect(np.every((o) => o.outcome === 'ok' && o.sourceSeen === NODES[0].ip && o.endpoint?.endsWith(':8081'))).toBe(true);
    expect(new Set(np.map((o) => o.pod))).toEqual(new Set(PODS.map((p) => p.name)));
    const pod = PODS[1];
    const fromPod = { kind: 'pod' as const, name: pod.name, address: pod.ip, node: pod.node };
    const cip = observations(await session.send(sendStep(state, fromPod, { address: CIP, port: 53 }, 20, 10_000, 'UDP')));
    expect(cip.every((o) => o.outcome === 'ok')).toBe(true);
    expect(cip.filter((o) => o.pod !== pod.name).every((o) => o.sourceSeen === pod.ip)).toBe(true);
    const undeclared = observations(await session.send(sendStep(state, fromPod, { address: CIP, port: 9000 }, 2, 300, 'UDP')));
    expect(undeclared.map((o) => o.outcome)).toEqual(['timeout', 'timeout']);
    await session.apply(changeStep(none));
    const refused = observations(await session.send(sendStep(none, MYPC, { address: NODES[0].ip, port: UDP_NPORT }, 2, 2000, 'UDP')));
    expect(refused.map((o) => o.outcome)).toEqual(['refused', 'refused']);
  });

  it('masquerades hairpin traffic to the pod gateway; other pods see the pod itself', async () => {
    const state = lab004();
    session = await createBackend().start(scenarioOf(state), context(9).ctx);
    const pod = PODS[0];
    const obs = observations(await session.send(sendStep(state, { kind: 'pod', name: pod.name, address: pod.ip, node: pod.node }, { address: CIP, port: 9000 }, 60)));
    expect(obs.every((o) => o.outcome === 'ok')).toBe(true);
    const self = obs.filter((o) => o.pod === pod.name);
    const others = obs.filter((o) => o.pod !== pod.name);
    expect(self.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    expect(new Set(self.map((o) => o.sourceSeen))).toEqual(new Set(['10.10.2.1']));
    expect(new Set(others.map((o) => o.sourceSeen))).toEqual(new Set([pod.ip]));
  });

  it('stops everything on close, so the addresses are free again', async () => {
    const lab = await ProxyLab.start(lab004(), { seed: 1 });
    const from = lab.map.loopback(MYPC.address);
    const host = lab.map.loopback(NODES[1].ip);
    const pod = lab.map.loopback(PODS[0].ip);
    expect((await requestOnce({ host, port: NPORT, localAddress: from, timeoutMs: 30_000 })).outcome).toBe('ok');
    await lab.close();
    await lab.close();
    expect((await requestOnce({ host, port: NPORT, localAddress: from, timeoutMs: 30_000 })).outcome).toBe('refused');
    expect((await requestOnce({ host: pod, port: 8080, localAddress: from, timeoutMs: 30_000 })).outcome).toBe('refused');
  });
  it('stops everything when the run is aborted (Ctrl-C)', async () => {
    const state = lab004();
    const { ctx, abort } = context();
    const s = (await createBackend().start(scenarioOf(state), ctx)) as ProxySession;
    const target = { host: s.addressMap.loopback(NODES[1].ip), port: NPORT, localAddress: s.addressMap.loopback(MYPC.address), timeoutMs: 30_000 };
    expect((await requestOnce(target)).outcome).toBe('ok');
    abort.abort(new Error('interrupted'));
    await expect(s.send(sendStep(state, MYPC, { address: NODES[1].ip, port: NPORT }, 1))).rejects.toThrow('interrupted');
    await s.close();
    expect((await requestOnce(target)).outcome).toBe('refused');
  });
  it('times out on a ClusterIP port the service does not declare, refuses on a node port nobody serves', async () => {
    const state = lab004();
    session = await createBackend().start(scenarioOf(state), context().ctx);
    const wrongPort = observations(await session.send(sendStep(state, nodeSource(0), { address: CIP, port: 443 }, 2, 300)));
    expect(wrongPort.map((o) => o.outcome)).toEqual(['timeout', 'timeout']);
    const nodeOther = observations(await session.send(sendStep(state, MYPC, { address: NODES[1].ip, port: 9000 }, 2)));
    expect(nodeOther.map((o) => o.outcome)).toEqual(['refused', 'refused']);
  });

  it("reaches a node's 127.0.0.1 node port from that node, masqueraded to the node", async () => {
    const state = lab004();
    session = await createBackend().start(scenarioOf(state), context().ctx);
    const obs = observations(await session.send(sendStep(state, nodeSource(0), { address: '127.0.0.1', port: NPORT }, 20)));
    expect(obs.every((o) => o.outcome === 'ok' && o.sourceSeen === NODES[0].ip)).toBe(true);
    expect(await session.send(sendStep(state, MYPC, { address: '127.0.0.1', port: NPORT }, 1))).toMatchObject({ unsupported: expect.stringContaining('loopback') });
  });
  it('lets a replacement pod take over the address of a deleted pod', async () => {
    const initial = lab004();
    const replaced = lab004();
    replaced.pods = replaced.pods.map((p) => (p.name === 'deploy-echo-c' ? { ...p, name: 'deploy-echo-d' } : p));
    replaced.endpointSlices[0].endpoints = replaced.endpointSlices[0].endpoints.map((e) => (e.pod === 'deploy-echo-c' ? { ...e, pod: 'deploy-echo-d' } : e));
    session = await createBackend().start(scenarioOf(initial, [replaced]), context().ctx);
    expect(await session.apply(changeStep(replaced))).toEqual({ applied: true });
    const obs = observations(await session.send(sendStep(replaced, MYPC, { address: NODES[3].ip, port: NPORT }, 60)));
    expect(new Set(obs.map((o) => o.pod))).toEqual(new Set(['deploy-echo-a', 'deploy-echo-b', 'deploy-echo-d']));
    expect(obs[0].trace?.[0]).toMatchObject({ node: NODES[3].name, table: 'proxy' });
  });
});

describe('proxy backend: an endpoint address where nothing is (issue 14)', () => {
  it('times out, as the kernel does (the SYN goes unanswered), instead of a reset', async () => {
    const state = lab004();
    // One endpoint, at an address in the worker's pod CIDR where no pod runs.
    const slice = state.endpointSlices[0]!;
    slice.endpoints = [{ ...slice.endpoints[0]!, addresses: ['10.10.1.99'], pod: undefined }];
    session = await createBackend().start(scenarioOf(state), context().ctx);
    const obs = observations(await session.send(sendStep(state, nodeSource(0), { address: CIP, port: 9000 }, 2, 400)));
    expect(obs.map((o) => o.outcome)).toEqual(['timeout', 'timeout']);
  });
});

describe('proxy backend: ingress node of traffic a node sends (issue 14)', () => {
  it('reports the sending node as the ingress node, so sourceSeen: ingress-node can be checked', async () => {
    const state = lab004();
    session = await createBackend().start(scenarioOf(state), context().ctx);
    const obs = observations(await session.send(sendStep(state, nodeSource(0), { address: CIP, port: 9000 }, 6)));
    expect(obs.every((o) => o.outcome === 'ok')).toBe(true);
    expect(new Set(obs.map((o) => o.ingressNode))).toEqual(new Set([NODES[0].name]));
    expect(new Set(obs.map((o) => o.sourceSeen))).toEqual(new Set([NODES[0].ip]));
  });
});
