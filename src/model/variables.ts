/**
 * Variables (CNODE, NODE1.., NPORT, CIP, CIPPORT, LBIP) and expressions (nodePort(svc, port),
 * clusterIP(svc), node(name), ...), resolved against the cluster state a step runs against.
 */
import { isIP } from 'node:net';
import type { ClusterState, NodeSpec, Service, ServicePort } from './types.js';

export type Term =
  | { kind: 'var'; name: string; text: string; offset: number }
  | { kind: 'call'; fn: string; args: string[]; text: string; offset: number }
  | { kind: 'address'; text: string; offset: number }
  | { kind: 'number'; value: number; text: string; offset: number };

/** A term that cannot be resolved; `notes` say what was expected. */
export class ResolveError extends Error {
  constructor(
    message: string,
    readonly notes: string[] = [],
  ) {
    super(message);
  }
}

export const HOST_VARIABLES = ['CNODE', 'CIP', 'LBIP'];
export const PORT_VARIABLES = ['NPORT', 'CIPPORT'];
export const HOST_FUNCTIONS = ['clusterIP', 'lbIP', 'externalIP', 'node', 'pod', 'host'];
export const PORT_FUNCTIONS = ['nodePort', 'port', 'healthCheckNodePort'];

/** The node's primary address: its first IPv4 address, else its first address. */
export function primaryAddress(node: NodeSpec): string {
  return node.addresses.find((a) => isIP(a) === 4) ?? node.addresses[0];
}

/** The nodes NODE1..NODEn stand for: every node but the one CNODE names, in order. */
export function numberedNodes(state: ClusterState): NodeSpec[] {
  const cnode = state.cluster.nodes.find((n) => n.role === 'control-plane');
  return state.cluster.nodes.filter((n) => n !== cnode);
}

export function variableNames(state: ClusterState): string[] {
  return [...HOST_VARIABLES, ...numberedNodes(state).map((_, i) => `NODE${i + 1}`), ...PORT_VARIABLES];
}

function names(list: { name: string }[]): string {
  return list.map((s) => s.name).join(', ');
}

function findService(state: ClusterState, namespace: string, name: string): Service {
  const svc = state.services.find((s) => s.namespace === namespace && s.name === name);
  if (svc === undefined) {
    const known = state.services.filter((s) => s.namespace === namespace).map((s) => s.name);
    throw new ResolveError(`no Service '${name}' at this step`, known.length > 0 ? [`expected one of: ${known.join(', ')}`] : ['expected the name of a Service in the scenario']);
  }
  return svc;
}

function pickPort(svc: Service, which: string | undefined, fn: string, usable: (p: ServicePort) => boolean): ServicePort {
  const ports = svc.ports.filter(usable);
  if (which === undefined) {
    if (ports.length === 1) return ports[0];
    if (ports.length === 0) {
      throw new ResolveError(`Service '${svc.name}' has no ${fn === 'nodePort' ? 'node ports' : 'ports'}`, [fn === 'nodePort' ? 'expected a NodePort or LoadBalancer Service' : 'expected a Service with ports']);
    }
    throw new ResolveError(`Service '${svc.name}' has ${ports.length} ports; ${fn}(${svc.name}) does not say which`, [
      `expected ${fn}(${svc.name}, PORT) with PORT one of: ${ports.map((p) => p.name || String(p.port)).join(', ')}`,
    ]);
  }
  const found = ports.find((p) => p.name === which) ?? ports.find((p) => String(p.port) === which);
  if (found === undefined) {
    throw new ResolveError(`Service '${svc.name}' has no port '${which}'${fn === 'nodePort' ? ' with a node port' : ''}`, [
      `expected one of: ${ports.map((p) => p.name || String(p.port)).join(', ')}`,
    ]);
  }
  return found;
}

/** The Service a bare variable (NPORT, CIP, CIPPORT, LBIP) refers to. */
function obviousService(state: ClusterState, variable: string): Service {
  const rule: Record<string, { test: (s: Service) => boolean; what: string; explicit: string }> = {
    NPORT: { test: (s) => s.ports.some((p) => p.nodePort !== undefined), what: 'a Service with node ports', explicit: 'nodePort(SERVICE)' },
    CIP: { test: (s) => s.clusterIP !== 'None' && s.type !== 'ExternalName', what: 'a Service with a cluster IP', explicit: 'clusterIP(SERVICE)' },
    CIPPORT: { test: (s) => s.clusterIP !== 'None' && s.type !== 'ExternalName', what: 'a Service with a cluster IP', explicit: 'port(SERVICE)' },
    LBIP: { test: (s) => s.type === 'LoadBalancer' && s.loadBalancerIngress.length > 0, what: 'a LoadBalancer Service with status.loadBalancer.ingress', explicit: 'lbIP(SERVICE)' },
  };
  const r = rule[variable];
  const candidates = state.services.filter(r.test);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) throw new ResolveError(`${variable} needs ${r.what}; there is none at this step`, [`expected a scenario with exactly one such Service, or an explicit address`]);
  throw new ResolveError(`${variable} is ambiguous: ${candidates.length} Services could be meant (${names(candidates)})`, [
    `expected exactly one such Service, or the explicit form`,
    `use ${r.explicit.replace('SERVICE', candidates[0].name)} (or another of: ${names(candidates)})`,
  ]);
}

function arity(t: Extract<Term, { kind: 'call' }>, min: number, max: number): void {
  if (t.args.length < min || t.args.length > max) {
    const shape = max === 1 ? `${t.fn}(NAME)` : `${t.fn}(SERVICE) or ${t.fn}(SERVICE, PORT)`;
    throw new ResolveError(`${t.fn}(...) takes ${min === max ? min : `${min} or ${max}`} argument(s), found ${t.args.length}`, [`expected ${shape}`]);
  }
}

/** Resolves the host side of a target (or a sourceSeen address) to an address. */
export function resolveHost(t: Term, state: ClusterState, namespace: string): string {
  switch (t.kind) {
    case 'address':
      if (isIP(t.text) === 0) throw new ResolveError(`'${t.text}' is not an IP address`, ['expected an IPv4 or IPv6 address']);
      return t.text;
    case 'number':
      throw new ResolveError(`'${t.text}' is a number, not an address`, ['expected an address, a variable such as CNODE, or an expression such as node(NAME)']);
    case 'var': {
      if (t.name === 'CNODE') {
        const cp = state.cluster.nodes.find((n) => n.role === 'control-plane');
        if (cp === undefined) throw new ResolveError('CNODE needs a control-plane node; this cluster has none', [`expected node(NAME) with NAME one of: ${names(state.cluster.nodes)}`]);
        return primaryAddress(cp);
      }
      const m = /^NODE([0-9]+)$/.exec(t.name);
      if (m) {
        const nodes = numberedNodes(state);
        const n = Number(m[1]);
        if (n < 1 || n > nodes.length) throw new ResolveError(`${t.name} does not exist: there are ${nodes.length} nodes besides CNODE`, [nodes.length > 0 ? `expected NODE1 to NODE${nodes.length}` : 'expected CNODE']);
        return primaryAddress(nodes[n - 1]);
      }
      if (t.name === 'CIP') return obviousService(state, 'CIP').clusterIP;
      if (t.name === 'LBIP') return obviousService(state, 'LBIP').loadBalancerIngress[0].ip;
      if (PORT_VARIABLES.includes(t.name)) throw new ResolveError(`${t.name} is a port, not an address`, [`expected an address variable: ${variableNames(state).filter((v) => !PORT_VARIABLES.includes(v)).join(', ')}`]);
      throw new ResolveError(`undefined variable '${t.name}'`, [`expected one of: ${variableNames(state).join(', ')}, or an expression such as ${HOST_FUNCTIONS.map((f) => `${f}(...)`).join(', ')}`]);
    }
    case 'call': {
      switch (t.fn) {
        case 'clusterIP': {
          arity(t, 1, 1);
          const svc = findService(state, namespace, t.args[0]);
          if (svc.clusterIP === 'None') throw new ResolveError(`Service '${svc.name}' has no cluster IP (headless or ExternalName)`, ['expected a Service with a cluster IP']);
          return svc.clusterIP;
        }
        case 'lbIP': {
          arity(t, 1, 1);
          const svc = findService(state, namespace, t.args[0]);
          if (svc.loadBalancerIngress.length === 0) throw new ResolveError(`Service '${svc.name}' has no status.loadBalancer.ingress address`, ['expected a LoadBalancer Service with status.loadBalancer.ingress: [{ ip: ADDRESS }]']);
          return svc.loadBalancerIngress[0].ip;
        }
        case 'externalIP': {
          arity(t, 1, 1);
          const svc = findService(state, namespace, t.args[0]);
          if (svc.externalIPs.length === 0) throw new ResolveError(`Service '${svc.name}' has no externalIPs`, ['expected a Service with spec.externalIPs']);
          return svc.externalIPs[0];
        }
        case 'node': {
          arity(t, 1, 1);
          const node = state.cluster.nodes.find((n) => n.name === t.args[0]);
          if (node === undefined) throw new ResolveError(`no node '${t.args[0]}'`, [`expected one of: ${names(state.cluster.nodes)}`]);
          return primaryAddress(node);
        }
        case 'pod': {
          arity(t, 1, 1);
          const pod = state.pods.find((p) => p.namespace === namespace && p.name === t.args[0]);
          if (pod === undefined) throw new ResolveError(`no pod '${t.args[0]}' at this step`, [`expected one of: ${names(state.pods.filter((p) => p.namespace === namespace))}`]);
          return pod.ip;
        }
        case 'host': {
          arity(t, 1, 1);
          const client = state.cluster.clients.find((c) => c.name === t.args[0]);
          if (client === undefined) throw new ResolveError(`no host '${t.args[0]}' in cluster.clients`, [`expected one of: ${names(state.cluster.clients) || '(no clients)'}`]);
          return client.address;
        }
        default:
          if (PORT_FUNCTIONS.includes(t.fn)) throw new ResolveError(`${t.fn}(...) is a port, not an address`, [`expected one of: ${HOST_FUNCTIONS.map((f) => `${f}(...)`).join(', ')}`]);
          throw new ResolveError(`unknown function '${t.fn}'`, [`expected one of: ${[...HOST_FUNCTIONS, ...PORT_FUNCTIONS].map((f) => `${f}(...)`).join(', ')}`]);
      }
    }
  }
}

/** Resolves the port side of a target. */
export function resolvePort(t: Term, state: ClusterState, namespace: string): number {
  switch (t.kind) {
    case 'number':
      if (t.value < 1 || t.value > 65535) throw new ResolveError(`port ${t.value} is out of range`, ['expected 1 to 65535']);
      return t.value;
    case 'address':
      throw new ResolveError(`'${t.text}' is not a port`, ['expected a port number, NPORT, CIPPORT, or an expression such as nodePort(SERVICE)']);
    case 'var': {
      if (t.name === 'NPORT') {
        const svc = obviousService(state, 'NPORT');
        return pickPort(svc, undefined, 'nodePort', (p) => p.nodePort !== undefined).nodePort!;
      }
      if (t.name === 'CIPPORT') {
        const svc = obviousService(state, 'CIPPORT');
        return pickPort(svc, undefined, 'port', () => true).port;
      }
      if (HOST_VARIABLES.includes(t.name) || /^NODE[0-9]+$/.test(t.name)) throw new ResolveError(`${t.name} is an address, not a port`, ['expected a port number, NPORT or CIPPORT']);
      throw new ResolveError(`undefined variable '${t.name}'`, [`expected a port number, one of: ${PORT_VARIABLES.join(', ')}, or an expression such as ${PORT_FUNCTIONS.map((f) => `${f}(...)`).join(', ')}`]);
    }
    case 'call': {
      switch (t.fn) {
        case 'nodePort': {
          arity(t, 1, 2);
          const svc = findService(state, namespace, t.args[0]);
          return pickPort(svc, t.args[1], 'nodePort', (p) => p.nodePort !== undefined).nodePort!;
        }
        case 'port': {
          arity(t, 1, 2);
          const svc = findService(state, namespace, t.args[0]);
          return pickPort(svc, t.args[1], 'port', () => true).port;
        }
        case 'healthCheckNodePort': {
          arity(t, 1, 1);
          const svc = findService(state, namespace, t.args[0]);
          if (svc.healthCheckNodePort === undefined) throw new ResolveError(`Service '${svc.name}' has no health check node port`, ['expected a LoadBalancer Service with externalTrafficPolicy: Local']);
          return svc.healthCheckNodePort;
        }
        default:
          if (HOST_FUNCTIONS.includes(t.fn)) throw new ResolveError(`${t.fn}(...) is an address, not a port`, [`expected one of: ${PORT_FUNCTIONS.map((f) => `${f}(...)`).join(', ')}`]);
          throw new ResolveError(`unknown function '${t.fn}'`, [`expected one of: ${[...HOST_FUNCTIONS, ...PORT_FUNCTIONS].map((f) => `${f}(...)`).join(', ')}`]);
      }
    }
  }
}
