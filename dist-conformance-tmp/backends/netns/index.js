import { renderNodeRules } from '../sim/rules/render.js';
import { checkPrerequisites } from './check.js';
import { NetnsSession } from './session.js';
/** The rules `svclab rules` prints, minus nfacct counters when the `nfacct` tool is missing. */
export const kubeProxyRules = (state, nodeName, caps) => renderNodeRules(state, nodeName, { nfacct: caps.nfacct });
export function createBackend() {
    return {
        name: 'netns',
        // Each scenario gets its own sandbox; two at a time keeps a 2-core machine responsive.
        maxConcurrency: 2,
        check: checkPrerequisites,
        async start(scenario, ctx) {
            await checkPrerequisites();
            return NetnsSession.start(scenario, ctx, kubeProxyRules);
        },
    };
}
export { NetnsSession } from './session.js';
export { Lab } from './lab.js';
//# sourceMappingURL=index.js.map