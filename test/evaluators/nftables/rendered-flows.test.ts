/**
 * kube-proxy's nftables packet-flow expectations over the rulesets svclab renders for the same
 * Services (src/kubeproxy/nftables, printed as `nft list ruleset`), walked by the nftables walker:
 * renderer and walker together against upstream's facts.
 */
import { describe, it } from 'vitest';
import { renderNftListText } from '../../../src/kubeproxy/nftables/index.js';
import { compileNftRuleset } from '../../../src/evaluators/nftables/compile.js';
import type { ClusterState } from '../../../src/model/types.js';
import { kubeFlowCases as iptablesFlowCases } from '../iptables/kube-flows.js';
import { kubeStates, TEST_NODE } from '../iptables/kube-states.js';
import { NFT_ONLY, SAME_AS_IPTABLES, nftOnlyCases } from './kube-flows.js';
import { checkFlow } from './check-flow.js';

/** The same Services under the nftables fake proxier's settings (--nodeport-addresses 192.168.0.2/32). */
function nftState(name: string): ClusterState {
  const s = kubeStates[name]!();
  return { ...s, cluster: { ...s.cluster, kubeProxy: { ...s.cluster.kubeProxy, mode: 'nftables', nodePortAddresses: ['192.168.0.2/32'] } } };
}

for (const name of [...SAME_AS_IPTABLES, ...Object.keys(NFT_ONLY)]) {
  describe(`${name}: flows over the rendered nftables ruleset`, () => {
    const rules = compileNftRuleset(renderNftListText(nftState(name), TEST_NODE), `rendered ${name}`);
    const cases = name in NFT_ONLY ? nftOnlyCases(name) : iptablesFlowCases(name);
    it.each(cases)('$name', (flow) => checkFlow(rules, flow));
  });
}
