/**
 * The whole kind session against a fake cluster that answers the exact command lines with the
 * real tools' output shapes: what gets created, how scenario names and addresses come back, and
 * that everything is cleaned up (also when a step fails or the run is aborted).
 */
import { describe, expect, it, vi } from 'vitest';
import { createKindBackend } from '../../src/backends/kind/index.js';
import type { BackendContext } from '../../src/backends/backend.js';
import type { SendStep } from '../../src/model/scenario.js';
import { checkExpectation } from '../../src/assertions/index.js';
import { FakeKind } from './fakeCluster.js';
import { join } from 'node:path';
import { loadScenarioFile } from '../../src/dsl/load.js';
import { repo, seed004 } from './helpers.js';

function ctx(signal = new AbortController().signal): BackendContext & { lines: string[] } {
  const lines: string[] = [];
  return { seed: 1, signal, log: (m) => lines.push(m), lines };
}

describe('kind session on a fake cluster (seed 004)', () => {
  it('creates a cluster shaped like the scenario, applies pods pinned to mapped nodes, maps observations back', async () => {
    const fake = new FakeKind();
    const backend = createKindBackend({}, fake, () => 'a1b2c');
    const scenario = await seed004();
    const c = ctx();
    const session = await backend.start(scenario, c);
    const cluster = [...fake.clusters][0];
    expect(cluster).toMatch(/^svclab-[0-9a-f]{8}$/);
    // A private kubeconfig: the user's current context is never switched.
    const kc = `--kubeconfig ${backend.clusters.kubeconfigFor(cluster)} --context kind-${cluster}`;
    expect(backend.clusters.kubeconfigFor(cluster)).toMatch(new RegExp(`/svclab-kubeconfig-\\w+/${cluster}\\.kubeconfig$`));
    const lines = fake.lines();
    expect(lines).toContain(`kind get clusters`);
    expect(lines.find((l) => l.startsWith('kind create cluster'))).toMatch(new RegExp(`^kind create cluster --name ${cluster} --config /\\S+/kind-config.yaml --wait 0s --kubeconfig ${backend.clusters.kubeconfigFor(cluster)}$`));
    expect(lines).toContain(`kubectl ${kc} wait --for=condition=Ready nodes --all --timeout=300s`);
    expect(lines).toContain(`kubectl ${kc} -n kube-system rollout status daemonset/kube-proxy --timeout=300s`);
    expect(lines).toContain(`kubectl ${kc} apply -n svclab-kans-nodeport-a1b2c -f -`);
    expect(fake.history).toContainEqual(['docker', 'run', '-d', '--rm', '--name', 'svclab-a1b2c-mypc', '--network', 'kind', '--cap-add', 'NET_ADMIN', '--label', 'app.kubernetes.io/managed-by=svclab', '--label', 'svclab.dev/namespace=svclab-kans-nodeport-a1b2c', 'registry.k8s.io/e2e-test-images/agnhost:2.53', 'pause']);
    // Scenario worker order -> real worker, worker2, worker3.
    expect([...fake.pods.values()].map((p) => [p.name, p.node])).toEqual([
      ['deploy-echo-1', `${cluster}-worker`],
      ['deploy-echo-2', `${cluster}-worker2`],
      ['deploy-echo-3', `${cluster}-worker3`],
    ]);
    // Progress while the cluster comes up: kind's own lines, then what is awaited.
    expect(c.lines.slice(0, 6)).toEqual([
      `kind: creating cluster ${cluster} (1 control-plane, 3 workers, pods 10.10.0.0/16, services 10.200.1.0/24, kube-proxy iptables); first run pulls kindest/node`,
      `kind: Creating cluster "${cluster}" ...`,
      'kind: • Ensuring node image (kindest/node:v1.31.0) 🖼  ...',
      'kind: ✓ Ensuring node image (kindest/node:v1.31.0) 🖼',
      'kind: • Preparing nodes 📦 📦 📦 📦   ...',
      'kind: ✓ Preparing nodes 📦 📦 📦 📦',
    ]);
    expect(c.lines).toContain(`kind: ${cluster}: waiting for nodes Ready`);
    expect(c.lines).toContain(`kind: cluster ${cluster} is ready`);
    expect(c.lines.some((l) => l.includes('image mendhak/http-https-echo of deploy-echo replaced by registry.k8s.io/e2e-test-images/agnhost:2.53'))).toBe(true);

    // Before measuring, kube-proxy was probed from the node of a ready endpoint through the ClusterIP.
    const settle = fake.lines().findIndex((l) => l.startsWith(`docker exec ${cluster}-worker curl `) && l.endsWith('http://10.200.1.73:9000/hostname http://10.200.1.73:9000/clientip'));
    expect(settle).toBeGreaterThan(fake.lines().findIndex((l) => l.includes('get endpointslices')));
    expect(fake.lines().slice(0, settle).some((l) => l.startsWith('docker exec svclab-a1b2c-mypc curl'))).toBe(false);

    const sends = scenario.steps.filter((s): s is SendStep => s.kind === 'send');
    // 100 curls to CNODE:NPORT from mypc: the real control-plane is 172.18.0.40, the client 172.18.0.100.
    const first = await session.send({ ...sends[0], traffic: { ...sends[0].traffic, count: 6 } });
    if ('unsupported' in first) throw new Error(first.unsupported);
    expect(first.observations.map((o) => o.pod)).toEqual(['deploy-echo-1', 'deploy-echo-2', 'deploy-echo-3', 'deploy-echo-1', 'deploy-echo-2', 'deploy-echo-3']);
    expect(first.observations[0]).toMatchObject({ outcome: 'ok', node: 'myk8s-worker', endpoint: '10.10.2.2:8080', sourceSeen: '172.18.0.4', ingressNode: 'myk8s-control-plane' });
    expect(first.observations[0].detail).toBe('real source seen 172.18.0.40');
    const curl = fake.history.filter((h) => h[0] === 'docker' && h[1] === 'exec' && h[2] === 'svclab-a1b2c-mypc').at(-1)!;
    expect(curl.slice(0, 4)).toEqual(['docker', 'exec', 'svclab-a1b2c-mypc', 'curl']);
    expect(curl.slice(-2)).toEqual(['http://172.18.0.40:30682/hostname', 'http://172.18.0.40:30682/clientip']);

    // ClusterIP from a node answers (node sources are `docker exec <node>`); from the client it times out.
    const fromNode = await session.send({ ...sends[4], traffic: { ...sends[4].traffic, count: 2 } });
    if ('unsupported' in fromNode) throw new Error(fromNode.unsupported);
    expect(fromNode.observations.every((o) => o.outcome === 'ok' && o.sourceSeen === '172.18.0.4')).toBe(true);
    expect(fake.history.some((h) => h.join(' ').startsWith(`docker exec ${cluster}-control-plane curl`) && h.at(-1) === 'http://10.200.1.73:9000/clientip')).toBe(true);
    const fromClient = await session.send({ ...sends[5], traffic: { ...sends[5].traffic, count: 2 } });
    if ('unsupported' in fromClient) throw new Error(fromClient.unsupported);
    expect(fromClient.observations.map((o) => o.outcome)).toEqual(['timeout', 'timeout']);

    // patch ETP=Local, scale to 2: through kubectl, then the pod on worker3 is gone.
    const changes = scenario.steps.filter((s) => s.kind === 'change');
    for (const step of changes) expect(await session.apply(step)).toEqual({ applied: true });
    expect(fake.lines()).toContain(`kubectl ${kc} delete pod -n svclab-kans-nodeport-a1b2c --wait=true --ignore-not-found deploy-echo-3`);
    expect(fake.services.get('svc-nodeport')?.etp).toBe('Local');
    const local = await session.send({ ...sends[7], traffic: { ...sends[7].traffic, count: 3 } });
    if ('unsupported' in local) throw new Error(local.unsupported);
    expect(local.observations.map((o) => [o.pod, o.sourceSeen])).toEqual([
      ['deploy-echo-1', '172.18.0.100'],
      ['deploy-echo-1', '172.18.0.100'],
      ['deploy-echo-1', '172.18.0.100'],
    ]);
    const podless = await session.send({ ...sends[6], traffic: { ...sends[6].traffic, count: 2 } });
    if ('unsupported' in podless) throw new Error(podless.unsupported);
    expect(podless.observations.map((o) => o.outcome)).toEqual(['timeout', 'timeout']);

    await session.close();
    await session.close();
    expect(fake.lines().filter((l) => l === 'docker rm -f svclab-a1b2c-mypc')).toHaveLength(1);
    // Services first and waited for (their fixed node ports must be free for the next scenario), then the namespace.
    const services = fake.lines().indexOf(`kubectl ${kc} delete services --all -n svclab-kans-nodeport-a1b2c --wait=true --ignore-not-found`);
    expect(services).toBeGreaterThan(0);
    expect(fake.lines().indexOf(`kubectl ${kc} delete namespace svclab-kans-nodeport-a1b2c --wait=false --ignore-not-found`)).toBe(services + 1);
    expect(fake.clusters.has(cluster)).toBe(true);
    const kubeconfig = backend.clusters.kubeconfigFor(cluster);
    await backend.dispose();
    expect(fake.lines().at(-1)).toBe(`kind delete cluster --name ${cluster} --kubeconfig ${kubeconfig}`);
    expect(fake.clusters.size).toBe(0);
  });

  it.each([
    ['000-nodeport-basics', []],
    [
      '001-service-nodeport-loadbalancer',
      [
        'send 20 curls to clusterIP(myapp-service):80 from node m-k8s: the traffic reaches serving host myapp-backend (a client with serves:), which the kind backend does not start outside the cluster',
        'send 20 curls to clusterIP(myapp-service):80 from pod np-deployment-1: the traffic reaches serving host myapp-backend (a client with serves:), which the kind backend does not start outside the cluster',
        'send 100 curls to lbIP(np-svc):80 from bastion: LoadBalancer np-svc has no ingress IP on kind (no cloud provider; run cloud-provider-kind or MetalLB)',
      ],
    ],
    ['002-service-types-summary', []],
    ['003-eks-nodeport', ['send 10 curls to pod(node-test-01-1):80 from cloud9: pod addresses routed by the network (podAddressing node-subnet) are not reproduced on kind, whose pods live in its own pod subnet']],
    ['004-kans-nodeport', []],
  ])('lab %s: the expectations sim checks hold on what the session reports; the rest is unsupported with a reason', async (lab, unsupportedSteps) => {
    const fake = new FakeKind();
    const backend = createKindBackend({}, fake, () => 'r4nd0');
    const scenario = await loadScenarioFile(join(repo, `scenarios/labs/${lab}.yaml`));
    const session = await backend.start(scenario, ctx());
    const failed: string[] = [];
    const unsupported: string[] = [];
    let checked = 0;
    for (const step of scenario.steps) {
      if (step.kind === 'change') {
        expect(await session.apply(step)).toEqual({ applied: true });
        continue;
      }
      const r = await session.send(step);
      if ('unsupported' in r) {
        unsupported.push(`send ${step.title.replace(/^send /, '')}: ${r.unsupported}`);
        continue;
      }
      expect(r.observations).toHaveLength(step.traffic.count);
      for (const e of step.expect) {
        const a = checkExpectation(e, r.observations, { traffic: step.traffic, state: step.state, backend: 'kind', cwd: '/' });
        checked++;
        if (!a.passed) failed.push(`${step.title}: ${a.message}`);
      }
    }
    await session.close();
    await backend.dispose();
    expect(failed).toEqual([]);
    expect(unsupported).toEqual(unsupportedSteps);
    expect(checked).toBeGreaterThan(5);
    expect(fake.clusters.size).toBe(0);
    expect(fake.containers.size).toBe(0);
  });

  it('reuses a named existing cluster, never deletes it, and keeps a created one with --keep', async () => {
    const fake = new FakeKind(['mylab']);
    const backend = createKindBackend({ cluster: 'mylab' }, fake, () => 'zzzzz');
    const session = await backend.start(await seed004(), ctx());
    await session.close();
    await backend.dispose();
    expect(fake.lines().some((l) => l.startsWith('kind create'))).toBe(false);
    expect(fake.lines().some((l) => l.startsWith('kind delete'))).toBe(false);
    expect(fake.lines()).toContain('kind get kubeconfig --name mylab');
    expect(fake.lines().some((l) => /^kubectl --kubeconfig \S+\/mylab\.kubeconfig --context kind-mylab get nodes -o json$/.test(l))).toBe(true);

    const fake2 = new FakeKind();
    const kept = createKindBackend({ keep: true }, fake2, () => 'zzzzz');
    await (await kept.start(await seed004(), ctx())).close();
    await kept.dispose();
    expect(fake2.clusters.size).toBe(1);
    expect(fake2.lines().some((l) => l.startsWith('kind delete'))).toBe(false);
  });

  it('--kubeconfig alone uses that context: no kind commands, kubectl always gets the file', async () => {
    const fake = new FakeKind();
    fake.nodes = (await import('./fakeCluster.js')).kindNodes('any');
    const backend = createKindBackend({ kubeconfig: '/home/me/.kube/lab.yaml' }, fake, () => 'kkkkk');
    const c = ctx();
    const session = await backend.start(await seed004(), c);
    await session.close();
    await backend.dispose();
    expect(fake.history.filter((h) => h[0] === 'kind')).toEqual([]);
    expect(fake.history.filter((h) => h[0] === 'kubectl').every((h) => h[1] === '--kubeconfig' && h[2] === '/home/me/.kube/lab.yaml')).toBe(true);
    expect(c.lines.some((l) => l.includes('an existing cluster (current kubeconfig context) is used'))).toBe(true);
  });

  it('one cluster per shape: a second scenario of the same shape reuses the cluster', async () => {
    const fake = new FakeKind();
    const backend = createKindBackend({}, fake, () => 'sssss');
    await (await backend.start(await seed004(), ctx())).close();
    await (await backend.start(await seed004(), ctx())).close();
    expect(fake.lines().filter((l) => l.startsWith('kind create cluster'))).toHaveLength(1);
    await backend.dispose();
    expect(fake.lines().filter((l) => l.startsWith('kind delete cluster'))).toHaveLength(1);
  });

  it('a failing setup step still removes client containers and the namespace, and dispose deletes the cluster', async () => {
    const fake = new FakeKind();
    const backend = createKindBackend({}, fake, () => 'fffff');
    const original = fake.run.bind(fake);
    let applies = 0;
    // The scenario objects fail to apply (the namespace apply before it succeeds).
    fake.run = async (file, args, options) => {
      if (file === 'kubectl' && args.includes('apply') && args.includes('svclab-kans-nodeport-fffff')) {
        applies++;
        fake.history.push([file, ...args]);
        return { code: 1, stdout: '', stderr: 'The Service "svc-nodeport" is invalid: spec.ports[0].nodePort: Invalid value: 30682: provided port is already allocated\n', timedOut: false };
      }
      return original(file, args, options);
    };
    await expect(backend.start(await seed004(), ctx())).rejects.toThrow(/provided port is already allocated/);
    expect(applies).toBe(1);
    expect(fake.lines()).toContain('docker rm -f svclab-fffff-mypc');
    expect(fake.lines().some((l) => l.endsWith('delete namespace svclab-kans-nodeport-fffff --wait=false --ignore-not-found'))).toBe(true);
    await backend.dispose();
    expect(fake.clusters.size).toBe(0);
  });

  it('an aborted run closes the session', async () => {
    const fake = new FakeKind();
    const backend = createKindBackend({}, fake, () => 'aaaaa');
    const controller = new AbortController();
    const session = await backend.start(await seed004(), ctx(controller.signal));
    controller.abort(new Error('Ctrl-C'));
    // Nobody calls close(): the abort signal alone starts the cleanup.
    await vi.waitFor(() => expect(fake.lines()).toContain('docker rm -f svclab-aaaaa-mypc'));
    await session.close();
    expect(fake.lines().filter((l) => l.includes('delete namespace'))).toHaveLength(1);
    await backend.dispose();
  });

  it('says what it cannot do: UDP, terminating endpoints, later steps after that', async () => {
    const fake = new FakeKind();
    const backend = createKindBackend({}, fake, () => 'uuuuu');
    const scenario = await seed004();
    const session = await backend.start(scenario, ctx());
    const send = scenario.steps.find((s): s is SendStep => s.kind === 'send')!;
    expect(await session.send({ ...send, traffic: { ...send.traffic, protocol: 'UDP' } })).toEqual({ unsupported: 'UDP traffic is not sent by the kind backend (HTTP over TCP via curl only)' });
    expect(await session.send({ ...send, traffic: { ...send.traffic, to: { address: '127.0.0.1', port: 30682 } } })).toMatchObject({ unsupported: expect.stringContaining('own loopback') });
    const change = scenario.steps.find((s) => s.kind === 'change')!;
    const r = await session.apply({ ...change, kind: 'change', change: { op: 'endpoint', pod: 'deploy-echo-1', namespace: 'default', condition: 'terminating' } } as never);
    expect(r).toMatchObject({ unsupported: expect.stringContaining('terminating') });
    expect(await session.send(send)).toMatchObject({ unsupported: expect.stringContaining('an earlier change could not be made on kind') });
    await session.close();
    await backend.dispose();
  });
});
