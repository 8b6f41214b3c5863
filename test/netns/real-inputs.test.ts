/**
 * Serving hosts and node-subnet pod addressing in real network namespaces: the host on its own
 * subnet behind the fabric, pods found by proxy ARP, veths named eni*. Needs root; skipped with
 * the reason elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backends/netns/index.js';
import { planFabric, clientBatch, podAttachBatch, planPods } from '../../src/backends/netns/topology.js';
import { NODE_SUBNET, SERVING_HOST, answered, runSteps } from '../real-inputs-scenarios.js';
import { compile } from '../dsl/helpers.js';
import { kernelSkipReason } from './fixtures.js';

const skip = await kernelSkipReason();
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);

describe('netns layout for serving hosts and node-subnet pods', () => {
  it('puts an off-segment serving host on its own /24 with routes to the pod ranges', async () => {
    const s = await compile(SERVING_HOST);
    const plan = planFabric(s.initial);
    const host = plan.clients.find((c) => c.name === 'upstream')!;
    expect(host.ownSubnet).toEqual({ prefix: 24, gateway: '192.0.2.1' });
    expect(plan.segment).toBe('192.168.1.0');
    expect(clientBatch(plan, host)).toEqual(expect.arrayContaining(['addr add 192.0.2.42/24 dev eth0', 'route add 172.16.0.0/24 via 192.168.1.10 dev eth0 onlink', 'route add default via 192.0.2.1']));
  });

  it('links node-subnet pods by eni* veths without an address on the node side', async () => {
    const s = await compile(NODE_SUBNET);
    const plan = planFabric(s.initial);
    expect(plan.podLinkPrefix).toBe('eni');
    expect(plan.nodes[0].podGateway).toBe('169.254.1.1');
    const lines = podAttachBatch(plan.nodes[0], planPods(s.initial)[0], 'p0', 'eni0');
    expect(lines.some((l) => l.startsWith('addr add'))).toBe(false);
  });
});

describe('netns kernel runs', () => {
  it.skipIf(skip !== undefined)(title('a serving host answers selector-less Service traffic through the kernel'), async () => {
    const { steps } = await runSteps(createBackend(), SERVING_HOST);
    const [fromNode, fromPod, direct, wrongPort] = steps.map(answered);
    for (const o of [...fromNode, ...fromPod, ...direct]) {
      expect(o.outcome).toBe('ok');
      expect(o.host).toBe('upstream');
    }
    expect(new Set(fromNode.map((o) => o.sourceSeen))).toEqual(new Set(['192.168.1.10']));
    expect(new Set(fromPod.map((o) => o.sourceSeen))).toEqual(new Set(['172.16.1.2']));
    expect(new Set(direct.map((o) => o.sourceSeen))).toEqual(new Set(['192.168.1.50']));
    expect(wrongPort.every((o) => o.outcome === 'refused')).toBe(true);
  }, 60_000);

  it.skipIf(skip !== undefined)(title('node-subnet pods answer on their subnet addresses with eni* detection in the kernel'), async () => {
    const { steps } = await runSteps(createBackend(), NODE_SUBNET);
    const [direct, fromPod, fromNode, nodePort] = steps.map(answered);
    expect(direct.every((o) => o.outcome === 'ok' && o.pod === 'web-1' && o.sourceSeen === '10.11.0.10')).toBe(true);
    expect(fromPod.filter((o) => o.outcome === 'ok' && o.sourceSeen === '10.11.32.4')).toHaveLength(fromPod.length);
    expect(new Set(fromNode.map((o) => o.sourceSeen))).toEqual(new Set(['10.11.28.53']));
    expect(new Set(nodePort.map((o) => o.pod))).toEqual(new Set(['web-1', 'web-2']));
  }, 60_000);
});
