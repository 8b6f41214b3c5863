/**
 * `--backend netns`: the scenario's cluster as real Linux network namespaces with kube-proxy's
 * rules (rendered by the simulator's renderer) loaded into each node's kernel. Needs root.
 * See docs/backends/netns.md.
 */
import type { Backend, BackendContext, BackendSession } from '../backend.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { renderNodeRules } from '../../kubeproxy/iptables/render.js';
import { formatRulesetDump, renderNftNode } from '../../kubeproxy/nftables/index.js';
import { modeOf } from '../../model/proxy-mode.js';
import { checkNftPrerequisites, checkPrerequisites } from './check.js';
import type { NftRulesFor, RulesFor } from './lab.js';
import { NetnsSession, unsupportedSession } from './session.js';
import { netnsLayoutProblem } from './layout-check.js';

/** The rules `svclab rules` prints, minus nfacct counters when the `nfacct` tool is missing. */
export const kubeProxyRules: RulesFor = (state, nodeName, caps) => renderNodeRules(state, nodeName, { nfacct: caps.nfacct });

/** kube-proxy's `ip kube-proxy` table after its sync (nftables mode, localhost node-port gate off as by default). */
export const kubeProxyNftRules: NftRulesFor = (state, nodeName) => formatRulesetDump(renderNftNode(state, nodeName).ruleset);

export function createBackend(): Backend {
  return {
    name: 'netns',
    // Each scenario gets its own sandbox; runs mostly wait on timeouts, so three side by side.
    maxConcurrency: 3,
    check: checkPrerequisites,
    layoutProblem: netnsLayoutProblem,
    async start(scenario: CompiledScenario, ctx: BackendContext): Promise<BackendSession> {
      await checkPrerequisites();
      if (modeOf(scenario) === 'nftables') {
        // A machine without nft (or without the kernel's nftables) skips these scenarios with the reason.
        const missing = await checkNftPrerequisites();
        if (missing !== undefined) return unsupportedSession(missing);
      }
      return NetnsSession.start(scenario, ctx, kubeProxyRules, undefined, kubeProxyNftRules);
    },
  };
}

export { NetnsSession } from './session.js';
export { Lab } from './lab.js';
export { kernelRules } from './kernel-view.js';
