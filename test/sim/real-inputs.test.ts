/** Serving hosts and node-subnet pod addressing on the simulator, and the detect-local rules behind them. */
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backends/sim/index.js';
import { renderNodeRules } from '../../src/kubeproxy/iptables/render.js';
import { NODE_SUBNET, SERVING_HOST, answered, runSteps } from '../real-inputs-scenarios.js';
import { compile } from '../dsl/helpers.js';

describe('serving hosts on sim', () => {
  it('answers a selector-less Service whose Endpoints point outside the cluster, naming the host', async () => {
    const { steps } = await runSteps(createBackend(), SERVING_HOST);
    const [fromNode, fromPod, direct, wrongPort] = steps.map(answered);
    for (const o of [...fromNode, ...fromPod, ...direct]) {
      expect(o.outcome).toBe('ok');
      expect(o.host).toBe('upstream');
      expect(o.endpoint).toBe('192.0.2.42:9376');
      expect(o.pod).toBeUndefined();
    }
    // A node's traffic to a ClusterIP is masqueraded (not from the cluster CIDR); a pod's is not.
    expect(new Set(fromNode.map((o) => o.sourceSeen))).toEqual(new Set(['192.168.1.10']));
    expect(new Set(fromPod.map((o) => o.sourceSeen))).toEqual(new Set(['172.16.1.2']));
    expect(new Set(direct.map((o) => o.sourceSeen))).toEqual(new Set(['192.168.1.50']));
    expect(wrongPort.every((o) => o.outcome === 'refused')).toBe(true);
  });
});

describe('node-subnet pod addressing on sim', () => {
  it('gives pods addresses of their nodes\' subnets, podIPs first, and routes them from outside', async () => {
    const { scenario, steps } = await runSteps(createBackend(), NODE_SUBNET);
    const ips = Object.fromEntries(scenario.initial.pods.map((p) => [p.name, p.ip]));
    expect(ips).toEqual({ 'web-1': '10.11.16.79', 'web-2': '10.11.41.25', shell: '10.11.32.4' });
    const [direct, fromPod, fromNode, nodePort] = steps.map(answered);
    expect(direct.every((o) => o.outcome === 'ok' && o.pod === 'web-1' && o.sourceSeen === '10.11.0.10')).toBe(true);
    // The pod's traffic enters by an eni* link: not masqueraded (unless it lands on itself).
    expect(fromPod.every((o) => o.outcome === 'ok' && o.sourceSeen === '10.11.32.4')).toBe(true);
    // Node traffic is not from an eni* link: masqueraded to the node's own address (no pod gateway address).
    expect(new Set(fromNode.map((o) => o.sourceSeen))).toEqual(new Set(['10.11.28.53']));
    expect(new Set(nodePort.map((o) => o.pod))).toEqual(new Set(['web-1', 'web-2']));
  });

  it('renders every detect-local mode as kube-proxy does', async () => {
    const base = await compile(NODE_SUBNET);
    const rules = (kubeProxy: Record<string, unknown>) => {
      const state = structuredClone(base.initial);
      state.cluster.kubeProxy = { ...state.cluster.kubeProxy, bridgeInterface: undefined, interfaceNamePrefix: undefined, ...kubeProxy };
      return renderNodeRules(state, 'a').split('\n').filter((l) => l.includes('KUBE-MARK-MASQ') && l.includes('cluster IP'));
    };
    expect(rules({ detectLocal: 'InterfaceNamePrefix', interfaceNamePrefix: 'eni' })[0]).toMatch(/--dport 8080 ! -i eni\+ -j KUBE-MARK-MASQ$/);
    expect(rules({ detectLocal: 'BridgeInterface', bridgeInterface: 'cbr0' })[0]).toMatch(/--dport 8080 ! -i cbr0 -j KUBE-MARK-MASQ$/);
    expect(rules({ detectLocal: 'NodeCIDR' })[0]).toMatch(/--dport 8080 ! -s 10\.11\.16\.0\/20 -j KUBE-MARK-MASQ$/);
    expect(rules({ detectLocal: 'ClusterCIDR' })[0]).toMatch(/--dport 8080 ! -s 10\.11\.0\.0\/16 -j KUBE-MARK-MASQ$/);
    expect(rules({ detectLocal: 'None' })).toEqual([]);
  });
});
