/**
 * The fixed part of kube-proxy's nftables transaction (`setupNFTables` in
 * pkg/proxy/nftables/proxier.go, a full sync): the table, the base chains with their hooks and
 * priorities, the top-level chains and the jumps into them, the masquerading rules, the
 * cluster-ips / nodeport-ips / hairpin-connections sets, the no-endpoint, firewall and
 * dispatch maps, and the rules that look them up.
 */
import type { NftNodeContext } from './node.js';
import type { NftBaseChain, NftTransaction } from './ruleset.js';

export const CHAIN = {
  filterPreroutingPreDNAT: 'filter-prerouting-pre-dnat',
  filterOutputPreDNAT: 'filter-output-pre-dnat',
  filterInput: 'filter-input',
  filterForward: 'filter-forward',
  filterOutput: 'filter-output',
  natPrerouting: 'nat-prerouting',
  natOutput: 'nat-output',
  natPostrouting: 'nat-postrouting',
  services: 'services',
  serviceEndpointsCheck: 'service-endpoints-check',
  nodePortEndpointsCheck: 'nodeport-endpoints-check',
  reject: 'reject-chain',
  clusterIPsCheck: 'cluster-ips-check',
  firewallCheck: 'firewall-check',
  masquerading: 'masquerading',
} as const;

export const SET = {
  serviceIPs: 'service-ips',
  serviceNodePorts: 'service-nodeports',
  nodePortIPs: 'nodeport-ips',
  clusterIPs: 'cluster-ips',
  noEndpointServices: 'no-endpoint-services',
  noEndpointNodePorts: 'no-endpoint-nodeports',
  firewallIPs: 'firewall-ips',
  hairpinConnections: 'hairpin-connections',
  localhostNodePortReject: 'localhost-nodeport-reject-ports',
} as const;

/** Protocols whose localhost node-port traffic kube-proxy may reject and count. */
export const REJECTABLE_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type LowerProtocol = (typeof REJECTABLE_PROTOCOLS)[number];

export const localhostRejectChain = (proto: string): string => `localhost-nodeport-reject-${proto}`;
export const localhostRejectCounter = (proto: string): string => `localhost-nodeport-rejected-${proto}`;

/** Base chains in kube-proxy's order (knftables writes the priorities as numbers). */
export const BASE_CHAINS: readonly { name: string; base: NftBaseChain }[] = [
  { name: CHAIN.filterPreroutingPreDNAT, base: { type: 'filter', hook: 'prerouting', priority: -110 } },
  { name: CHAIN.filterOutputPreDNAT, base: { type: 'filter', hook: 'output', priority: -110 } },
  { name: CHAIN.filterInput, base: { type: 'filter', hook: 'input', priority: 0 } },
  { name: CHAIN.filterForward, base: { type: 'filter', hook: 'forward', priority: 0 } },
  { name: CHAIN.filterOutput, base: { type: 'filter', hook: 'output', priority: 0 } },
  { name: CHAIN.natPrerouting, base: { type: 'nat', hook: 'prerouting', priority: -100 } },
  { name: CHAIN.natOutput, base: { type: 'nat', hook: 'output', priority: -100 } },
  { name: CHAIN.natPostrouting, base: { type: 'nat', hook: 'postrouting', priority: 100 } },
];

/** Regular chains jumped to from the base chains: [target, from, match before the jump]. */
const JUMP_CHAINS: readonly [string, string, string][] = [
  // reject is only valid in input/forward/output hooks on older kernels, hence these three.
  [CHAIN.nodePortEndpointsCheck, CHAIN.filterInput, 'ct state new'],
  [CHAIN.serviceEndpointsCheck, CHAIN.filterInput, 'ct state new'],
  [CHAIN.serviceEndpointsCheck, CHAIN.filterForward, 'ct state new'],
  [CHAIN.serviceEndpointsCheck, CHAIN.filterOutput, 'ct state new'],
  [CHAIN.firewallCheck, CHAIN.filterPreroutingPreDNAT, 'ct state new'],
  [CHAIN.firewallCheck, CHAIN.filterOutputPreDNAT, 'ct state new'],
  [CHAIN.services, CHAIN.natOutput, ''],
  [CHAIN.services, CHAIN.natPrerouting, ''],
  [CHAIN.masquerading, CHAIN.natPostrouting, ''],
  [CHAIN.clusterIPsCheck, CHAIN.filterForward, 'ct state new'],
  [CHAIN.clusterIPsCheck, CHAIN.filterOutput, 'ct state new'],
];

const IPV4 = 'ipv4_addr';
const SERVICE_KEY = [IPV4, 'inet_proto', 'inet_service'];
const NODEPORT_KEY = ['inet_proto', 'inet_service'];

/** Chains created so far in this transaction: `ensureChain` adds and flushes each once. */
export class ChainTracker {
  private readonly created = new Set<string>();
  constructor(private readonly tx: NftTransaction) {}
  ensure(name: string): void {
    if (this.created.has(name)) return;
    this.created.add(name);
    this.tx.addChain(name);
    this.tx.flushChain(name);
  }
}

/** What the localhost node-port feature (KubeProxyNFTablesLocalhostNodePorts) rejects. */
export function localhostRejectProtocols(featureEnabled: boolean, ctx: NftNodeContext): LowerProtocol[] {
  if (!featureEnabled) return [];
  // With an explicit loopback node-port CIDR a userspace proxy serves TCP; only UDP/SCTP are refused.
  return ctx.nodePortExplicitLoopback ? ['udp', 'sctp'] : [...REJECTABLE_PROTOCOLS];
}

export interface SetupOptions {
  /** First sync after start: add+delete every base chain so changed properties apply. */
  firstSync: boolean;
  localhostRejects: readonly LowerProtocol[];
}

export function writeSetup(tx: NftTransaction, ctx: NftNodeContext, opts: SetupOptions): ChainTracker {
  const mark = ctx.masqueradeMark;
  const masqueradeRule = `mark set mark or ${mark}`;
  const notLocalhost = 'ip daddr != 127.0.0.0/8';

  tx.add({ kind: 'table', comment: 'rules for kube-proxy' });
  if (opts.firstSync) {
    for (const bc of BASE_CHAINS) {
      tx.addChain(bc.name);
      tx.delete({ kind: 'chain', chain: { name: bc.name } });
    }
  }
  for (const bc of BASE_CHAINS) {
    tx.addChain(bc.name, { base: bc.base });
    tx.flushChain(bc.name);
  }

  const chains = new ChainTracker(tx);
  for (const [dst, src, extra] of JUMP_CHAINS) {
    chains.ensure(dst);
    tx.addRule(src, extra === '' ? `jump ${dst}` : `${extra} jump ${dst}`);
  }
  for (const name of [CHAIN.services, CHAIN.clusterIPsCheck, CHAIN.masquerading]) chains.ensure(name);

  tx.add({
    kind: 'set',
    set: { kind: 'set', name: SET.hairpinConnections, keyType: [IPV4, IPV4, 'inet_proto', 'inet_service'], comment: 'service hairpin connections' },
  });
  tx.addRule(CHAIN.masquerading, `mark and ${mark} != 0 mark set mark xor ${mark} masquerade fully-random`);
  tx.addRule(
    CHAIN.masquerading,
    `ct status dnat ip saddr . ip daddr . meta l4proto . th dport @${SET.hairpinConnections} masquerade fully-random`,
  );

  tx.add({ kind: 'set', set: { kind: 'set', name: SET.clusterIPs, keyType: [IPV4], comment: 'Active ClusterIPs' } });
  tx.addRule(CHAIN.clusterIPsCheck, `ip daddr @${SET.clusterIPs} reject`, 'Reject traffic to invalid ports of ClusterIPs');
  if (ctx.serviceCIDRs.length > 0) {
    tx.addRule(CHAIN.clusterIPsCheck, `ip daddr { ${ctx.serviceCIDRs.join(',')} } drop`, 'Drop traffic to unallocated ClusterIPs');
  }

  tx.add({ kind: 'set', set: { kind: 'set', name: SET.nodePortIPs, keyType: [IPV4], comment: 'IPs that accept NodePort traffic' } });
  if (ctx.nodePortMatchAll) {
    tx.delete({ kind: 'set', set: { kind: 'set', name: SET.nodePortIPs, keyType: [IPV4] } });
  } else {
    tx.flush({ kind: 'set', set: { kind: 'set', name: SET.nodePortIPs, keyType: [IPV4] } });
    for (const ip of ctx.nodePortIPs) tx.addElement(SET.nodePortIPs, false, [ip]);
  }

  tx.add({
    kind: 'set',
    set: {
      kind: 'map',
      name: SET.noEndpointServices,
      keyType: SERVICE_KEY,
      valueType: 'verdict',
      comment: 'vmap to drop or reject packets to services with no endpoints',
    },
  });
  tx.add({
    kind: 'set',
    set: {
      kind: 'map',
      name: SET.noEndpointNodePorts,
      keyType: NODEPORT_KEY,
      valueType: 'verdict',
      comment: 'vmap to drop or reject packets to service nodeports with no endpoints',
    },
  });
  tx.addChain(CHAIN.reject, { comment: 'helper for @no-endpoint-services / @no-endpoint-nodeports' });
  tx.flushChain(CHAIN.reject);
  tx.addRule(CHAIN.reject, 'reject');
  tx.addRule(CHAIN.serviceEndpointsCheck, `ip daddr . meta l4proto . th dport vmap @${SET.noEndpointServices}`);
  tx.addRule(
    CHAIN.nodePortEndpointsCheck,
    ctx.nodePortMatchAll
      ? `${notLocalhost} meta l4proto . th dport vmap @${SET.noEndpointNodePorts}`
      : `ip daddr @${SET.nodePortIPs} meta l4proto . th dport vmap @${SET.noEndpointNodePorts}`,
  );

  const rejectMap = { kind: 'map' as const, name: SET.localhostNodePortReject, keyType: NODEPORT_KEY, valueType: 'verdict' };
  tx.add({ kind: 'set', set: { ...rejectMap, comment: 'localhost NodePorts rejected by kube-proxy' } });
  if (opts.localhostRejects.length > 0) {
    for (const proto of opts.localhostRejects) {
      const counter = localhostRejectCounter(proto);
      tx.add({ kind: 'counter', counter: { name: counter } });
      chains.ensure(localhostRejectChain(proto));
      tx.addRule(localhostRejectChain(proto), `counter name "${counter}" reject`);
    }
    tx.addRule(CHAIN.nodePortEndpointsCheck, `ip daddr 127.0.0.0/8 meta l4proto . th dport vmap @${SET.localhostNodePortReject}`);
  } else {
    tx.delete({ kind: 'set', set: rejectMap });
  }
  // Leftovers of protocols not rejected now: add then delete, so the delete always succeeds.
  for (const proto of REJECTABLE_PROTOCOLS) {
    if (opts.localhostRejects.includes(proto)) continue;
    tx.addChain(localhostRejectChain(proto));
    tx.delete({ kind: 'chain', chain: { name: localhostRejectChain(proto) } });
    tx.add({ kind: 'counter', counter: { name: localhostRejectCounter(proto) } });
    tx.delete({ kind: 'counter', counter: { name: localhostRejectCounter(proto) } });
  }

  tx.add({
    kind: 'set',
    set: {
      kind: 'map',
      name: SET.firewallIPs,
      keyType: SERVICE_KEY,
      valueType: 'verdict',
      comment: 'destinations that are subject to LoadBalancerSourceRanges',
    },
  });
  chains.ensure(CHAIN.firewallCheck);
  tx.addRule(CHAIN.firewallCheck, `ip daddr . meta l4proto . th dport vmap @${SET.firewallIPs}`);

  tx.add({
    kind: 'set',
    set: { kind: 'map', name: SET.serviceIPs, keyType: SERVICE_KEY, valueType: 'verdict', comment: 'ClusterIP, ExternalIP and LoadBalancer IP traffic' },
  });
  tx.add({
    kind: 'set',
    set: { kind: 'map', name: SET.serviceNodePorts, keyType: NODEPORT_KEY, valueType: 'verdict', comment: 'NodePort traffic' },
  });

  const detector = ctx.base.detector;
  if (ctx.base.masqueradeAll) {
    tx.addRule(CHAIN.services, `ip daddr @${SET.clusterIPs} ${masqueradeRule}`, 'masquerade all clusterIP traffic');
  } else if (detector.implemented) {
    tx.addRule(
      CHAIN.services,
      `ip daddr @${SET.clusterIPs} ${detector.ifNotLocalNFT.join(' ')} ${masqueradeRule}`,
      'masquerade clusterIP traffic from outside cluster',
    );
  }
  tx.addRule(CHAIN.services, `ip daddr . meta l4proto . th dport vmap @${SET.serviceIPs}`);
  tx.addRule(
    CHAIN.services,
    ctx.nodePortMatchAll
      ? `fib daddr type local ${notLocalhost} meta l4proto . th dport vmap @${SET.serviceNodePorts}`
      : `ip daddr @${SET.nodePortIPs} meta l4proto . th dport vmap @${SET.serviceNodePorts}`,
  );
  return chains;
}
