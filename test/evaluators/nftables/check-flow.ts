/** Shared by the nftables flow tests: fixtures and the check of one upstream flow. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { traceHookRules } from '../../../src/evaluators/trace-dump.js';
import type { HookRules } from '../../../src/evaluators/hook-rules.js';
import { toOurExpectation, type KubeFlow } from '../iptables/kube-flows.js';

export const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.ruleset`, import.meta.url), 'utf8');

export function checkFlow(rules: HookRules, flow: KubeFlow) {
  const got = traceHookRules(rules, { nodeIPs: flow.nodeIPs, from: flow.sourceIP, to: flow.destIP, port: flow.destPort, protocol: flow.protocol });
  const actual = { verdict: got.verdict, endpoints: got.endpoints.map((e) => e.endpoint), masquerade: got.masquerade };
  const path = got.branches.map((b) => b.path.map((h) => `${h.table} ${h.chain}: ${h.rule ?? ''} => ${h.note}`).join('\n')).join('\n---\n');
  expect(actual, path).toEqual(toOurExpectation(flow));
  // numgen random mod N gives each endpoint exactly 1/N.
  for (const e of got.endpoints) expect(e.probability).toBeCloseTo(1 / got.endpoints.length, 12);
}

