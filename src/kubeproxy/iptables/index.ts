/**
 * kube-proxy (iptables mode) rule rendering for one node: the public surface other modules use.
 * - renderNodeRules(state, node, options?): the filter + nat tables as iptables-restore text.
 * - planNode / endpointChains: the decisions behind the text (endpoint sets, chain names, the
 *   endpoint and pod behind each KUBE-SEP chain) for the packet walk to name who answered.
 */
export { renderNodeRules, renderNodeRulesWithPlan, renderPlan, type RenderOptions, type RenderedNodeRules } from './render.js';
export { planNode, planServicePort, endpointChains, type NodePlan, type ServicePortPlan, type FilterVerdict } from './plan.js';
export {
  categorizeEndpoints,
  endpointsForServicePort,
  indexEndpointSlices,
  type CategorizedEndpoints,
  type EndpointChainInfo,
  type ProxyEndpoint,
} from './endpoints.js';
export { servicePortInfos, servicePortNameString, type ServicePortInfo } from './service-port.js';
export { nodeContext, type NodeContext, type LocalDetector } from './node.js';
export { portProtoHash, endpointChainName, serviceChainNames, type ServiceChainNames } from './hash.js';
export { computeProbability } from './probability.js';
