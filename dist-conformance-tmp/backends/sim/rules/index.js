/**
 * kube-proxy (iptables mode) rule rendering for one node: the public surface other modules use.
 * - renderNodeRules(state, node, options?): the filter + nat tables as iptables-restore text.
 * - planNode / endpointChains: the decisions behind the text (endpoint sets, chain names, the
 *   endpoint and pod behind each KUBE-SEP chain) for the packet walk to name who answered.
 */
export { renderNodeRules, renderNodeRulesWithPlan, renderPlan } from './render.js';
export { planNode, planServicePort, endpointChains } from './plan.js';
export { categorizeEndpoints, endpointsForServicePort, indexEndpointSlices, } from './endpoints.js';
export { servicePortInfos, servicePortNameString } from './service-port.js';
export { nodeContext } from './node.js';
export { portProtoHash, endpointChainName, serviceChainNames } from './hash.js';
export { computeProbability } from './probability.js';
//# sourceMappingURL=index.js.map