/**
 * The objects the kind backend applies for a cluster state, all in the session's namespace:
 *  - every scenario pod as a bare Pod with the scenario's name, pinned with `spec.nodeName` to the
 *    real node its scenario node maps to. Deployments are not applied: their pods are per-index
 *    placed in the scenario, which a Deployment cannot express, so each placement slot becomes
 *    one Pod (and scaling creates or deletes those Pods). Pod names therefore match the scenario.
 *  - each pod runs agnhost netexec (one container per TCP port) instead of the scenario's image;
 *  - Services as written, with the namespace replaced (fixed clusterIPs only kept when the cluster
 *    was created from the scenario, i.e. has the scenario's service CIDR);
 *  - hand-written EndpointSlices with scenario pod addresses translated to real ones;
 *  - anything else namespaced as written.
 */
import { createHash } from 'node:crypto';
import type { ClusterState, Manifest, Pod } from '../../model/types.js';
import { checkLabelName, checkObjectName } from './names.js';

/** The echo server every pod runs: reports its pod name (/hostname) and the raw peer (/clientip). */
export const AGNHOST_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
/** Label on every object the backend creates, and the annotation carrying a pod's spec fingerprint. */
export const MANAGED_LABEL = 'app.kubernetes.io/managed-by';
export const FINGERPRINT_ANNOTATION = 'svclab.dev/fingerprint';

/** Kinds whose pods the backend creates itself (from the state's pod list). */
const POD_OWNERS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Pod']);
/** Cluster-scoped kinds a scenario may mention but a namespace cannot hold. */
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'IngressClass']);

export interface ManifestOptions {
  namespace: string;
  /** Scenario node name -> real node name. */
  nodeNames: Map<string, string>;
  /** Keep `spec.clusterIP(s)` as written (only when the real service CIDR is the scenario's). */
  keepClusterIPs: boolean;
  /** Scenario pod IP -> real pod IP, for hand-written EndpointSlices (empty before pods exist). */
  podIPs?: Map<string, string>;
}

export interface BuiltManifests {
  /** Objects to `kubectl apply`, pods included. */
  objects: Manifest[];
  /** Pod name -> fingerprint of what the Pod should look like (recreate when it differs). */
  fingerprints: Map<string, string>;
  /** Sentences for the console: substitutions and things done differently. */
  notes: string[];
}

export function namespaceManifest(namespace: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: checkLabelName(namespace, 'namespace'), labels: { [MANAGED_LABEL]: 'svclab' } } };
}

function imageOf(state: ClusterState, pod: Pod): string | undefined {
  const owner = state.manifests.find((m) => (pod.owner ? m.kind !== 'Pod' && m.metadata.name === pod.owner : m.kind === 'Pod' && m.metadata.name === pod.name));
  const spec = pod.owner ? ((owner?.spec as { template?: { spec?: unknown } } | undefined)?.template?.spec as { containers?: { image?: string }[] } | undefined) : (owner?.spec as { containers?: { image?: string }[] } | undefined);
  return spec?.containers?.[0]?.image;
}

/** TCP ports a pod's echo containers listen on (8080 when the scenario declares none). */
export function echoPorts(pod: Pod): number[] {
  const tcp = [...new Set(pod.ports.filter((p) => p.protocol === 'TCP').map((p) => p.containerPort))];
  return tcp.length > 0 ? tcp : [8080];
}

/** Name of the pod's first echo container (the one `kubectl exec` uses for pod sources). */
export function firstEchoContainer(pod: Pod): string {
  return `echo-${echoPorts(pod)[0]}`;
}

/** The bare Pod for one scenario pod. */
export function podManifest(pod: Pod, options: ManifestOptions): { manifest: Manifest; fingerprint: string } {
  checkLabelName(pod.name, 'pod name');
  const node = options.nodeNames.get(pod.node);
  if (node === undefined) throw new Error(`kind backend: pod ${pod.name} is placed on ${pod.node}, which has no real node`);
  const tcp = echoPorts(pod);
  const others = pod.ports.filter((p) => p.protocol !== 'TCP');
  const containers = tcp.map((port, i) => {
    const ports = pod.ports.filter((p) => p.protocol === 'TCP' && p.containerPort === port).map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, protocol: p.protocol }));
    if (ports.length === 0) ports.push({ containerPort: port, protocol: 'TCP' });
    if (i === 0) ports.push(...others.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, protocol: p.protocol })));
    return {
      name: `echo-${port}`,
      image: AGNHOST_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      args: ['netexec', `--http-port=${port}`, '--udp-port=-1'],
      ports,
      // A scenario pod that is not ready gets a probe that never passes: readiness is the only
      // endpoint condition a real cluster lets us choose.
      readinessProbe: pod.ready ? { httpGet: { path: '/healthz', port }, periodSeconds: 1 } : { exec: { command: ['false'] }, periodSeconds: 1 },
    };
  });
  // nodeName skips the scheduler; the toleration keeps kubelet admission from refusing a pod the
  // scenario places on a tainted node (the control-plane).
  const spec = { nodeName: node, terminationGracePeriodSeconds: 0, tolerations: [{ operator: 'Exists' }], containers };
  const labels = { ...pod.labels, [MANAGED_LABEL]: 'svclab', ...(pod.owner ? { 'svclab.dev/owner': pod.owner } : {}) };
  for (const [k, v] of Object.entries(labels)) {
    if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k) || !/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(v)) {
      throw new Error(`kind backend: pod ${pod.name} has label ${k}=${v}, which Kubernetes does not accept`);
    }
  }
  const fingerprint = createHash('sha256').update(JSON.stringify({ labels, spec })).digest('hex').slice(0, 16);
  return {
    manifest: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod.name, namespace: options.namespace, labels, annotations: { [FINGERPRINT_ANNOTATION]: fingerprint } },
      spec,
    },
    fingerprint,
  };
}

function withNamespace(m: Manifest, namespace: string): Manifest {
  checkObjectName(m.metadata.name, `${m.kind} name`);
  const copy = structuredClone(m);
  copy.metadata = { ...copy.metadata, namespace };
  delete (copy.metadata as Record<string, unknown>).resourceVersion;
  delete (copy.metadata as Record<string, unknown>).uid;
  return copy;
}

function serviceManifest(m: Manifest, options: ManifestOptions): Manifest {
  checkLabelName(m.metadata.name, 'service name');
  const copy = withNamespace(m, options.namespace);
  const spec = { ...((copy.spec as Record<string, unknown> | undefined) ?? {}) };
  if (!options.keepClusterIPs && spec.clusterIP !== 'None') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  copy.spec = spec;
  // status (load balancer ingress) is the cloud provider's to write, never applied.
  delete copy.status;
  return copy;
}

function endpointSliceManifest(m: Manifest, options: ManifestOptions): Manifest {
  const copy = withNamespace(m, options.namespace);
  const endpoints = (copy.endpoints as { addresses?: string[]; nodeName?: string; targetRef?: unknown }[] | undefined) ?? [];
  for (const ep of endpoints) {
    ep.addresses = (ep.addresses ?? []).map((a) => options.podIPs?.get(a) ?? a);
    if (ep.nodeName !== undefined) ep.nodeName = options.nodeNames.get(ep.nodeName) ?? ep.nodeName;
    // A targetRef to a pod in the scenario's namespace would point nowhere real.
    delete ep.targetRef;
  }
  return copy;
}

/** Everything to apply for `state` (the namespace itself is created separately, once). */
export function buildManifests(state: ClusterState, options: ManifestOptions): BuiltManifests {
  const objects: Manifest[] = [];
  const fingerprints = new Map<string, string>();
  const notes: string[] = [];
  const substituted = new Map<string, string>();
  for (const pod of state.pods) {
    if (pod.terminating) continue;
    const built = podManifest(pod, options);
    objects.push(built.manifest);
    fingerprints.set(pod.name, built.fingerprint);
    const image = imageOf(state, pod);
    const owner = pod.owner ?? pod.name;
    if (image !== undefined && image !== AGNHOST_IMAGE && !substituted.has(owner)) substituted.set(owner, image);
  }
  for (const [owner, image] of substituted) notes.push(`image ${image} of ${owner} replaced by ${AGNHOST_IMAGE} netexec (reports pod name and client address)`);
  for (const m of state.manifests) {
    if (POD_OWNERS.has(m.kind)) continue;
    if (CLUSTER_SCOPED.has(m.kind)) {
      notes.push(`${m.kind}/${m.metadata.name} is cluster-scoped and not applied`);
      continue;
    }
    if (m.kind === 'Service') objects.push(serviceManifest(m, options));
    else if (m.kind === 'EndpointSlice') objects.push(endpointSliceManifest(m, options));
    else objects.push(withNamespace(m, options.namespace));
  }
  const owners = [...new Set(state.pods.filter((p) => p.owner).map((p) => p.owner as string))];
  if (owners.length > 0) notes.push(`pods of ${owners.join(', ')} are created as bare Pods pinned to their placement nodes (spec.nodeName), one per placement slot, named as in the scenario`);
  return { objects, fingerprints, notes };
}

/** The JSON `kubectl apply -f -` reads: one v1 List. */
export function asList(objects: Manifest[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n';
}
