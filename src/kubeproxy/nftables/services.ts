/**
 * The per-service-port part of kube-proxy's nftables sync (`syncProxyRules` in
 * pkg/proxy/nftables/proxier.go): map elements for the ClusterIP, externalIPs, LoadBalancer
 * VIPs and node port; the service-/local-/external-/firewall- chains; DNAT with
 * `numgen random mod N`; and, for ClientIP affinity, endpoint- chains with their affinity- sets.
 * The endpoint decisions (which endpoints, REJECT or DROP) come from the shared plan
 * (../iptables/plan.ts), which follows the same proxy.CategorizeEndpoints for both modes.
 */
import type { ServicePortPlan } from '../iptables/plan.js';
import type { ProxyEndpoint } from '../iptables/endpoints.js';
import { externallyAccessible } from '../iptables/service-port.js';
import { formatIPv4Cidr, cidrContains } from '../iptables/ipv4.js';
import { nftEndpointNames, nftServiceChainNames, truncateComment, type NftEndpointNames, type NftServiceChainNames } from './names.js';
import type { NftNodeContext } from './node.js';
import { CHAIN, SET, localhostRejectChain, type ChainTracker, type LowerProtocol } from './setup.js';
import type { NftTransaction } from './ruleset.js';

/** One service port as the nftables proxier names and routes it on this node. */
export interface NftServicePort {
  plan: ServicePortPlan;
  chains: NftServiceChainNames;
  /** Endpoint chain and affinity set names by "ip:port" (only filled with ClientIP affinity). */
  endpointNames: Map<string, NftEndpointNames>;
  usesClusterPolicyChain: boolean;
  usesLocalPolicyChain: boolean;
  usesExternalTrafficChain: boolean;
  usesFirewallChain: boolean;
}

export interface ServiceWriteContext {
  tx: NftTransaction;
  chains: ChainTracker;
  ctx: NftNodeContext;
  localhostRejects: readonly LowerProtocol[];
  /** hairpin-connections keys already added (kube-proxy adds each once). */
  hairpin: Set<string>;
}

function dnatRule(proto: string, endpoints: readonly ProxyEndpoint[]): string {
  if (endpoints.length === 1) return `meta l4proto ${proto} dnat to ${endpoints[0].ip}:${endpoints[0].port}`;
  const elements = endpoints.map((ep, i) => `${i} : ${ep.ip} . ${ep.port}`).join(' , ');
  return `meta l4proto ${proto} dnat ip addr . port to numgen random mod ${endpoints.length} map { ${elements} }`;
}

function writeEndpointJumps(tx: NftTransaction, chain: string, sp: NftServicePort, endpoints: readonly ProxyEndpoint[]): void {
  const elements: string[] = [];
  endpoints.forEach((ep, i) => {
    const names = sp.endpointNames.get(ep.endpoint)!;
    tx.addRule(chain, `ip saddr @${names.affinitySet} goto ${names.chain}`);
    elements.push(`${i} : goto ${names.chain}`);
  });
  tx.addRule(chain, `numgen random mod ${endpoints.length} vmap { ${elements.join(' , ')} }`);
}

/** Writes one service port; returns its names and decisions for callers that trace packets. */
export function writeServicePort(w: ServiceWriteContext, plan: ServicePortPlan): NftServicePort {
  const { tx, chains, ctx } = w;
  const info = plan.info;
  const proto = info.proto;
  const port = String(info.portNumber);
  const names = nftServiceChainNames(info.namespace, info.serviceName, proto, info.portName);
  const comment = truncateComment(info.name);
  const { clusterEndpoints, localEndpoints, allReachableEndpoints } = plan.categorized;
  const affinity = info.sessionAffinityClientIP;
  const mark = ctx.masqueradeMark;
  const masqueradeRule = `mark set mark or ${mark}`;

  const endpointNames = new Map<string, NftEndpointNames>();
  for (const ep of allReachableEndpoints) {
    if (affinity) {
      const epNames = nftEndpointNames(info.namespace, info.serviceName, proto, info.portName, ep.endpoint);
      endpointNames.set(ep.endpoint, epNames);
      chains.ensure(epNames.chain);
    }
    if (ep.isLocal) {
      const key = `${ep.ip} . ${ep.ip} . ${proto} . ${ep.port}`;
      if (!w.hairpin.has(key)) {
        w.hairpin.add(key);
        tx.addElement(SET.hairpinConnections, false, [ep.ip, ep.ip, proto, String(ep.port)]);
      }
    }
  }

  const usesClusterPolicyChain = plan.usesClusterPolicyChain;
  if (usesClusterPolicyChain) chains.ensure(names.cluster);
  const usesLocalPolicyChain = plan.usesLocalPolicyChain;
  if (usesLocalPolicyChain) chains.ensure(names.local);

  const internalTrafficChain = info.internalPolicyLocal ? names.local : names.cluster;
  const externalPolicyChain = info.externalPolicyLocal ? names.local : names.cluster;
  const usesExternalTrafficChain = plan.hasEndpoints && externallyAccessible(info);
  if (usesExternalTrafficChain) chains.ensure(names.external);

  let internalVerdict = '';
  let externalVerdict = '';
  if (!plan.hasEndpoints) {
    internalVerdict = `goto ${CHAIN.reject}`;
    externalVerdict = internalVerdict;
  } else {
    if (!plan.hasInternalEndpoints) internalVerdict = 'drop';
    if (!plan.hasExternalEndpoints) externalVerdict = 'drop';
  }

  // ClusterIP.
  tx.addElement(SET.clusterIPs, false, [info.clusterIP]);
  if (plan.hasInternalEndpoints) {
    tx.addElement(SET.serviceIPs, true, [info.clusterIP, proto, port], [`goto ${internalTrafficChain}`]);
  } else {
    tx.addElement(SET.noEndpointServices, true, [info.clusterIP, proto, port], [internalVerdict], comment);
  }

  // externalIPs.
  for (const ip of info.externalIPs) {
    if (plan.hasEndpoints) tx.addElement(SET.serviceIPs, true, [ip, proto, port], [`goto ${names.external}`]);
    if (!plan.hasExternalEndpoints) tx.addElement(SET.noEndpointServices, true, [ip, proto, port], [externalVerdict], comment);
  }

  // LoadBalancer VIPs, with the source-range firewall (which does not depend on endpoints).
  const usesFirewallChain = info.loadBalancerVIPs.length > 0 && info.sourceRanges.length > 0;
  if (usesFirewallChain) chains.ensure(names.firewall);
  for (const ip of info.loadBalancerVIPs) {
    if (plan.hasEndpoints) tx.addElement(SET.serviceIPs, true, [ip, proto, port], [`goto ${names.external}`]);
    if (usesFirewallChain) tx.addElement(SET.firewallIPs, true, [ip, proto, port], [`goto ${names.firewall}`]);
  }
  if (!plan.hasExternalEndpoints) {
    for (const ip of info.loadBalancerVIPs) {
      tx.addElement(SET.noEndpointServices, true, [ip, proto, port], [externalVerdict], comment);
    }
  }

  // Node port.
  if (info.nodePort !== 0) {
    const nodePort = String(info.nodePort);
    if (w.localhostRejects.includes(proto as LowerProtocol)) {
      tx.addElement(SET.localhostNodePortReject, true, [proto, nodePort], [`goto ${localhostRejectChain(proto)}`]);
    }
    if (plan.hasEndpoints) tx.addElement(SET.serviceNodePorts, true, [proto, nodePort], [`goto ${names.external}`]);
    if (!plan.hasExternalEndpoints) tx.addElement(SET.noEndpointNodePorts, true, [proto, nodePort], [externalVerdict], comment);
  }

  // external- chain.
  if (usesExternalTrafficChain) {
    if (!info.externalPolicyLocal) {
      tx.addRule(names.external, masqueradeRule, 'masquerade');
    } else {
      if (ctx.base.detector.implemented) {
        tx.addRule(names.external, `${ctx.base.detector.ifLocalNFT.join(' ')} goto ${names.cluster}`, 'short-circuit pod traffic');
      }
      tx.addRule(names.external, `fib saddr type local ${masqueradeRule}`, 'masquerade local traffic');
      tx.addRule(names.external, `fib saddr type local goto ${names.cluster}`, 'short-circuit local traffic');
    }
    if (plan.hasExternalEndpoints) tx.addRule(names.external, `goto ${externalPolicyChain}`);
  }

  // firewall- chain: drop sources outside the ranges (the VIPs too when the node is inside one).
  if (usesFirewallChain) {
    const sources = info.sourceRanges.map(formatIPv4Cidr);
    const nodeIP = ctx.base.nodeIP;
    if (nodeIP !== undefined && info.sourceRanges.some((c) => cidrContains(c, nodeIP))) sources.push(...info.loadBalancerVIPs);
    tx.addRule(names.firewall, `ip saddr != { ${sources.join(' , ')} } drop`);
  }

  // affinity- sets.
  if (affinity) {
    for (const ep of allReachableEndpoints) {
      tx.add({
        kind: 'set',
        set: {
          kind: 'set',
          name: endpointNames.get(ep.endpoint)!.affinitySet,
          keyType: ['ipv4_addr'],
          flags: ['dynamic', 'timeout'],
          timeoutSeconds: info.stickyMaxAgeSeconds,
        },
      });
    }
  }

  const sp: NftServicePort = {
    plan,
    chains: names,
    endpointNames,
    usesClusterPolicyChain,
    usesLocalPolicyChain,
    usesExternalTrafficChain,
    usesFirewallChain,
  };

  // service- / local- chains, and endpoint- chains for affinity.
  if (!affinity) {
    if (usesClusterPolicyChain) tx.addRule(names.cluster, dnatRule(proto, clusterEndpoints));
    if (usesLocalPolicyChain) tx.addRule(names.local, dnatRule(proto, localEndpoints));
  } else {
    if (usesClusterPolicyChain) writeEndpointJumps(tx, names.cluster, sp, clusterEndpoints);
    if (usesLocalPolicyChain) writeEndpointJumps(tx, names.local, sp, localEndpoints);
    for (const ep of allReachableEndpoints) {
      const epNames = endpointNames.get(ep.endpoint)!;
      tx.addRule(epNames.chain, `update @${epNames.affinitySet} { ip saddr }`);
      tx.addRule(epNames.chain, `meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`);
    }
  }
  return sp;
}
