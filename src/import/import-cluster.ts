/**
 * kubectl objects -> a scenario (as a plain object, before it is written as YAML): the cluster,
 * the resources, endpoint steps for pods that are not ready, and traffic steps for every Service
 * (from a node, from a pod, from outside on every node port). What was left out and why is
 * returned as notes for stderr; nothing in the input is fatal except input that is not kubectl
 * output at all (read-input.ts).
 */
import { clusterRanges, importKubeProxyConfig, importNode, outsideClient, type ImportedNode } from './cluster.js';
import { importPod, importService, importSlice, nsName, selects, type ImportedPod, type ImportedService } from './resources.js';
import type { InputObject } from './read-input.js';

type Obj = Record<string, unknown>;

export interface ImportOptions {
  /** Scenario name (default imported-cluster). */
  name?: string;
  /** Requests per traffic step (default 10). */
  count?: number;
}

/** A traffic step the importer wrote; `expectNote` is the comment written above its expect. */
export interface PlannedStep {
  step: Obj;
  traffic: boolean;
}

export interface ImportResult {
  scenario: Obj;
  steps: PlannedStep[];
  /** Real pod IPs by resource index (svclab allocates its own; the output says which was which). */
  podComments: Map<number, string>;
  /** Kinds left out ("3 ConfigMap") and objects left out with their reason, for stderr. */
  leftOut: string[];
  notes: string[];
  namespace: string;
}

const KNOWN = new Set(['Node', 'Pod', 'Service', 'EndpointSlice']);

export function importCluster(objects: InputObject[], options: ImportOptions = {}): ImportResult {
  const notes: string[] = [];
  const leftOut: string[] = [];
  const otherKinds = new Map<string, number>();
  const byKind = (k: string) => objects.filter((o) => o.value.kind === k);

  let kubeProxy: Obj | undefined;
  let clusterCIDR: string | undefined;
  for (const o of objects) {
    const kind = o.value.kind as string;
    if (KNOWN.has(kind)) continue;
    if (kind === 'ConfigMap' && nsName(o) === 'kube-system/kube-proxy') {
      const kp = importKubeProxyConfig(o);
      kubeProxy = kp.kubeProxy;
      clusterCIDR = kp.clusterCIDR;
      notes.push(...kp.notes);
      continue;
    }
    if (kind === 'Endpoints') {
      leftOut.push(`Endpoints ${nsName(o)}: left out (its EndpointSlices, mirrored or managed, are what kube-proxy reads)`);
      continue;
    }
    otherKinds.set(kind, (otherKinds.get(kind) ?? 0) + 1);
  }
  for (const [k, n] of otherKinds) leftOut.unshift(`${n} ${k}${n === 1 ? '' : ' objects'}: kind not imported`);

  const nodes: ImportedNode[] = [];
  const seen = new Set<string>();
  for (const o of byKind('Node')) {
    const n = importNode(o);
    if (seen.has(n.name)) continue;
    seen.add(n.name);
    nodes.push(n);
  }
  // Control-plane nodes first: CNODE is the first of them, NODE1.. the others, as in the labs.
  nodes.sort((a, b) => (a.role === b.role ? 0 : a.role === 'control-plane' ? -1 : 1));
  const nodeNames = new Set(nodes.map((n) => n.name));

  const pods = new Map<string, ImportedPod>();
  for (const o of byKind('Pod')) {
    const p = importPod(o, nodeNames);
    if (typeof p === 'string') leftOut.push(`Pod ${nsName(o)}: left out, it ${p}`);
    else pods.set(`${p.namespace}/${p.name}`, p);
  }

  const services: ImportedService[] = [];
  for (const o of byKind('Service')) {
    const s = importService(o, notes);
    if (typeof s === 'string') leftOut.push(`Service ${nsName(o)}: left out, it ${s}`);
    else if (s.manifest.spec && !(s.manifest.spec as Obj).ports && (s.manifest.spec as Obj).type !== 'ExternalName') leftOut.push(`Service ${nsName(o)}: left out, it has no ports`);
    else services.push(s);
  }
  // A selector that picks no imported pod (scaled to zero, host-network pods): kube-proxy sees only
  // its EndpointSlices, so the scenario states those instead of the selector.
  for (const s of services) {
    if (!s.selector || [...pods.values()].some((p) => selects(s, p))) continue;
    delete (s.manifest.spec as Obj).selector;
    delete s.selector;
    notes.push(`Service ${s.namespace}/${s.name}: its selector picks no imported pod; stated with its EndpointSlices instead`);
  }
  const selectorless = new Set(services.filter((s) => !s.selector && (s.manifest.spec as Obj).type !== 'ExternalName').map((s) => `${s.namespace}/${s.name}`));
  const slices: Obj[] = [];
  let derived = 0;
  for (const o of byKind('EndpointSlice')) {
    const m = o.value.metadata as Obj;
    const svc = `${(m.namespace as string) ?? 'default'}/${((m.labels as Obj | undefined)?.['kubernetes.io/service-name'] as string) ?? ''}`;
    if (!selectorless.has(svc)) {
      if (services.some((s) => `${s.namespace}/${s.name}` === svc)) derived++;
      else leftOut.push(`EndpointSlice ${nsName(o)}: left out, its Service is not imported`);
      continue;
    }
    const slice = importSlice(o, nodeNames, pods);
    if (typeof slice === 'string') leftOut.push(`EndpointSlice ${nsName(o)}: left out, it ${slice}`);
    else slices.push(slice);
  }
  if (derived) notes.push(`${derived} EndpointSlice${derived === 1 ? '' : 's'} of Services with a selector: derived by svclab from the imported pods, as the EndpointSlice controller does`);

  // Ranges and the outside client.
  const clusterIPs = services.map((s) => s.clusterIP).filter((ip): ip is string => ip !== undefined);
  const podIPs = [...pods.values()].map((p) => p.ip).filter((ip): ip is string => ip !== undefined);
  const ranges = clusterRanges(nodes, podIPs, clusterIPs, clusterCIDR, notes);
  const taken = new Set<string>([...nodes.flatMap((n) => n.ips), ...podIPs, ...clusterIPs]);
  const client = outsideClient(nodes, taken, ranges.podCIDR, ranges.serviceCIDR);
  const nodePorts = services.flatMap((s) => s.ports.map((p) => p.nodePort).filter((n): n is number => n !== undefined));
  const lo = Math.min(30000, ...nodePorts);
  const hi = Math.max(32767, ...nodePorts);

  const namespace = mainNamespace(services);
  const cluster: Obj = {
    nodes: nodes.map((n) => ({ name: n.name, ...(n.role === 'control-plane' ? { role: n.role } : {}), ...(n.ips.length === 1 ? { ip: n.ips[0] } : { ips: n.ips }), ...(n.podCIDR ? { podCIDR: n.podCIDR } : {}) })),
    podCIDR: ranges.podCIDR,
    serviceCIDR: ranges.serviceCIDR,
    ...(lo !== 30000 || hi !== 32767 ? { nodePortRange: `${lo}-${hi}` } : {}),
    ...(kubeProxy && Object.keys(kubeProxy).length ? { kubeProxy } : {}),
    ...(client ? { clients: [client] } : {}),
  };

  const podList = [...pods.values()];
  const resources: Obj[] = [...podList.map((p) => p.manifest), ...services.map((s) => s.manifest), ...slices];
  const podComments = new Map<number, string>();
  podList.forEach((p, i) => {
    if (p.ip) podComments.set(i, `on ${p.node} as ${p.ip} in the cluster (svclab gives it an address from the node's pod range)`);
  });

  const steps = planSteps(podList, services, nodes, client?.name, namespace, options.count ?? 10, notes);
  const scenario: Obj = {
    name: options.name ?? 'imported-cluster',
    description: `Imported from kubectl output: ${nodes.length} node(s), ${pods.size} pod(s), ${services.length} Service(s).`,
    namespace,
    cluster,
    resources,
    steps: steps.map((s) => s.step),
  };
  return { scenario, steps, podComments, leftOut, notes, namespace };
}

/** The namespace with the most Services outside kube-system (default: "default"). */
function mainNamespace(services: ImportedService[]): string {
  const count = new Map<string, number>();
  for (const s of services) if (s.namespace !== 'kube-system') count.set(s.namespace, (count.get(s.namespace) ?? 0) + 1);
  let best = 'default';
  let n = count.get('default') ?? 0;
  for (const [ns, c] of count) if (c > n) [best, n] = [ns, c];
  return best;
}

function planSteps(pods: ImportedPod[], services: ImportedService[], nodes: ImportedNode[], client: string | undefined, namespace: string, count: number, notes: string[]): PlannedStep[] {
  const steps: PlannedStep[] = [];
  for (const p of pods) {
    if (!p.condition) continue;
    steps.push({ traffic: false, step: { endpoint: `pod/${p.name}`, condition: p.condition, ...(p.namespace !== namespace ? { namespace: p.namespace } : {}) } });
  }
  const fromNode = nodes.find((n) => n.role === 'worker') ?? nodes[0];
  const ready = pods.filter((p) => p.namespace === namespace && !p.condition);
  if (!ready.length) notes.push(`no ready pod in namespace ${namespace}: no steps from a pod`);
  if (!client) notes.push('no free address on the first node\'s network for an outside client: no node-port steps');
  const proto = (p: string) => (p === 'TCP' ? {} : { protocol: p });
  const expect = { outcome: 'ok' };
  for (const s of services) {
    if (!s.clusterIP) continue;
    // A client pod, not one of the Service's own (those take the hairpin path).
    const fromPod = ready.find((p) => !selects(s, p)) ?? ready[0];
    for (const port of s.ports) {
      const label = `${s.namespace}/${s.name}${port.name ? `:${port.name}` : s.ports.length > 1 ? `:${port.port}` : ''}`;
      if (fromNode) steps.push({ traffic: true, step: { name: `${label} from node ${fromNode.name}`, send: { count, to: `${s.clusterIP}:${port.port}`, from: { node: fromNode.name }, ...proto(port.protocol) }, expect } });
      if (fromPod) steps.push({ traffic: true, step: { name: `${label} from pod ${fromPod.name}`, send: { count, to: `${s.clusterIP}:${port.port}`, from: { pod: fromPod.name }, ...proto(port.protocol) }, expect } });
      if (port.nodePort !== undefined && client) {
        for (const n of nodes) {
          steps.push({ traffic: true, step: { name: `${label} node port ${port.nodePort} on ${n.name} from outside`, send: { count, to: `${n.ips[0]}:${port.nodePort}`, from: { client }, ...proto(port.protocol) }, expect } });
        }
      }
    }
  }
  if (!steps.some((s) => s.traffic)) notes.push('no Service with a cluster IP: the scenario has no traffic steps');
  return steps;
}
