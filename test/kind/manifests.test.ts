import { describe, expect, it } from 'vitest';
import { AGNHOST_IMAGE, asList, buildManifests, namespaceManifest, podManifest } from '../../src/backends/kind/manifests.js';
import { namespaceName } from '../../src/backends/kind/names.js';
import { seed004 } from './helpers.js';

const nodeNames = new Map([
  ['myk8s-control-plane', 'svclab-1a2b3c4d-control-plane'],
  ['myk8s-worker', 'svclab-1a2b3c4d-worker'],
  ['myk8s-worker2', 'svclab-1a2b3c4d-worker2'],
  ['myk8s-worker3', 'svclab-1a2b3c4d-worker3'],
]);
const ns = 'svclab-kans-nodeport-a1b2c';

describe('manifests the kind backend applies', () => {
  it('namespace: fresh, validated, labelled', () => {
    expect(namespaceName('kans-nodeport', 'a1b2c')).toBe(ns);
    expect(namespaceName('Weird Name_with/slashes and a very long tail that goes on and on', 'zz9')).toBe('svclab-weird-name-with-slashes-and-a-very-long-zz9');
    expect(namespaceManifest(ns)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'app.kubernetes.io/managed-by': 'svclab' } } });
    expect(() => namespaceManifest('Bad;Name')).toThrow(/not a valid Kubernetes name/);
  });

  it('seed 004: one bare Pod per placement slot, pinned by nodeName, agnhost netexec on the container port', async () => {
    const s = await seed004();
    const built = buildManifests(s.initial, { namespace: ns, nodeNames, keepClusterIPs: true });
    const pods = built.objects.filter((o) => o.kind === 'Pod');
    expect(pods.map((p) => [p.metadata.name, (p.spec as { nodeName: string }).nodeName])).toEqual([
      ['deploy-echo-1', 'svclab-1a2b3c4d-worker'],
      ['deploy-echo-2', 'svclab-1a2b3c4d-worker2'],
      ['deploy-echo-3', 'svclab-1a2b3c4d-worker3'],
    ]);
    const first = pods[0];
    expect(first.metadata.namespace).toBe(ns);
    expect(first.metadata.labels).toEqual({ app: 'deploy-websrv', 'app.kubernetes.io/managed-by': 'svclab', 'svclab.dev/owner': 'deploy-echo' });
    expect(first.spec).toEqual({
      nodeName: 'svclab-1a2b3c4d-worker',
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: 'echo-8080',
          image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
          imagePullPolicy: 'IfNotPresent',
          args: ['netexec', '--http-port=8080', '--udp-port=-1'],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
        },
      ],
    });
    expect(built.objects.some((o) => o.kind === 'Deployment')).toBe(false);
    expect(built.notes).toContain(`image mendhak/http-https-echo of deploy-echo replaced by ${AGNHOST_IMAGE} netexec (reports pod name and client address)`);
    expect(built.notes.some((n) => n.includes('deploy-echo are created as bare Pods pinned'))).toBe(true);
  });

  it('Service: namespace replaced; fixed clusterIP kept only on a cluster made from the scenario', async () => {
    const s = await seed004();
    const same = buildManifests(s.initial, { namespace: ns, nodeNames, keepClusterIPs: true }).objects.find((o) => o.kind === 'Service');
    expect(same).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc-nodeport', namespace: ns },
      spec: { type: 'NodePort', clusterIP: '10.200.1.73', selector: { app: 'deploy-websrv' }, ports: [{ name: 'svc-webport', port: 9000, targetPort: 8080, nodePort: 30682 }] },
    });
    const reused = buildManifests(s.initial, { namespace: ns, nodeNames, keepClusterIPs: false }).objects.find((o) => o.kind === 'Service');
    expect((reused?.spec as Record<string, unknown>).clusterIP).toBeUndefined();
    // The scenario's own manifest is untouched.
    expect((s.initial.manifests[1].spec as Record<string, unknown>).clusterIP).toBe('10.200.1.73');
  });

  it('after scale to 2 only two pods remain; a not-ready pod gets a probe that never passes and a new fingerprint', async () => {
    const s = await seed004();
    const scaled = s.steps.find((st) => st.kind === 'change' && st.change.op === 'scale');
    const built = buildManifests(scaled!.state, { namespace: ns, nodeNames, keepClusterIPs: true });
    expect([...built.fingerprints.keys()]).toEqual(['deploy-echo-1', 'deploy-echo-2']);
    const pod = s.initial.pods[0];
    const ready = podManifest(pod, { namespace: ns, nodeNames, keepClusterIPs: true });
    const notReady = podManifest({ ...pod, ready: false }, { namespace: ns, nodeNames, keepClusterIPs: true });
    expect((notReady.manifest.spec as { containers: { readinessProbe: unknown }[] }).containers[0].readinessProbe).toEqual({ exec: { command: ['false'] }, periodSeconds: 1 });
    expect(notReady.fingerprint).not.toBe(ready.fingerprint);
    expect(ready.manifest.metadata.annotations).toEqual({ 'svclab.dev/fingerprint': ready.fingerprint });
  });

  it('one netexec container per TCP port; named ports kept for named targetPorts', async () => {
    const s = await seed004();
    const pod = { ...s.initial.pods[0], ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' as const }, { name: 'admin', containerPort: 9090, protocol: 'TCP' as const }, { name: 'dns', containerPort: 53, protocol: 'UDP' as const }] };
    const spec = podManifest(pod, { namespace: ns, nodeNames, keepClusterIPs: true }).manifest.spec as { containers: { name: string; args: string[]; ports: unknown[] }[] };
    expect(spec.containers.map((c) => [c.name, c.args[1], c.ports])).toEqual([
      ['echo-8080', '--http-port=8080', [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }]],
      ['echo-9090', '--http-port=9090', [{ name: 'admin', containerPort: 9090, protocol: 'TCP' }]],
    ]);
  });

  it('refuses names Kubernetes would reject and placements on unknown nodes', async () => {
    const s = await seed004();
    const pod = s.initial.pods[0];
    expect(() => podManifest({ ...pod, name: 'x;rm -rf /' }, { namespace: ns, nodeNames, keepClusterIPs: true })).toThrow(/not a valid Kubernetes name/);
    expect(() => podManifest({ ...pod, node: 'nowhere' }, { namespace: ns, nodeNames, keepClusterIPs: true })).toThrow(/placed on nowhere, which has no real node/);
  });

  it('hand-written EndpointSlices get real pod addresses and node names', () => {
    const state = {
      cluster: { nodes: [], clients: [], clusterCIDR: '', serviceCIDR: '', nodePortRange: { min: 30000, max: 32767 }, kubeProxy: {} },
      pods: [],
      deployments: [],
      services: [],
      endpointSlices: [],
      manifests: [
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'manual-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'manual' } },
          addressType: 'IPv4',
          ports: [{ name: '', port: 8080, protocol: 'TCP' }],
          endpoints: [{ addresses: ['10.10.2.2'], nodeName: 'myk8s-worker', targetRef: { kind: 'Pod', name: 'p', namespace: 'default' } }],
        },
      ],
    } as unknown as Parameters<typeof buildManifests>[0];
    const built = buildManifests(state, { namespace: ns, nodeNames, keepClusterIPs: false, podIPs: new Map([['10.10.2.2', '10.10.3.14']]) });
    expect(built.objects[0]).toMatchObject({ metadata: { name: 'manual-1', namespace: ns }, endpoints: [{ addresses: ['10.10.3.14'], nodeName: 'svclab-1a2b3c4d-worker' }] });
    expect((built.objects[0].endpoints as object[])[0]).not.toHaveProperty('targetRef');
  });

  it('kubectl apply input is one v1 List', async () => {
    const s = await seed004();
    const text = asList(buildManifests(s.initial, { namespace: ns, nodeNames, keepClusterIPs: true }).objects);
    const doc = JSON.parse(text) as { apiVersion: string; kind: string; items: { kind: string }[] };
    expect(doc.kind).toBe('List');
    expect(doc.items.map((i) => i.kind)).toEqual(['Pod', 'Pod', 'Pod', 'Service']);
  });
});
