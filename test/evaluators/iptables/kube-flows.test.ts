/**
 * kube-proxy's own packet-flow expectations, checked against `trace --rules` semantics: over
 * frozen rule fixtures (the walker alone) and over the rules svclab renders now (rules + walker).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileDump, traceRules } from '../../../src/evaluators/iptables/trace-rules.js';
import { renderNodeRules } from '../../../src/kubeproxy/iptables/render.js';
import { allKubeFlowTests, kubeFlowCases, toOurExpectation, type KubeFlow } from './kube-flows.js';
import { kubeStates, TEST_NODE } from './kube-states.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.rules`, import.meta.url), 'utf8');

function check(rules: ReturnType<typeof compileDump>, flow: KubeFlow) {
  const got = traceRules(rules, { nodeIPs: flow.nodeIPs, from: flow.sourceIP, to: flow.destIP, port: flow.destPort, protocol: flow.protocol });
  const actual = { verdict: got.verdict, endpoints: got.endpoints.map((e) => e.endpoint), masquerade: got.masquerade };
  expect(actual, got.branches.map((b) => b.path.map((h) => `${h.table} ${h.chain}: ${h.rule ?? ''} => ${h.note}`).join('\n')).join('\n---\n')).toEqual(toOurExpectation(flow));
  // Every endpoint of a multi-endpoint service gets an equal share.
  for (const e of got.endpoints) expect(e.probability).toBeCloseTo(1 / got.endpoints.length, 8);
}

const configs = allKubeFlowTests().filter((t) => t !== 'TestTracePacket');

describe('kube-proxy packet flows over frozen rule fixtures', () => {
  for (const name of configs) {
    describe(name, () => {
      const rules = compileDump(fixture(name), `${name}.rules`);
      it.each(kubeFlowCases(name))('$name', (flow) => check(rules, flow));
    });
  }
});

describe('kube-proxy packet flows over the rules svclab renders', () => {
  for (const name of configs) {
    describe(name, () => {
      const rules = compileDump(renderNodeRules(kubeStates[name]!(), TEST_NODE), `rendered ${name}`);
      it.each(kubeFlowCases(name))('$name', (flow) => check(rules, flow));
    });
  }
});

it('transcribes at least 60 upstream flows', () => {
  const n = allKubeFlowTests().reduce((sum, t) => sum + kubeFlowCases(t).length, 0);
  expect(n).toBeGreaterThanOrEqual(60);
});
