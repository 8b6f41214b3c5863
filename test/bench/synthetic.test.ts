import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/backends/sim/network.js';
import { renderNodeRules } from '../../src/kubeproxy/iptables/render.js';
import { Rng } from '../../src/evaluators/iptables/rng.js';
import { SYNTHETIC_CLIENT, syntheticCluster, syntheticNodePortCount, syntheticServiceType } from '../../src/bench/synthetic.js';

describe('syntheticCluster', () => {
  it('builds the asked-for numbers of nodes, Services and endpoints', () => {
    const s = syntheticCluster({ nodes: 20, services: 100, endpointsPerService: 7 });
    expect(s.cluster.nodes).toHaveLength(20);
    expect(s.services).toHaveLength(100);
    expect(s.endpointSlices).toHaveLength(100);
    expect(s.pods).toHaveLength(700);
    expect(s.endpointSlices.reduce((n, e) => n + e.endpoints.length, 0)).toBe(700);
    expect(s.cluster.clients).toEqual([{ name: SYNTHETIC_CLIENT.name, address: SYNTHETIC_CLIENT.address, routes: [] }]);
  });

  it('is deterministic', () => {
    expect(syntheticCluster({ nodes: 5, services: 30 })).toEqual(syntheticCluster({ nodes: 5, services: 30 }));
  });

  it('gives every node, pod and Service a distinct address inside its CIDR', () => {
    const s = syntheticCluster({ nodes: 300, services: 2000, endpointsPerService: 10 });
    const nodeIps = s.cluster.nodes.map((n) => n.addresses[0]);
    const podIps = s.pods.map((p) => p.ip);
    const svcIps = s.services.map((x) => x.clusterIP);
    expect(new Set(nodeIps).size).toBe(nodeIps.length);
    expect(new Set(podIps).size).toBe(podIps.length);
    expect(new Set(svcIps).size).toBe(svcIps.length);
    expect(nodeIps.every((a) => a.startsWith('172.20.'))).toBe(true);
    expect(svcIps.every((a) => a.startsWith('10.96.'))).toBe(true);
    // Each pod sits in its own node's /24.
    const cidrOf = new Map(s.cluster.nodes.map((n) => [n.name, n.podCIDR.replace(/\.0\/24$/, '.')]));
    for (const p of s.pods) expect(p.ip.startsWith(cidrOf.get(p.node)!)).toBe(true);
    const last = Number(s.pods.map((p) => p.ip.split('.')[3]).sort((a, b) => Number(b) - Number(a))[0]);
    expect(last).toBeLessThanOrEqual(254);
  });

  it('mixes ClusterIP, NodePort and LoadBalancer Services with unique node ports in range', () => {
    const s = syntheticCluster({ nodes: 10, services: 200 });
    const types = s.services.map((x) => x.type);
    expect(types.filter((t) => t === 'NodePort')).toHaveLength(20);
    expect(types.filter((t) => t === 'LoadBalancer')).toHaveLength(4);
    const ports = s.services.flatMap((x) => x.ports.map((p) => p.nodePort)).filter((p) => p !== undefined);
    expect(ports).toHaveLength(syntheticNodePortCount(200));
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.every((p) => p! >= 30000 && p! <= 32767)).toBe(true);
    for (const lb of s.services.filter((x) => x.type === 'LoadBalancer')) expect(lb.loadBalancerIngress).toHaveLength(1);
    expect(syntheticServiceType(0)).toBe('NodePort');
    expect(syntheticServiceType(5)).toBe('LoadBalancer');
    expect(syntheticServiceType(1)).toBe('ClusterIP');
  });

  it('slices reference pods and nodes that exist and match the Service selector', () => {
    const s = syntheticCluster({ nodes: 8, services: 40, endpointsPerService: 3 });
    const pods = new Map(s.pods.map((p) => [p.name, p]));
    const nodes = new Set(s.cluster.nodes.map((n) => n.name));
    for (const slice of s.endpointSlices) {
      const svc = s.services.find((x) => x.name === slice.serviceName)!;
      for (const ep of slice.endpoints) {
        const pod = pods.get(ep.pod!)!;
        expect(pod.ip).toBe(ep.addresses[0]);
        expect(nodes.has(ep.nodeName!)).toBe(true);
        expect(pod.labels).toMatchObject(svc.selector!);
      }
    }
  });

  it('rejects sizes that do not fit the address plan, naming the limit', () => {
    expect(() => syntheticCluster({ nodes: 2000, services: 10 })).toThrow(/nodes must be an integer from 1 to 1024/);
    expect(() => syntheticCluster({ nodes: 1, services: 100, endpointsPerService: 10 })).toThrow(/1000 pods per node do not fit/);
    expect(() => syntheticCluster({ nodes: 1000, services: 30_000, endpointsPerService: 1 })).toThrow(/node ports exceed/);
    expect(() => syntheticCluster({ nodes: 0, services: 1 })).toThrow(RangeError);
  });

  it('serves its NodePorts in the simulator: a client reaches a backing pod through any node', () => {
    const s = syntheticCluster({ nodes: 4, services: 30, endpointsPerService: 3 });
    const net = new SimNetwork(s, renderNodeRules);
    const rng = new Rng(7);
    const svc = s.services.find((x) => x.type === 'NodePort' && x.name !== 'svc-00000')!;
    const backing = new Set(s.endpointSlices.find((e) => e.serviceName === svc.name)!.endpoints.map((e) => e.pod));
    for (const [i, node] of s.cluster.nodes.entries()) {
      const r = net.request({ kind: 'client', name: SYNTHETIC_CLIENT.name }, node.addresses[0], svc.ports[0].nodePort!, 'tcp', {
        chance: (p) => rng.next() < p,
        now: i,
        mutate: true,
        sport: 40000 + i,
        trace: false,
      });
      expect(r.outcome).toBe('ok');
      expect(backing.has(r.pod)).toBe(true);
    }
  });
});
