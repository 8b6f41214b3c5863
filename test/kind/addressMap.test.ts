import { describe, expect, it } from 'vitest';
import { AddressMap, mapNodes } from '../../src/backends/kind/addressMap.js';
import { firstHostAddress } from '../../src/model/ip.js';
import type { RealNode, RealPod, RealService } from '../../src/backends/kind/parse.js';
import { parseNodesJson } from '../../src/backends/kind/parse.js';
import { seed004, transcript } from './helpers.js';

const node = (name: string, role: RealNode['role'], ip: string, podCIDR: string): RealNode => ({ name, role, internalIP: ip, podCIDR, ready: true });

describe('scenario <-> real addresses', () => {
  it('nodes map by role and kind order (worker, worker2 ... worker10), whatever their IPs', async () => {
    const s = await seed004();
    const real = [
      node('lab-worker10', 'worker', '172.18.0.12', '10.244.10.0/24'),
      node('lab-worker2', 'worker', '172.18.0.3', '10.244.2.0/24'),
      node('lab-control-plane', 'control-plane', '172.18.0.9', '10.244.0.0/24'),
      node('lab-worker', 'worker', '172.18.0.5', '10.244.1.0/24'),
    ];
    expect([...mapNodes(s.initial, real)].map(([a, b]) => [a, b.name])).toEqual([
      ['myk8s-control-plane', 'lab-control-plane'],
      ['myk8s-worker', 'lab-worker'],
      ['myk8s-worker2', 'lab-worker2'],
      ['myk8s-worker3', 'lab-worker10'],
    ]);
    expect(() => mapNodes(s.initial, real.filter((n) => n.role === 'worker'))).toThrow('the scenario has 1 control-plane node(s), the cluster only 0 (none)');
  });

  it('the seed 004 cluster itself maps onto its own scenario one to one', async () => {
    const s = await seed004();
    const m = mapNodes(s.initial, parseNodesJson(transcript('kubectl-get-nodes.json')));
    expect([...m].every(([a, b]) => a === b.name)).toBe(true);
  });

  it('targets: node ports follow the real allocation, ClusterIPs the real service; sources map back to scenario addresses', async () => {
    const s = await seed004();
    const real = [
      node('k-control-plane', 'control-plane', '172.18.0.7', '10.10.0.0/24'),
      node('k-worker', 'worker', '172.18.0.9', '10.10.3.0/24'),
      node('k-worker2', 'worker', '172.18.0.8', '10.10.1.0/24'),
      node('k-worker3', 'worker', '172.18.0.6', '10.10.2.0/24'),
    ];
    const pods = new Map<string, RealPod>([['deploy-echo-1', { name: 'deploy-echo-1', node: 'k-worker', ip: '10.10.3.5', phase: 'Running', ready: true, deleting: false }]]);
    const services = new Map<string, RealService>([
      ['svc-nodeport', { name: 'svc-nodeport', type: 'NodePort', clusterIP: '10.96.44.2', ports: [{ name: 'svc-webport', protocol: 'TCP', port: 9000, nodePort: 31999 }], externalIPs: [], loadBalancerIngress: [] }],
    ]);
    const map = new AddressMap(s.initial, mapNodes(s.initial, real), new Map([['mypc', '172.18.0.44']]), pods, services);
    expect(map.target('172.18.0.4', 30682)).toEqual({ ip: '172.18.0.7', port: 31999, ingressNode: 'myk8s-control-plane' });
    expect(map.target('10.200.1.73', 9000)).toEqual({ ip: '10.96.44.2', port: 9000 });
    expect(map.target('10.10.2.2', 8080)).toEqual({ ip: '10.10.3.5', port: 8080 });
    expect(map.target('127.0.0.1', 30682)).toMatchObject({ unsupported: expect.stringContaining('loopback') });
    expect(map.target('192.0.2.1', 80)).toMatchObject({ unsupported: 'target 192.0.2.1 is no node, pod or service address of this scenario' });
    expect(map.scenarioAddress('172.18.0.7')).toBe('172.18.0.4');
    expect(map.scenarioAddress('172.18.0.44')).toBe('172.18.0.100');
    expect(map.scenarioAddress('10.10.3.5')).toBe('10.10.2.2');
    // Masquerade towards a local pod uses the node's pod gateway: worker's real 10.10.3.1 = scenario 10.10.2.1.
    expect(map.scenarioAddress('10.10.3.1')).toBe('10.10.2.1');
    expect(map.scenarioAddress('8.8.8.8')).toBeUndefined();
    expect(firstHostAddress('10.244.1.0/24')).toBe('10.244.1.1');
  });
});
