/** Serving hosts and node-subnet pod addressing on the proxy backend (loopback echo servers). */
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backends/proxy/index.js';
import { NODE_SUBNET, SERVING_HOST, answered, runSteps } from '../real-inputs-scenarios.js';

describe('serving hosts on proxy', () => {
  it('runs an echo server for the host and names it in answers, with the sources sim predicts', async () => {
    const { steps } = await runSteps(createBackend(), SERVING_HOST);
    const [fromNode, fromPod, direct, wrongPort] = steps.map(answered);
    for (const o of [...fromNode, ...fromPod, ...direct]) {
      expect(o.outcome).toBe('ok');
      expect(o.host).toBe('upstream');
      expect(o.endpoint).toBe('192.0.2.42:9376');
    }
    expect(new Set(fromNode.map((o) => o.sourceSeen))).toEqual(new Set(['192.168.1.10']));
    expect(new Set(fromPod.map((o) => o.sourceSeen))).toEqual(new Set(['172.16.1.2']));
    expect(new Set(direct.map((o) => o.sourceSeen))).toEqual(new Set(['192.168.1.50']));
    expect(wrongPort.every((o) => o.outcome === 'refused')).toBe(true);
  });
});

describe('node-subnet pod addressing on proxy', () => {
  it('reaches pods on their subnet addresses and masquerades node traffic to the node address', async () => {
    const { steps } = await runSteps(createBackend(), NODE_SUBNET);
    const [direct, fromPod, fromNode, nodePort] = steps.map(answered);
    expect(direct.every((o) => o.outcome === 'ok' && o.pod === 'web-1' && o.sourceSeen === '10.11.0.10')).toBe(true);
    expect(fromPod.every((o) => o.outcome === 'ok' && o.sourceSeen === '10.11.32.4')).toBe(true);
    expect(new Set(fromNode.map((o) => o.sourceSeen))).toEqual(new Set(['10.11.28.53']));
    expect(new Set(nodePort.map((o) => o.pod))).toEqual(new Set(['web-1', 'web-2']));
  });
});
