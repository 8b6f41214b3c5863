/**
 * What one proxy daemon is told to do: the shape the control API accepts. All addresses here are
 * loopback addresses (the daemon never sees scenario addresses). `validateDesiredState` checks a
 * parsed JSON value completely before anything is applied, so a bad request changes nothing.
 */
import net from 'node:net';
import type { DetectLocalMode } from '../../model/types.js';

/** One backend of a service port. */
export interface DesiredEndpoint {
  address: string;
  port: number;
  /** Node the endpoint runs on ("" when unknown). */
  node: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** One port of one Service, with everything needed to proxy it. */
export interface DesiredServicePort {
  /** "namespace/name:portName", unique per daemon. */
  key: string;
  /** TCP when absent. */
  protocol?: 'TCP' | 'UDP';
  /** ClusterIP loopback address, absent for headless. */
  clusterIP?: string;
  port: number;
  nodePort?: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  internalTrafficPolicy: 'Cluster' | 'Local';
  /** ClientIP affinity timeout in seconds; absent when sessionAffinity is None. */
  affinityTimeoutSeconds?: number;
  /** kube-proxy's health-check port (LoadBalancer with eTP Local): HTTP 200/503 on every node. */
  healthCheckNodePort?: number;
  /** loadBalancerSourceRanges as the sources they let in; absent when the service sets none. */
  loadBalancerAllowedSources?: string[];
  endpoints: DesiredEndpoint[];
}

/** Routes that carry an external client's traffic for a VIP into a node (as `ip route ... via`). */
export interface DesiredVipRoute {
  source: string;
  vip: string;
  viaNode: string;
}

export interface DesiredState {
  /** Name of the node this daemon runs for. */
  node: string;
  /**
   * Every node with its loopback addresses (the first is the primary, used for SNAT) and, when
   * localhost node ports are on, the address standing for that node's 127.0.0.1; `podGateway` is
   * the node's pod-side address (traffic the node masquerades toward its own pods comes from it).
   */
  nodes: { name: string; addresses: string[]; localhost?: string; podGateway?: string }[];
  /** Pod loopback addresses and their nodes (traffic from these counts as cluster-internal). */
  pods: { address: string; node: string }[];
  /** Whether this daemon owns the VIP listeners (ClusterIP, external and LB IPs). */
  vipOwner: boolean;
  vipRoutes: DesiredVipRoute[];
  /** SNAT every service connection (kube-proxy --masquerade-all). */
  masqueradeAll: boolean;
  /**
   * --detect-local-mode: ClusterCIDR (default when absent) tells traffic from any pod apart;
   * NodeCIDR, BridgeInterface and InterfaceNamePrefix only traffic from this node's pods; None none.
   */
  detectLocal?: DetectLocalMode;
  services: DesiredServicePort[];
}

/** Largest control request body accepted. */
export const MAX_STATE_BYTES = 4 * 1024 * 1024;
const MAX_ITEMS = 50_000;

export class DesiredStateError extends Error {}

type Json = unknown;

function fail(path: string, expected: string, got: Json): never {
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
  throw new DesiredStateError(`${path}: expected ${expected}, got ${shown}`);
}

function obj(v: Json, path: string, keys: string[], optional: string[] = []): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
  const o = v as Record<string, Json>;
  for (const k of Object.keys(o)) if (!keys.includes(k) && !optional.includes(k)) throw new DesiredStateError(`${path}: unknown field '${k}'`);
  for (const k of keys) if (!(k in o)) throw new DesiredStateError(`${path}: missing field '${k}'`);
  return o;
}

function arr(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) fail(path, 'an array', v);
  if (v.length > MAX_ITEMS) throw new DesiredStateError(`${path}: more than ${MAX_ITEMS} items`);
  return v;
}

function str(v: Json, path: string): string {
  if (typeof v !== 'string' || v.length > 253) fail(path, 'a string of at most 253 characters', v);
  return v;
}

function bool(v: Json, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'true or false', v);
  return v;
}

function port(v: Json, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) fail(path, 'a port 1..65535', v);
  return v;
}

/** Loopback IPv4 only: the daemon must never listen on or connect to anything else. */
function loop(v: Json, path: string): string {
  if (typeof v !== 'string' || !net.isIPv4(v) || !v.startsWith('127.')) fail(path, 'a 127.0.0.0/8 address', v);
  return v;
}

function oneOf<T extends string>(v: Json, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) fail(path, values.join(' or '), v);
  return v as T;
}

function endpoint(v: Json, path: string): DesiredEndpoint {
  const o = obj(v, path, ['address', 'port', 'node', 'ready', 'serving', 'terminating']);
  return {
    address: loop(o.address, `${path}.address`),
    port: port(o.port, `${path}.port`),
    node: str(o.node, `${path}.node`),
    ready: bool(o.ready, `${path}.ready`),
    serving: bool(o.serving, `${path}.serving`),
    terminating: bool(o.terminating, `${path}.terminating`),
  };
}

function servicePort(v: Json, path: string): DesiredServicePort {
  const o = obj(
    v,
    path,
    ['key', 'port', 'externalIPs', 'loadBalancerIPs', 'externalTrafficPolicy', 'internalTrafficPolicy', 'endpoints'],
    ['protocol', 'clusterIP', 'nodePort', 'healthCheckNodePort', 'affinityTimeoutSeconds', 'loadBalancerAllowedSources'],
  );
  const out: DesiredServicePort = {
    key: str(o.key, `${path}.key`),
    port: port(o.port, `${path}.port`),
    externalIPs: arr(o.externalIPs, `${path}.externalIPs`).map((x, i) => loop(x, `${path}.externalIPs[${i}]`)),
    loadBalancerIPs: arr(o.loadBalancerIPs, `${path}.loadBalancerIPs`).map((x, i) => loop(x, `${path}.loadBalancerIPs[${i}]`)),
    externalTrafficPolicy: oneOf(o.externalTrafficPolicy, `${path}.externalTrafficPolicy`, ['Cluster', 'Local'] as const),
    internalTrafficPolicy: oneOf(o.internalTrafficPolicy, `${path}.internalTrafficPolicy`, ['Cluster', 'Local'] as const),
    endpoints: arr(o.endpoints, `${path}.endpoints`).map((e, i) => endpoint(e, `${path}.endpoints[${i}]`)),
  };
  if (o.loadBalancerAllowedSources !== undefined) {
    out.loadBalancerAllowedSources = arr(o.loadBalancerAllowedSources, `${path}.loadBalancerAllowedSources`).map((x, i) => loop(x, `${path}.loadBalancerAllowedSources[${i}]`));
  }
  if (o.clusterIP !== undefined) out.clusterIP = loop(o.clusterIP, `${path}.clusterIP`);
  if (o.protocol !== undefined) out.protocol = oneOf(o.protocol, `${path}.protocol`, ['TCP', 'UDP'] as const);
  if (o.nodePort !== undefined) out.nodePort = port(o.nodePort, `${path}.nodePort`);
  if (o.healthCheckNodePort !== undefined) out.healthCheckNodePort = port(o.healthCheckNodePort, `${path}.healthCheckNodePort`);
  if (o.affinityTimeoutSeconds !== undefined) {
    const t = o.affinityTimeoutSeconds;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 86400) fail(`${path}.affinityTimeoutSeconds`, 'an integer 1..86400', t);
    out.affinityTimeoutSeconds = t;
  }
  return out;
}

/** Check a parsed request body completely; throws DesiredStateError naming the first bad field. */
export function validateDesiredState(v: Json): DesiredState {
  const o = obj(v, 'state', ['node', 'nodes', 'pods', 'vipOwner', 'vipRoutes', 'masqueradeAll', 'services'], ['detectLocal']);
  const state: DesiredState = {
    node: str(o.node, 'state.node'),
    nodes: arr(o.nodes, 'state.nodes').map((n, i) => {
      const p = `state.nodes[${i}]`;
      const no = obj(n, p, ['name', 'addresses'], ['localhost', 'podGateway']);
      const addresses = arr(no.addresses, `${p}.addresses`).map((a, j) => loop(a, `${p}.addresses[${j}]`));
      if (addresses.length === 0) throw new DesiredStateError(`${p}.addresses: expected at least one address`);
      const node: DesiredState['nodes'][number] = { name: str(no.name, `${p}.name`), addresses };
      if (no.localhost !== undefined) node.localhost = loop(no.localhost, `${p}.localhost`);
      if (no.podGateway !== undefined) node.podGateway = loop(no.podGateway, `${p}.podGateway`);
      return node;
    }),
    pods: arr(o.pods, 'state.pods').map((x, i) => {
      const po = obj(x, `state.pods[${i}]`, ['address', 'node']);
      return { address: loop(po.address, `state.pods[${i}].address`), node: str(po.node, `state.pods[${i}].node`) };
    }),
    vipOwner: bool(o.vipOwner, 'state.vipOwner'),
    vipRoutes: arr(o.vipRoutes, 'state.vipRoutes').map((x, i) => {
      const p = `state.vipRoutes[${i}]`;
      const ro = obj(x, p, ['source', 'vip', 'viaNode']);
      return { source: loop(ro.source, `${p}.source`), vip: loop(ro.vip, `${p}.vip`), viaNode: str(ro.viaNode, `${p}.viaNode`) };
    }),
    masqueradeAll: bool(o.masqueradeAll, 'state.masqueradeAll'),
    services: arr(o.services, 'state.services').map((s, i) => servicePort(s, `state.services[${i}]`)),
  };
  if (o.detectLocal !== undefined) {
    state.detectLocal = oneOf(o.detectLocal, 'state.detectLocal', ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix', 'None'] as const);
  }
  if (!state.nodes.some((n) => n.name === state.node)) throw new DesiredStateError(`state.node: '${state.node}' is not among state.nodes`);
  const keys = new Set<string>();
  for (const s of state.services) {
    if (keys.has(s.key)) throw new DesiredStateError(`state.services: duplicate key '${s.key}'`);
    keys.add(s.key);
  }
  return state;
}
