/**
 * kube-proxy's own nftables packet-flow expectations, walked over what the real nft prints for
 * upstream's expected rulesets (fixtures/, made by fixtures/make-fixtures.mjs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileNftRuleset } from '../../../src/evaluators/nftables/compile.js';
import { traceHookRules } from '../../../src/evaluators/trace-dump.js';
import type { HookRules } from '../../../src/evaluators/hook-rules.js';
import { toOurExpectation, type KubeFlow } from '../iptables/kube-flows.js';
import { kubeFlowCases } from './kube-flows.js';

export const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.ruleset`, import.meta.url), 'utf8');

export function checkFlow(rules: HookRules, flow: KubeFlow) {
  const got = traceHookRules(rules, { nodeIPs: flow.nodeIPs, from: flow.sourceIP, to: flow.destIP, port: flow.destPort, protocol: flow.protocol });
  const actual = { verdict: got.verdict, endpoints: got.endpoints.map((e) => e.endpoint), masquerade: got.masquerade };
  const path = got.branches.map((b) => b.path.map((h) => `${h.table} ${h.chain}: ${h.rule ?? ''} => ${h.note}`).join('\n')).join('\n---\n');
  expect(actual, path).toEqual(toOurExpectation(flow));
  // numgen random mod N gives each endpoint exactly 1/N.
  for (const e of got.endpoints) expect(e.probability).toBeCloseTo(1 / got.endpoints.length, 12);
}

describe('TestTracePacketV4 flows over its own ruleset, as nft lists it', () => {
  const rules = compileNftRuleset(fixture('trace-packet-v4'), 'trace-packet-v4.ruleset');
  it.each(kubeFlowCases('TestTracePacketV4'))('$name', (flow) => checkFlow(rules, flow));
});

describe('TestTracePacketV4 flows over the TestOverallNFTablesRules ruleset (the same six Services)', () => {
  const rules = compileNftRuleset(fixture('overall'), 'overall.ruleset');
  it.each(kubeFlowCases('TestTracePacketV4'))('$name', (flow) => checkFlow(rules, flow));
});
