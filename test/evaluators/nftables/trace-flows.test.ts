/**
 * kube-proxy's own nftables packet-flow expectations, walked over what the real nft prints for
 * upstream's expected rulesets (fixtures/, made by fixtures/make-fixtures.mjs).
 */
import { describe, it } from 'vitest';
import { compileNftRuleset } from '../../../src/evaluators/nftables/compile.js';
import { checkFlow, fixture } from './check-flow.js';
import { kubeFlowCases } from './kube-flows.js';

describe('TestTracePacketV4 flows over its own ruleset, as nft lists it', () => {
  const rules = compileNftRuleset(fixture('trace-packet-v4'), 'trace-packet-v4.ruleset');
  it.each(kubeFlowCases('TestTracePacketV4'))('$name', (flow) => checkFlow(rules, flow));
});

describe('TestTracePacketV4 flows over the TestOverallNFTablesRules ruleset (the same six Services)', () => {
  const rules = compileNftRuleset(fixture('overall'), 'overall.ruleset');
  it.each(kubeFlowCases('TestTracePacketV4'))('$name', (flow) => checkFlow(rules, flow));
});
