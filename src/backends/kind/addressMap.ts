/**
 * Scenario addresses <-> real addresses. Nodes map by role and order (the scenario's first worker
 * is the real first worker: `<cluster>-worker`, then `-worker2`...), pods by name, clients by name,
 * Services by name (ClusterIP, node ports, load-balancer ingress by index).
 */
import { firstHostAddress } from '../../model/ip.js';
import type { ClusterState, Service } from '../../model/types.js';
import type { RealNode, RealPod, RealService } from './parse.js';

/** Natural order of kind node names: worker < worker2 < worker10. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Scenario node name -> real node, by role and order; throws when the real cluster is too small. */
export function mapNodes(state: ClusterState, real: RealNode[]): Map<string, RealNode> {
  const out = new Map<string, RealNode>();
  for (const role of ['control-plane', 'worker'] as const) {
    const want = state.cluster.nodes.filter((n) => n.role === role);
    const have = real.filter((n) => n.role === role).sort((a, b) => naturalCompare(a.name, b.name));
    if (have.length < want.length) {
      throw new Error(`kind backend: the scenario has ${want.length} ${role} node(s), the cluster only ${have.length} (${have.map((n) => n.name).join(', ') || 'none'})`);
    }
    want.forEach((n, i) => out.set(n.name, have[i]));
  }
  return out;
}

/** What a target resolves to on the real cluster. */
export type RealTarget = { ip: string; port: number; ingressNode?: string } | { unsupported: string };

export class AddressMap {
  /** real IP -> scenario address (for sourceSeen). */
  private readonly back = new Map<string, string>();
  /** scenario IP -> real IP for plain addresses (nodes, pods, clients). */
  private readonly forward = new Map<string, string>();

  constructor(
    readonly state: ClusterState,
    readonly nodes: Map<string, RealNode>,
    readonly clients: Map<string, string>,
    readonly pods: Map<string, RealPod>,
    readonly services: Map<string, RealService>,
  ) {
    for (const n of state.cluster.nodes) {
      const real = nodes.get(n.name);
      if (!real) continue;
      if (n.addresses[0]) this.pair(n.addresses[0], real.internalIP);
      // The pod gateways pair up: masquerade towards a local pod uses the node's first pod address.
      const gw = firstHostAddress(n.podCIDR);
      const realGw = real.podCIDR ? firstHostAddress(real.podCIDR) : undefined;
      if (gw && realGw) this.pair(gw, realGw);
    }
    for (const c of state.cluster.clients) {
      const ip = clients.get(c.name);
      if (ip) this.pair(c.address, ip);
    }
    for (const p of state.pods) {
      const real = pods.get(p.name);
      if (real?.ip) this.pair(p.ip, real.ip);
    }
  }

  private pair(scenario: string, real: string): void {
    this.forward.set(scenario, real);
    if (!this.back.has(real)) this.back.set(real, scenario);
  }

  /** Scenario address for a real IP, or undefined when nothing of the scenario owns it. */
  scenarioAddress(realIP: string): string | undefined {
    return this.back.get(realIP);
  }

  /** Real IP of a scenario node/pod/client address. */
  realAddress(scenarioIP: string): string | undefined {
    return this.forward.get(scenarioIP);
  }

  private serviceFor(pred: (s: Service) => boolean): { svc: Service; real: RealService } | undefined {
    const svc = this.state.services.find(pred);
    const real = svc ? this.services.get(svc.name) : undefined;
    return svc && real ? { svc, real } : undefined;
  }

  private realServicePort(svc: Service, real: RealService, match: (p: Service['ports'][number]) => boolean): RealService['ports'][number] | undefined {
    const i = svc.ports.findIndex(match);
    if (i < 0) return undefined;
    const byName = real.ports.find((p) => p.name === svc.ports[i].name && p.protocol === svc.ports[i].protocol);
    return byName ?? real.ports[i];
  }

  /** Where to send a request the scenario addresses to `address:port`. */
  target(address: string, port: number): RealTarget {
    if (address.startsWith('127.')) return { unsupported: `${address} is the sender's own loopback; the kind backend sends only to node, pod and service addresses` };
    const node = this.state.cluster.nodes.find((n) => n.addresses.includes(address));
    if (node) {
      const real = this.nodes.get(node.name);
      if (!real) return { unsupported: `node ${node.name} has no real node` };
      // A node port of a scenario service: the real one may have been allocated differently.
      for (const svc of this.state.services) {
        const r = this.services.get(svc.name);
        if (!r) continue;
        const p = this.realServicePort(svc, r, (sp) => sp.nodePort === port);
        if (p?.nodePort !== undefined) return { ip: real.internalIP, port: p.nodePort, ingressNode: node.name };
        if (svc.healthCheckNodePort === port) {
          if (r.healthCheckNodePort === undefined) return { unsupported: `service ${svc.name} has no health check node port on the cluster` };
          return { ip: real.internalIP, port: r.healthCheckNodePort, ingressNode: node.name };
        }
      }
      return { ip: real.internalIP, port, ingressNode: node.name };
    }
    const cluster = this.serviceFor((s) => s.clusterIP === address);
    if (cluster) {
      if (!cluster.real.clusterIP || cluster.real.clusterIP === 'None') return { unsupported: `service ${cluster.svc.name} has no ClusterIP on the cluster` };
      const p = this.realServicePort(cluster.svc, cluster.real, (sp) => sp.port === port);
      return { ip: cluster.real.clusterIP, port: p?.port ?? port };
    }
    const ext = this.serviceFor((s) => s.externalIPs.includes(address));
    if (ext) return { ip: address, port };
    const lb = this.serviceFor((s) => s.loadBalancerIngress.some((i) => i.ip === address));
    if (lb) {
      const idx = lb.svc.loadBalancerIngress.findIndex((i) => i.ip === address);
      const ip = lb.real.loadBalancerIngress[idx];
      if (!ip) return { unsupported: `LoadBalancer ${lb.svc.name} has no ingress IP on kind (no cloud provider; run cloud-provider-kind or MetalLB)` };
      return { ip, port };
    }
    const pod = this.state.pods.find((p) => p.ip === address);
    if (pod) {
      const ip = this.forward.get(address);
      return ip ? { ip, port } : { unsupported: `pod ${pod.name} has no IP on the cluster` };
    }
    return { unsupported: `target ${address} is no node, pod or service address of this scenario` };
  }
}
