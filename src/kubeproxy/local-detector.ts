/**
 * kube-proxy's local-traffic detector (`--detect-local-mode`), shared by the rule renderers of every
 * mode: the match arguments that tell traffic from this node's pods, in iptables and nftables
 * syntax. Facts from pkg/proxy/util/localdetector.go and cmd/kube-proxy/app/server_linux.go:
 *  - ClusterCIDR: `-s <cluster CIDR>` (no-op without one);
 *  - NodeCIDR: `-s <the node's pod CIDR>`;
 *  - BridgeInterface: `-i <bridge>`; InterfaceNamePrefix: `-i <prefix>+` (nft: `iifname <prefix>*`);
 *  - None (or anything else): no-op, and the renderers then write no local-traffic rules.
 */
import type { ClusterSpec, DetectLocalMode, NodeSpec } from '../model/types.js';
import { formatCidr, parseCidr } from '../model/ip.js';

export interface LocalDetector {
  mode: DetectLocalMode;
  /** false for the no-op detector: no local-traffic rules at all. */
  implemented: boolean;
  /** iptables arguments matching traffic from a local pod, e.g. ['-s', '10.244.0.0/16'] or ['-i', 'eni+']. */
  ifLocal: string[];
  ifNotLocal: string[];
  /** nftables expressions, e.g. ['ip', 'saddr', '10.244.0.0/16'] or ['iifname', 'eni*']. */
  ifLocalNFT: string[];
  ifNotLocalNFT: string[];
}

const NO_OP = (mode: DetectLocalMode): LocalDetector => ({ mode, implemented: false, ifLocal: [], ifNotLocal: [], ifLocalNFT: [], ifNotLocalNFT: [] });

function byCidr(mode: DetectLocalMode, text: string): LocalDetector {
  const c = parseCidr(text);
  if (c === undefined || c.family !== 4) return NO_OP(mode);
  const cidr = formatCidr(c);
  return { mode, implemented: true, ifLocal: ['-s', cidr], ifNotLocal: ['!', '-s', cidr], ifLocalNFT: ['ip', 'saddr', cidr], ifNotLocalNFT: ['ip', 'saddr', '!=', cidr] };
}

function byInterface(mode: DetectLocalMode, iptablesName: string, nftName: string): LocalDetector {
  return { mode, implemented: true, ifLocal: ['-i', iptablesName], ifNotLocal: ['!', '-i', iptablesName], ifLocalNFT: ['iifname', nftName], ifNotLocalNFT: ['iifname', '!=', nftName] };
}

/** The IPv4 detector kube-proxy builds on `node` for this cluster's settings. */
export function localDetector(cluster: ClusterSpec, node: NodeSpec): LocalDetector {
  const kp = cluster.kubeProxy;
  switch (kp.detectLocal) {
    case 'ClusterCIDR':
      return byCidr('ClusterCIDR', cluster.clusterCIDR);
    case 'NodeCIDR':
      return byCidr('NodeCIDR', node.podCIDR);
    case 'BridgeInterface':
      return kp.bridgeInterface ? byInterface('BridgeInterface', kp.bridgeInterface, kp.bridgeInterface) : NO_OP('BridgeInterface');
    case 'InterfaceNamePrefix':
      return kp.interfaceNamePrefix ? byInterface('InterfaceNamePrefix', `${kp.interfaceNamePrefix}+`, `${kp.interfaceNamePrefix}*`) : NO_OP('InterfaceNamePrefix');
    default:
      return NO_OP(kp.detectLocal);
  }
}
