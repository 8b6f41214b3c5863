/**
 * Per-node facts the iptables proxier is configured with: the node's primary IP, the addresses on
 * its interfaces (for --nodeport-addresses), the local-traffic detector, the masquerade mark, and
 * whether localhost node ports are on (they need nodePortAddresses to include 127.0.0.1).
 */
import type { ClusterState, NodeSpec } from '../../model/types.js';
import { IPV4_LOOPBACK, cidrContains, formatIPv4, parseIPv4, parseIPv4Cidr, type IPv4Cidr } from './ipv4.js';
import { localDetector, type LocalDetector } from '../local-detector.js';

export type { LocalDetector };

export interface NodeContext {
  node: NodeSpec;
  /** Primary node IP (first IPv4 address); used for KUBE-FW "allow from node". */
  nodeIP?: number;
  /** IPv4 addresses on the node's interfaces, loopback first (as `InterfaceAddrs` lists lo first). */
  interfaceAddresses: number[];
  detector: LocalDetector;
  masqueradeAll: boolean;
  /** e.g. "0x4000". */
  masqueradeMark: string;
  /** Effective `--iptables-localhost-nodeports` (forced off when nodePortAddresses exclude 127.0.0.1). */
  localhostNodePorts: boolean;
  /** nodePortAddresses unset (or containing a /0): node ports on every local address. */
  nodePortMatchAll: boolean;
  nodePortCidrs: IPv4Cidr[];
}

/**
 * kube-proxy's nodePortAddresses keywords as the CIDR it expands each to on this node: `primary`
 * the node's primary IPv4 as a /32 (nothing when that is loopback), `localhost` 127.0.0.0/8,
 * `all` 0.0.0.0/0; a CIDR stays itself. So `[primary]` limits node ports to the primary address
 * and, not covering 127.0.0.1, turns localhost node ports off.
 */
export function expandKeyword(text: string, primaryIP: number | undefined): string | undefined {
  switch (text) {
    case 'primary':
      return primaryIP !== undefined && primaryIP >>> 24 !== 127 ? `${formatIPv4(primaryIP)}/32` : undefined;
    case 'localhost':
      return '127.0.0.0/8';
    case 'all':
      return '0.0.0.0/0';
    default:
      return text;
  }
}

/** Names of all nodes, for error messages. */
export function nodeNames(state: ClusterState): string[] {
  return state.cluster.nodes.map((n) => n.name);
}

/** Builds the proxier configuration for `nodeName`; throws a plain Error naming the known nodes. */
export function nodeContext(state: ClusterState, nodeName: string): NodeContext {
  const node = state.cluster.nodes.find((n) => n.name === nodeName);
  if (node === undefined) {
    throw new Error(`unknown node '${nodeName}'; nodes: ${nodeNames(state).join(', ') || '(none)'}`);
  }
  const kp = state.cluster.kubeProxy;
  const nodeAddrs: number[] = [];
  for (const a of node.addresses) {
    const v = parseIPv4(a.trim());
    if (v !== undefined) nodeAddrs.push(v);
  }
  const interfaceAddresses = [IPV4_LOOPBACK, ...nodeAddrs.filter((a) => a !== IPV4_LOOPBACK)];

  // NewNodePortAddresses: keep this family's CIDRs; none at all (or a /0) means "match all".
  const cidrs: IPv4Cidr[] = [];
  let matchAll = false;
  for (const text of kp.nodePortAddresses) {
    const cidr = parseIPv4Cidr(expandKeyword(text, nodeAddrs[0]) ?? '');
    if (cidr === undefined) continue;
    if (cidr.bits === 0) matchAll = true;
    cidrs.push(cidr);
  }
  if (cidrs.length === 0) matchAll = true;
  const containsLoopback = matchAll || cidrs.some((c) => cidrContains(c, IPV4_LOOPBACK));

  const detector = localDetector(state.cluster, node);

  return {
    node,
    nodeIP: nodeAddrs[0],
    interfaceAddresses,
    detector,
    masqueradeAll: kp.masqueradeAll,
    masqueradeMark: '0x' + (2 ** kp.masqueradeBit).toString(16),
    localhostNodePorts: kp.localhostNodePorts && containsLoopback,
    nodePortMatchAll: matchAll,
    nodePortCidrs: matchAll ? [] : cidrs,
  };
}

/**
 * `NodePortAddresses.GetNodeIPs`: interface addresses inside the configured CIDRs, de-duplicated
 * (kube-proxy's order here is a Go map order; svclab uses CIDR order, then interface order).
 */
export function nodePortIPs(ctx: NodeContext): string[] {
  const seen = new Set<number>();
  const out: string[] = [];
  for (const cidr of ctx.nodePortCidrs) {
    for (const addr of ctx.interfaceAddresses) {
      if (!seen.has(addr) && cidrContains(cidr, addr)) {
        seen.add(addr);
        out.push(formatIPv4(addr));
      }
    }
  }
  return out;
}
