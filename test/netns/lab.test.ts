/**
 * The kernel lab: seed-004-shaped cluster in real namespaces with kube-proxy's rendered rules.
 * Needs root and iptables/iproute2/conntrack; elsewhere every test here is skipped with the reason.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterState } from '../../src/model/types.js';
import type { Observation } from '../../src/observe/observation.js';
import { Lab } from '../../src/backends/netns/lab.js';
import { kernelRules, kubeProxyRules } from '../../src/backends/netns/index.js';
import { renderNodeRules } from '../../src/kubeproxy/iptables/render.js';
import {
  CLIENT,
  CLUSTER_IP,
  ECHO_POD_NAMES,
  NODE_PORT,
  NODES,
  fromClient,
  fromNode,
  kernelSkipReason,
  seed004,
  traffic,
} from './fixtures.js';

const skip = await kernelSkipReason();
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);

async function withLab<T>(state: ClusterState, body: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await Lab.up(state, { rulesFor: kubeProxyRules });
  try {
    return await body(lab);
  } finally {
    await lab.close();
  }
}

const outcomes = (obs: Observation[]) => [...new Set(obs.map((o) => o.outcome))];
const pods = (obs: Observation[]) => [...new Set(obs.map((o) => o.pod))].sort();
const podNode = new Map(seed004().pods.map((p) => [p.name, p.node]));
const gatewayOf = (nodeName: string) => {
  const node = Object.values(NODES).find((n) => n.name === nodeName)!;
  return node.podCIDR.replace(/\.0\/24$/, '.1');
};

describe(title('netns lab (seed 004 shape)'), () => {
  it.skipIf(skip)('NodePort from the client reaches every pod via every node, SNATed to that node', async () => {
    await withLab(seed004(), async (lab) => {
      for (const node of Object.values(NODES)) {
        const obs = await lab.send(traffic(fromClient(), node.ip, NODE_PORT, 40));
        expect(outcomes(obs), `via ${node.name}`).toEqual(['ok']);
        expect(pods(obs), `via ${node.name}`).toEqual([...ECHO_POD_NAMES].sort());
        for (const o of obs) {
          expect(o.ingressNode).toBe(node.name);
          expect(o.node).toBe(podNode.get(o.pod!));
          // MASQUERADE picks the address of the interface toward the pod: the node IP toward
          // another node, the node's pod gateway address toward a pod on the same node.
          expect(o.sourceSeen).toBe(o.node === node.name ? gatewayOf(node.name) : node.ip);
          expect(o.endpoint).toMatch(/^10\.10\.\d\.2:8080$/);
          // The kernel's own account, from the ingress node's conntrack table.
          expect(o.trace?.[0]?.node).toBe(node.name);
          expect(o.trace?.[0]?.note).toContain(`DNAT ${node.ip}:${NODE_PORT} to ${o.endpoint}, SNAT ${CLIENT.ip}:`);
        }
      }
    });
  });

  it.skipIf(skip)('externalTrafficPolicy Local: a pod-less node drops, a node with a pod answers from its own pod with the client IP', async () => {
    await withLab(seed004(), async (lab) => {
      await lab.apply(seed004({ replicas: 2, externalTrafficPolicy: 'Local' }));
      const dropped = await lab.send(traffic(fromClient(), NODES.cp.ip, NODE_PORT, 4, 500));
      expect(outcomes(dropped)).toEqual(['timeout']);
      const noLongerThere = await lab.send(traffic(fromClient(), NODES.w3.ip, NODE_PORT, 4, 500));
      expect(outcomes(noLongerThere)).toEqual(['timeout']);
      for (const node of [NODES.w1, NODES.w2]) {
        const obs = await lab.send(traffic(fromClient(), node.ip, NODE_PORT, 20));
        expect(outcomes(obs)).toEqual(['ok']);
        expect(pods(obs)).toEqual([ECHO_POD_NAMES[node === NODES.w1 ? 0 : 1]]);
        expect(new Set(obs.map((o) => o.sourceSeen))).toEqual(new Set([CLIENT.ip]));
        for (const o of obs) expect(o.trace?.[0]?.note).not.toContain('SNAT');
      }
    });
  });

  it.skipIf(skip)('ClusterIP answers from a node but times out from the external client', async () => {
    await withLab(seed004(), async (lab) => {
      const fromCp = await lab.send(traffic(fromNode(NODES.cp), CLUSTER_IP, 9000, 30));
      expect(outcomes(fromCp)).toEqual(['ok']);
      expect(pods(fromCp)).toEqual([...ECHO_POD_NAMES].sort());
      const outside = await lab.send(traffic(fromClient(), CLUSTER_IP, 9000, 3, 500));
      expect(outcomes(outside)).toEqual(['timeout']);
    });
  });

  it.skipIf(skip)('a service without endpoints is refused (REJECT), from outside and from a node', async () => {
    await withLab(seed004(), async (lab) => {
      await lab.apply(seed004({ replicas: 0 }));
      // More than the kernel's default ICMP burst (6 per destination): the lab lifts the limit.
      expect(outcomes(await lab.send(traffic(fromClient(), NODES.w1.ip, NODE_PORT, 12)))).toEqual(['refused']);
      expect(outcomes(await lab.send(traffic(fromNode(NODES.cp), CLUSTER_IP, 9000, 12)))).toEqual(['refused']);
      // Scaling back up brings the answers back: rules were reloaded and pods recreated.
      await lab.apply(seed004({ replicas: 1 }));
      const back = await lab.send(traffic(fromClient(), NODES.cp.ip, NODE_PORT, 5));
      expect(outcomes(back)).toEqual(['ok']);
      expect(pods(back)).toEqual([ECHO_POD_NAMES[0]]);
    });
  });

  it.skipIf(skip)('localhost node ports work from the node itself (route_localnet)', async () => {
    await withLab(seed004(), async (lab) => {
      const obs = await lab.send(traffic(fromNode(NODES.w2), '127.0.0.1', NODE_PORT, 10));
      expect(outcomes(obs)).toEqual(['ok']);
    });
  });

  it.skipIf(skip)('UDP goes through the same NAT, and a removed endpoint stops answering', async () => {
    await withLab(seed004({ protocol: 'UDP' }), async (lab) => {
      const obs = await lab.send(traffic(fromClient(), NODES.cp.ip, NODE_PORT, 30, 1000, 'UDP'));
      expect(outcomes(obs)).toEqual(['ok']);
      expect(pods(obs)).toEqual([...ECHO_POD_NAMES].sort());
      await lab.apply(seed004({ protocol: 'UDP', replicas: 1 }));
      const after = await lab.send(traffic(fromClient(), NODES.cp.ip, NODE_PORT, 10, 1000, 'UDP'));
      expect(outcomes(after)).toEqual(['ok']);
      expect(pods(after)).toEqual([ECHO_POD_NAMES[0]]);
    });
  });

  it.skipIf(skip)("the kernel's view: iptables-save inside a node prints 1/3 back as 0.33333333349", async () => {
    await withLab(seed004(), async (lab) => {
      const rendered = renderNodeRules(seed004(), NODES.cp.name);
      expect(rendered).toContain('--probability 0.3333333333 ');
      const kernel = await lab.iptablesSave(NODES.cp.name);
      expect(kernel).toContain('--probability 0.33333333349');
      expect(kernel).toContain('--probability 0.50000000000');
      expect(kernel).toMatch(/-A KUBE-NODEPORTS -p tcp .*--dport 30898 -j KUBE-EXT-/);
      // A reload replaces the tables: externalTrafficPolicy Local brings per-node KUBE-SVL chains.
      expect(kernel).not.toContain('KUBE-SVL-');
      await lab.apply(seed004({ externalTrafficPolicy: 'Local' }));
      expect(await lab.iptablesSave(NODES.w1.name)).toMatch(/-A KUBE-SVL-\S+ .*-j KUBE-SEP-/);
    });
  });

  it.skipIf(skip)('kernelRules() shows one node\'s rules as the kernel holds them, without a whole lab', async () => {
    const kernel = await kernelRules(seed004(), NODES.w3.name);
    expect(kernel).toContain('*nat');
    expect(kernel).toContain('*filter');
    expect(kernel).toContain('--probability 0.33333333349');
    expect(kernel).not.toMatch(/^#/m);
    await expect(kernelRules(seed004(), 'nope')).rejects.toThrow(/unknown node 'nope'/);
  });
});
