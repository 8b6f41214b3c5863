/**
 * Per-node configuration of the nftables proxier, on top of the iptables one (same node IP,
 * interface addresses, local-traffic detector, masquerade-all): the masquerade mark as
 * kube-proxy formats it, the node-port addresses with nftables mode's default, and the
 * service CIDRs for the "unallocated ClusterIP" drop.
 *
 * Node-port addresses: kube-proxy defaults an empty --nodeport-addresses to ["primary"] in
 * nftables mode (cmd/kube-proxy/app/server_linux.go), and expands "primary" to the node IP /32,
 * "localhost" to 127.0.0.0/8 and "all" to 0.0.0.0/0 (server.go expandNodePortAddressKeywords).
 * No IPv4 CIDR at all, or a /0, means "match all" (proxyutil.NewNodePortAddresses).
 */
import type { ClusterState } from '../../model/types.js';
import { nodeContext, nodePortIPs, type NodeContext } from '../iptables/node.js';
import { formatIPv4, parseIPv4Cidr, type IPv4Cidr } from '../iptables/ipv4.js';

export interface NftNodeContext {
  /** The iptables proxier's view of the node (node IP, interface addresses, detector). */
  base: NodeContext;
  /** `fmt.Sprintf("%#08x", 1<<bit)`, e.g. "0x004000". */
  masqueradeMark: string;
  /** The mark as a number (for the nft list form, which prints 0x00004000). */
  masqueradeMarkValue: number;
  /** Node ports on every local address (`fib daddr type local`), not only on nodeport-ips. */
  nodePortMatchAll: boolean;
  /** Elements of the nodeport-ips set (loopback addresses left out, as kube-proxy does). */
  nodePortIPs: string[];
  /** A configured node-port CIDR is a loopback network (127.x/8 given explicitly). */
  nodePortExplicitLoopback: boolean;
  /** IPv4 service CIDRs, as given, for the "drop traffic to unallocated ClusterIPs" rule. */
  serviceCIDRs: string[];
}

/** Go's `%#08x`: "0x" and at least 6 hex digits (the width 8 counts the prefix). */
export function goHexMark(value: number): string {
  return '0x' + value.toString(16).padStart(6, '0');
}

function expandKeywords(entries: readonly string[], nodeIP: number | undefined): string[] {
  const out: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === 'primary') {
      if (nodeIP !== undefined && (nodeIP >>> 24) !== 127) out.push(`${formatIPv4(nodeIP)}/32`);
    } else if (entry === 'localhost') {
      out.push('127.0.0.0/8');
    } else if (entry === 'all') {
      out.push('0.0.0.0/0');
    } else {
      out.push(entry);
    }
  }
  return out;
}

export function nftNodeContext(state: ClusterState, nodeName: string): NftNodeContext {
  const base = nodeContext(state, nodeName);
  const kp = state.cluster.kubeProxy;
  const configured = kp.nodePortAddresses.length === 0 ? ['primary'] : kp.nodePortAddresses;
  const cidrs: IPv4Cidr[] = [];
  let matchAll = false;
  for (const text of expandKeywords(configured, base.nodeIP)) {
    const cidr = parseIPv4Cidr(text);
    if (cidr === undefined) continue; // another family, as NewNodePortAddresses filters
    if (cidr.bits === 0) matchAll = true;
    cidrs.push(cidr);
  }
  if (cidrs.length === 0) matchAll = true;
  const explicitLoopback = cidrs.some((c) => c.bits > 0 && (c.base >>> 24) === 127);
  const npCtx: NodeContext = { ...base, nodePortMatchAll: matchAll, nodePortCidrs: matchAll ? [] : cidrs };
  const nodePortIPList = matchAll ? [] : nodePortIPs(npCtx).filter((ip) => !ip.startsWith('127.'));

  const serviceCIDRs: string[] = [];
  for (const part of state.cluster.serviceCIDR.split(',')) {
    const text = part.trim();
    if (text !== '' && parseIPv4Cidr(text) !== undefined && text.includes('/')) serviceCIDRs.push(text);
  }
  const markValue = 2 ** kp.masqueradeBit;
  return {
    base,
    masqueradeMark: goHexMark(markValue),
    masqueradeMarkValue: markValue,
    nodePortMatchAll: matchAll,
    nodePortIPs: nodePortIPList,
    nodePortExplicitLoopback: explicitLoopback,
    serviceCIDRs,
  };
}

