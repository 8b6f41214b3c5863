/**
 * Checks one manifest beyond its schema, the way the API server's validation would: Deployment
 * selectors match their template, multi-port Services name their ports, fields only valid for some
 * Service types, endpoint addresses of the right family, and so on.
 */
import { didYouMean } from './diagnostics.js';
import { fail } from './source.js';
import type { PathSegment } from './source.js';
import { locIn } from './world.js';
import type { Entry } from './world.js';
import { ipFamily } from '../model/ip.js';
import type { ClusterSpec } from '../model/types.js';

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

function checkPodSpec(e: Entry, spec: Obj, base: PathSegment[], cluster: ClusterSpec): void {
  const seenNames = new Map<string, number>();
  const seenPorts = new Set<string>();
  const containerNames = new Set<string>();
  list(spec.containers).forEach((c, ci) => {
    if (containerNames.has(c.name as string)) fail(`duplicate container name '${c.name}'`, locIn(e, [...base, 'containers', ci, 'name']), ['expected unique container names in a pod']);
    containerNames.add(c.name as string);
    list(c.ports).forEach((p, pi) => {
      const at = [...base, 'containers', ci, 'ports', pi];
      if (p.name !== undefined) {
        if (!/[a-z]/.test(p.name as string)) fail(`container port name '${p.name}' has no letter`, locIn(e, [...at, 'name']), ['expected an IANA service name such as http']);
        if (seenNames.has(p.name as string)) fail(`duplicate container port name '${p.name}'`, locIn(e, [...at, 'name']), ['expected unique port names in a pod']);
        seenNames.set(p.name as string, pi);
      }
      const key = `${p.containerPort}/${(p.protocol as string | undefined) ?? 'TCP'}`;
      if (seenPorts.has(key)) fail(`duplicate container port ${key}`, locIn(e, [...at, 'containerPort']), ['expected each port/protocol once per pod']);
      seenPorts.add(key);
    });
  });
  const nodeName = spec.nodeName as string | undefined;
  if (nodeName !== undefined) {
    if (e.kind === 'Deployment') {
      fail('spec.nodeName in a pod template is not supported', locIn(e, [...base, 'nodeName']), ['expected placement: { <deployment>: [node, ...] } instead']);
    }
    const names = cluster.nodes.map((n) => n.name);
    if (!names.includes(nodeName)) fail(`unknown node '${nodeName}'`, locIn(e, [...base, 'nodeName']), [`expected one of: ${names.join(', ')}`, ...didYouMean(nodeName, names)]);
  }
}

function checkDeployment(e: Entry, cluster: ClusterSpec): void {
  const spec = asObj(e.manifest.spec);
  const matchLabels = asObj(asObj(spec.selector).matchLabels);
  if (Object.keys(matchLabels).length === 0) fail('Deployment selector is empty', locIn(e, ['spec', 'selector', 'matchLabels']), ['expected at least one label, e.g. app: web']);
  const labels = asObj(asObj(asObj(spec.template).metadata).labels);
  for (const [k, v] of Object.entries(matchLabels)) {
    if (labels[k] !== v) {
      fail(`Deployment selector ${k}: ${v} does not match the pod template labels`, locIn(e, ['spec', 'template', 'metadata', 'labels']), [
        `expected the template to carry ${k}: ${v}`,
      ]);
    }
  }
  checkPodSpec(e, asObj(asObj(spec.template).spec), ['spec', 'template', 'spec'], cluster);
}

/** The API server validates a Service name as an RFC 1035 label: it becomes a DNS label itself. */
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function checkService(e: Entry): void {
  if (e.name.length > 63 || !DNS1035_LABEL.test(e.name)) {
    fail(`invalid Service name '${e.name}'${e.name.length > 63 ? ` (${e.name.length} characters)` : ''}`, locIn(e, ['metadata', 'name']), [
      'expected an RFC 1035 label: at most 63 characters, lowercase letters, digits and -, starting with a letter and ending with a letter or digit',
    ]);
  }
  const spec = asObj(e.manifest.spec);
  const type = (spec.type as string | undefined) ?? 'ClusterIP';
  const at = (...p: PathSegment[]) => locIn(e, ['spec', ...p]);
  const atKey = (...p: PathSegment[]) => locIn(e, ['spec', ...p], true);
  const ports = list(spec.ports);
  if (type === 'ExternalName') {
    if (spec.externalName === undefined) fail("ExternalName Service needs 'externalName'", locIn(e, ['spec', 'type']), ['expected externalName: a DNS name']);
  } else {
    if (spec.externalName !== undefined) fail(`'externalName' is only allowed on ExternalName Services`, atKey('externalName'), [`expected type: ExternalName, or no externalName`]);
    if (ports.length === 0) fail(`Service '${e.name}' has no ports`, spec.ports === undefined ? locIn(e, ['spec'], false) : at('ports'), ['expected at least one port, e.g. ports: [{ port: 80, targetPort: 8080 }]']);
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    if (ports.length > 1) {
      if (p.name === undefined) fail(`port ${p.port} of a multi-port Service has no name`, at('ports', i), ['expected every port of a multi-port Service to have a unique name']);
      if (names.has(p.name as string)) fail(`duplicate port name '${p.name}'`, at('ports', i, 'name'), ['expected unique port names']);
      names.add(p.name as string);
    }
    const key = `${p.port}/${(p.protocol as string | undefined) ?? 'TCP'}`;
    if (seen.has(key)) fail(`duplicate Service port ${key}`, at('ports', i, 'port'), ['expected each port/protocol once']);
    seen.add(key);
    if (p.nodePort !== undefined && type !== 'NodePort' && type !== 'LoadBalancer') {
      fail(`nodePort is only allowed on NodePort and LoadBalancer Services`, atKey('ports', i, 'nodePort'), [`expected type: NodePort or LoadBalancer (this Service is ${type})`]);
    }
  });
  const clusterIP = spec.clusterIP as string | undefined;
  if (clusterIP !== undefined) {
    if (clusterIP === 'None') {
      if (type !== 'ClusterIP') fail(`clusterIP: None (headless) is only allowed on ClusterIP Services`, at('clusterIP'), [`expected a cluster IP address for type ${type}`]);
    } else if (ipFamily(clusterIP) === undefined) {
      fail(`invalid clusterIP '${clusterIP}'`, at('clusterIP'), ['expected an IP address inside the service CIDR, or "None"']);
    } else if (type === 'ExternalName') {
      fail(`an ExternalName Service has no cluster IP`, atKey('clusterIP'), ['expected no clusterIP']);
    }
  }
  const clusterIPs = spec.clusterIPs as string[] | undefined;
  if (clusterIPs !== undefined && clusterIPs.length > 0 && clusterIPs[0] !== clusterIP) {
    fail(`clusterIPs[0] must equal clusterIP`, at('clusterIPs', 0), [`expected '${clusterIP ?? '(set clusterIP too)'}'`]);
  }
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (spec.externalTrafficPolicy !== undefined && !external && list(spec.externalIPs).length === 0) {
    fail(`externalTrafficPolicy is only allowed on NodePort and LoadBalancer Services (or with externalIPs)`, atKey('externalTrafficPolicy'), [`expected type: NodePort or LoadBalancer`]);
  }
  if (spec.healthCheckNodePort !== undefined && !(type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) {
    fail(`healthCheckNodePort is only allowed on LoadBalancer Services with externalTrafficPolicy: Local`, atKey('healthCheckNodePort'), ['expected type: LoadBalancer and externalTrafficPolicy: Local']);
  }
  if (spec.loadBalancerSourceRanges !== undefined && type !== 'LoadBalancer') {
    fail(`loadBalancerSourceRanges is only allowed on LoadBalancer Services`, atKey('loadBalancerSourceRanges'), [`expected type: LoadBalancer (this Service is ${type})`]);
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && type !== 'LoadBalancer') {
    fail(`allocateLoadBalancerNodePorts is only allowed on LoadBalancer Services`, atKey('allocateLoadBalancerNodePorts'), [`expected type: LoadBalancer`]);
  }
  if (spec.sessionAffinityConfig !== undefined && spec.sessionAffinity !== 'ClientIP') {
    fail(`sessionAffinityConfig needs sessionAffinity: ClientIP`, atKey('sessionAffinityConfig'), ['expected sessionAffinity: ClientIP']);
  }
  const ingress = asObj(asObj(e.manifest.status).loadBalancer).ingress;
  // After a patch that changes the type, a leftover status is ignored (the controller would clear it).
  if (ingress !== undefined && type !== 'LoadBalancer' && e.patchOrigin === undefined) {
    fail(`status.loadBalancer.ingress is only meaningful on LoadBalancer Services`, locIn(e, ['status', 'loadBalancer', 'ingress'], true), [`expected type: LoadBalancer (this Service is ${type})`]);
  }
  if (spec.selector !== undefined && Object.keys(asObj(spec.selector)).length === 0) {
    fail('empty Service selector', at('selector'), ['expected labels to select pods, or no selector at all for hand-written endpoints']);
  }
}

function checkSlice(e: Entry): void {
  const labels = asObj(asObj(e.manifest.metadata).labels);
  if (typeof labels['kubernetes.io/service-name'] !== 'string') {
    fail(`EndpointSlice '${e.name}' has no kubernetes.io/service-name label`, locIn(e, ['metadata']), ['expected metadata.labels: { kubernetes.io/service-name: SERVICE }']);
  }
  const family = e.manifest.addressType === 'IPv6' ? 6 : 4;
  list(e.manifest.endpoints).forEach((ep, i) => {
    const addr = (ep.addresses as string[])[0];
    if (ipFamily(addr) !== family) fail(`address ${addr} is not ${e.manifest.addressType}`, locIn(e, ['endpoints', i, 'addresses', 0]), [`expected an ${e.manifest.addressType} address (addressType)`]);
  });
  const names = new Set<string>();
  list(e.manifest.ports).forEach((p, i) => {
    const n = (p.name as string | undefined) ?? '';
    if (names.has(n)) fail(`duplicate EndpointSlice port name '${n}'`, locIn(e, ['ports', i]), ['expected unique port names']);
    names.add(n);
  });
}

function checkEndpoints(e: Entry): void {
  list(e.manifest.subsets).forEach((s, i) => {
    const ports = list(s.ports);
    if (ports.length > 1) {
      ports.forEach((p, j) => {
        if (p.name === undefined) fail(`port ${p.port} of a multi-port subset has no name`, locIn(e, ['subsets', i, 'ports', j]), ['expected names matching the Service port names']);
      });
    }
  });
}

export function checkManifest(e: Entry, cluster: ClusterSpec): void {
  switch (e.kind) {
    case 'Deployment':
      return checkDeployment(e, cluster);
    case 'Pod':
      return checkPodSpec(e, asObj(e.manifest.spec), ['spec'], cluster);
    case 'Service':
      return checkService(e);
    case 'EndpointSlice':
      return checkSlice(e);
    case 'Endpoints':
      return checkEndpoints(e);
  }
}
