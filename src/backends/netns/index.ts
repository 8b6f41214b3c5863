/**
 * `--backend netns`: the scenario's cluster as real Linux network namespaces with kube-proxy's
 * rules (rendered by the simulator's renderer) loaded into each node's kernel. Needs root.
 * See docs/backends/netns.md.
 */
import type { Backend, BackendContext, BackendSession } from '../backend.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { renderNodeRules } from '../../kubeproxy/iptables/render.js';
import { checkPrerequisites } from './check.js';
import type { RulesFor } from './lab.js';
import { NetnsSession } from './session.js';
import { netnsLayoutProblem } from './layout-check.js';

/** The rules `svclab rules` prints, minus nfacct counters when the `nfacct` tool is missing. */
export const kubeProxyRules: RulesFor = (state, nodeName, caps) => renderNodeRules(state, nodeName, { nfacct: caps.nfacct });

export function createBackend(): Backend {
  return {
    name: 'netns',
    // Each scenario gets its own sandbox; runs mostly wait on timeouts, so three side by side.
    maxConcurrency: 3,
    check: checkPrerequisites,
    layoutProblem: netnsLayoutProblem,
    async start(scenario: CompiledScenario, ctx: BackendContext): Promise<BackendSession> {
      await checkPrerequisites();
      return NetnsSession.start(scenario, ctx, kubeProxyRules);
    },
  };
}

export { NetnsSession } from './session.js';
export { Lab } from './lab.js';
export { kernelRules } from './kernel-view.js';
