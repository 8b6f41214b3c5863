/**
 * A synthetic `kubectl get nodes,pods,services,endpointslices -A -o yaml` List of any size, shaped
 * like kubectl's output (managedFields, status, uid, resourceVersion on every object): the input of
 * the import benchmark and of the import tests' large-list case.
 */

type Obj = Record<string, unknown>;

export interface ListSize {
  nodes: number;
  services: number;
  podsPerService: number;
}

/** Sizes for about `total` objects: 1% nodes, the rest Services, their pods and one slice each. */
export function sizeFor(total: number, podsPerService = 3): ListSize {
  const nodes = Math.max(1, Math.round(total / 100));
  return { nodes, services: Math.floor((total - nodes) / (podsPerService + 2)), podsPerService };
}

const TS = '2026-11-20T09:14:07Z';
const ip4 = (n: number) => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const managed = (manager: string, fields: Obj, sub?: string): Obj => ({ apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: fields, manager, operation: 'Update', ...(sub ? { subresource: sub } : {}), time: TS });

export function kubectlList(size: ListSize): Obj {
  let seq = 0;
  const meta = (name: string, namespace?: string, extra: Obj = {}): Obj => ({
    creationTimestamp: TS,
    name,
    ...(namespace ? { namespace } : {}),
    resourceVersion: String(1000 + seq),
    uid: `0000${(seq++).toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-0123456789ab`,
    ...extra,
  });
  const items: Obj[] = [];
  const nodeNames: string[] = [];
  for (let n = 0; n < size.nodes; n++) {
    const name = n === 0 ? 'cp-0' : `worker-${n}`;
    nodeNames.push(name);
    items.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta(name, undefined, {
        labels: { 'kubernetes.io/hostname': name, ...(n === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {}) },
        managedFields: [managed('kubelet', { 'f:metadata': { 'f:labels': { '.': {} } } }), managed('kubelet', { 'f:status': { 'f:conditions': {} } }, 'status')],
      }),
      spec: { podCIDR: `10.${64 + (n >> 8)}.${n & 255}.0/24`, podCIDRs: [`10.${64 + (n >> 8)}.${n & 255}.0/24`] },
      status: {
        addresses: [{ address: ip4((172 << 24) | (16 << 16) + n + 2), type: 'InternalIP' }, { address: name, type: 'Hostname' }],
        conditions: [{ lastHeartbeatTime: TS, lastTransitionTime: TS, message: 'kubelet is posting ready status', reason: 'KubeletReady', status: 'True', type: 'Ready' }],
        nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'Debian GNU/Linux 12 (bookworm)' },
      },
    });
  }
  const perNode = new Array<number>(size.nodes).fill(2);
  let pod = 0;
  for (let s = 0; s < size.services; s++) {
    const ns = `team-${s % 20}`;
    const app = `app-${s}`;
    const endpoints: Obj[] = [];
    for (let k = 0; k < size.podsPerService; k++) {
      const n = size.nodes > 1 ? 1 + (pod % (size.nodes - 1)) : 0;
      const podIP = `10.${64 + (n >> 8)}.${n & 255}.${perNode[n]++}`;
      const name = `${app}-6d4cf56db6-${(pod++).toString(36).padStart(5, 'x')}`;
      items.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta(name, ns, {
          generateName: `${app}-6d4cf56db6-`,
          labels: { app, 'pod-template-hash': '6d4cf56db6' },
          managedFields: [managed('kube-controller-manager', { 'f:metadata': { 'f:labels': {} }, 'f:spec': { 'f:containers': {} } }), managed('kubelet', { 'f:status': { 'f:podIP': {} } }, 'status')],
          ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: `${app}-6d4cf56db6`, uid: '11111111-2222-4333-8444-555555555555' }],
        }),
        spec: {
          containers: [{ image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', imagePullPolicy: 'IfNotPresent', name: 'web', ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }], resources: {} }],
          dnsPolicy: 'ClusterFirst',
          nodeName: nodeNames[n],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
        },
        status: {
          conditions: [{ lastProbeTime: null, lastTransitionTime: TS, status: 'True', type: 'Ready' }],
          hostIP: ip4((172 << 24) | (16 << 16) + n + 2),
          phase: 'Running',
          podIP,
          podIPs: [{ ip: podIP }],
          startTime: TS,
        },
      });
      endpoints.push({ addresses: [podIP], conditions: { ready: true, serving: true, terminating: false }, nodeName: nodeNames[n], targetRef: { kind: 'Pod', name, namespace: ns } });
    }
    const nodePort = s % 10 === 0 ? 30000 + (s / 10) : undefined;
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(app, ns, { managedFields: [managed('kubectl-client-side-apply', { 'f:spec': { 'f:ports': {} } })] }),
      spec: {
        clusterIP: ip4((10 << 24) | (96 << 16) + s + 10),
        clusterIPs: [ip4((10 << 24) | (96 << 16) + s + 10)],
        internalTrafficPolicy: 'Cluster',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', ...(nodePort ? { nodePort } : {}) }],
        selector: { app },
        sessionAffinity: 'None',
        type: nodePort ? 'NodePort' : 'ClusterIP',
        ...(nodePort ? { externalTrafficPolicy: 'Cluster' } : {}),
      },
      status: { loadBalancer: {} },
    });
    items.push({
      addressType: 'IPv4',
      apiVersion: 'discovery.k8s.io/v1',
      endpoints,
      kind: 'EndpointSlice',
      metadata: meta(`${app}-x7k2p`, ns, { labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': app }, managedFields: [managed('kube-controller-manager', { 'f:endpoints': {} })] }),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}
