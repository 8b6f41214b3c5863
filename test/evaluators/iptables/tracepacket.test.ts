import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileDump, traceRules } from '../../../src/evaluators/iptables/trace-rules.js';
import { kubeFlowCases, type KubeFlow, toOurExpectation } from './kube-flows.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('kube-proxy TestTracePacket dump', () => {
  const rules = compileDump(fixture('trace-packet.rules'), 'trace-packet.rules');
  it.each(kubeFlowCases('TestTracePacket'))('$name', (flow: KubeFlow) => {
    const got = traceRules(rules, { nodeIPs: flow.nodeIPs, from: flow.sourceIP, to: flow.destIP, port: flow.destPort, protocol: flow.protocol });
    expect({ verdict: got.verdict, endpoints: got.endpoints.map((e) => e.endpoint), masquerade: got.masquerade }).toEqual(toOurExpectation(flow));
  });
});
