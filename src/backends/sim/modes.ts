/**
 * What the simulator runs on its nodes for each kube-proxy mode: the renderer of that mode's rules
 * (src/kubeproxy/<mode>) and the walker that reads them (src/evaluators/<mode>). ipvs is not
 * modelled (deprecated upstream) and is refused with that reason, never run as another mode.
 */
import type { ClusterState } from '../../model/types.js';
import { renderNodeRules } from '../../kubeproxy/iptables/render.js';
import { renderNftListText } from '../../kubeproxy/nftables/index.js';
import { iptablesWalker, nftablesWalker, type RulesWalker } from './walkers.js';
import { SimNetwork, type SimNetworkOptions } from './network.js';

export interface SimMode {
  render(state: ClusterState, node: string): string;
  walker: RulesWalker;
}

/** The renderer and walker for `mode`, or why the simulator cannot run it. */
export function simMode(mode: string, options: SimNetworkOptions = {}): SimMode | { unsupported: string } {
  switch (mode) {
    case 'iptables':
      return { render: (s, n) => renderNodeRules(s, n), walker: options.walker ?? iptablesWalker(options.compile) };
    case 'nftables':
      // The rules as `nft list ruleset` prints them on the node, read back by the nftables walker.
      return { render: (s, n) => renderNftListText(s, n), walker: nftablesWalker() };
    default:
      return { unsupported: `the simulator models kube-proxy in iptables and nftables modes; this scenario runs kube-proxy in ${mode} mode (ipvs is deprecated upstream and not modelled)` };
  }
}

/** A simulated network for `state` in its own kube-proxy mode; throws the reason for a mode it cannot run. */
export function simNetworkFor(state: ClusterState, options: SimNetworkOptions = {}): SimNetwork {
  const m = simMode(state.cluster.kubeProxy.mode, options);
  if ('unsupported' in m) throw new Error(m.unsupported);
  return new SimNetwork(state, m.render, { ...options, walker: m.walker });
}
