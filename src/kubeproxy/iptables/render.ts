/**
 * Renders the `filter` and `nat` tables one node would hold under kube-proxy's iptables proxier
 * (pkg/proxy/iptables/proxier.go, syncProxyRules), as `iptables-restore` input in iptables-save
 * format: kube-proxy's own restore text (chain lines, then rules, in the order kube-proxy writes
 * them), preceded by the builtin chains and the jump rules kube-proxy and kubelet install with
 * EnsureRule, so the text loads into an empty network namespace with `iptables-restore`.
 *
 * Strings are collected in arrays and joined once; hashes are computed once per service port
 * and endpoint (see plan.ts), so a node with 10,000 services renders in well under a second.
 */
import type { ClusterState } from '../../model/types.js';
import { computeProbability } from './probability.js';
import { nodePortIPs, type NodeContext } from './node.js';
import { endpointChains, planNode, type NodePlan, type ServicePortPlan } from './plan.js';
import type { ProxyEndpoint } from './endpoints.js';
import { formatSourceRange } from './service-port.js';
import { cidrContains } from './ipv4.js';

/**
 * Switches for kernel/iptables features a caller may lack. Defaults are what kube-proxy's unit
 * tests produce (its fake iptables has nfacct counters and no --random-fully).
 */
export interface RenderOptions {
  /** nfacct counters (`-m nfacct`) on the INVALID drop and localhost node-port rules. Default true. */
  nfacct?: boolean;
  /** `MASQUERADE --random-fully` (iptables ≥ 1.6.2 with kernel support). Default false. */
  randomFully?: boolean;
  /** Host sets nf_conntrack_tcp_be_liberal: kube-proxy then writes no INVALID drop. Default false. */
  conntrackTCPLiberal?: boolean;
  /** Builtin chains and the jump rules into kube-proxy's chains. Default true. */
  hooks?: boolean;
  /**
   * Kubelet's copy of KUBE-FIREWALL (the localnet guard), present on every IPv4 node even when
   * kube-proxy does not write it (localhost node ports off). Default true.
   */
  kubeletFirewall?: boolean;
  /** Endpoint count above which kube-proxy drops per-endpoint comments. Default 1000. */
  largeClusterEndpointsThreshold?: number;
}

/** The rendered text plus the plan it came from. */
export interface RenderedNodeRules {
  text: string;
  plan: NodePlan;
}

const NFACCT_INVALID = 'ct_state_invalid_dropped_pkts';
const NFACCT_LOCALHOST_NODEPORT = 'localhost_nps_accepted_pkts';

/** `-m comment --comment "<text>"` the way kube-proxy quotes it (only when needed). */
function comment(text: string): string {
  return /\s/.test(text) ? `-m comment --comment "${text}"` : `-m comment --comment ${text}`;
}

function chainLine(name: string): string {
  return `:${name} - [0:0]`;
}

interface Buffers {
  filterChains: string[];
  filterRules: string[];
  natChains: string[];
  natRules: string[];
}

function writeServiceToEndpointRules(
  natRules: string[],
  sp: ServicePortPlan,
  chain: string,
  endpoints: readonly ProxyEndpoint[],
  largeClusterMode: boolean,
): void {
  const info = sp.info;
  if (info.sessionAffinityClientIP) {
    for (const ep of endpoints) {
      const c = largeClusterMode ? '' : ` ${comment(`${info.name} -> ${ep.endpoint}`)}`;
      natRules.push(
        `-A ${chain}${c} -m recent --name ${ep.chain} --rcheck --seconds ${info.stickyMaxAgeSeconds} --reap -j ${ep.chain}`,
      );
    }
  }
  const n = endpoints.length;
  for (let i = 0; i < n; i++) {
    const ep = endpoints[i];
    const c = largeClusterMode ? '' : ` ${comment(`${info.name} -> ${ep.endpoint}`)}`;
    const stat = i < n - 1 ? ` -m statistic --mode random --probability ${computeProbability(n - i)}` : '';
    natRules.push(`-A ${chain}${c}${stat} -j ${ep.chain}`);
  }
}

function writeServicePort(buf: Buffers, ctx: NodeContext, sp: ServicePortPlan, nfacct: boolean, largeClusterMode: boolean): void {
  const { filterRules, natChains, natRules } = buf;
  const info = sp.info;
  const p = info.proto;
  const proto = `-m ${p} -p ${p}`;
  const port = String(info.portNumber);
  const chains = info.chains;

  // ClusterIP.
  if (sp.hasInternalEndpoints) {
    natRules.push(
      `-A KUBE-SERVICES ${comment(`${info.name} cluster IP`)} ${proto} -d ${info.clusterIP} --dport ${port} -j ${sp.internalTrafficChain}`,
    );
  } else if (sp.internalFilter !== undefined) {
    filterRules.push(
      `-A KUBE-SERVICES ${comment(sp.internalFilter.comment)} ${proto} -d ${info.clusterIP} --dport ${port} -j ${sp.internalFilter.target}`,
    );
  }

  // externalIPs.
  for (const ip of info.externalIPs) {
    if (sp.hasEndpoints) {
      natRules.push(`-A KUBE-SERVICES ${comment(`${info.name} external IP`)} ${proto} -d ${ip} --dport ${port} -j ${chains.external}`);
    }
    if (!sp.hasExternalEndpoints && sp.externalFilter !== undefined) {
      filterRules.push(
        `-A KUBE-EXTERNAL-SERVICES ${comment(sp.externalFilter.comment)} ${proto} -d ${ip} --dport ${port} -j ${sp.externalFilter.target}`,
      );
    }
  }

  // LoadBalancer VIPs.
  for (const ip of info.loadBalancerVIPs) {
    if (sp.hasEndpoints) {
      natRules.push(
        `-A KUBE-SERVICES ${comment(`${info.name} loadbalancer IP`)} ${proto} -d ${ip} --dport ${port} -j ${sp.loadBalancerTrafficChain}`,
      );
    }
    if (sp.usesFirewallChain) {
      filterRules.push(
        `-A KUBE-PROXY-FIREWALL ${comment(`${info.name} traffic not accepted by ${chains.firewall}`)} ${proto} -d ${ip} --dport ${port} -j DROP`,
      );
    }
  }
  if (!sp.hasExternalEndpoints && sp.externalFilter !== undefined) {
    for (const ip of info.loadBalancerVIPs) {
      filterRules.push(
        `-A KUBE-EXTERNAL-SERVICES ${comment(sp.externalFilter.comment)} ${proto} -d ${ip} --dport ${port} -j ${sp.externalFilter.target}`,
      );
    }
  }

  // NodePort.
  if (info.nodePort !== 0) {
    const nodePort = String(info.nodePort);
    if (sp.hasEndpoints) {
      if (ctx.localhostNodePorts && nfacct) {
        natRules.push(
          `-A KUBE-NODEPORTS ${comment(info.name)} ${proto} -d 127.0.0.0/8 --dport ${nodePort} -m nfacct --nfacct-name ${NFACCT_LOCALHOST_NODEPORT} -j ${chains.external}`,
        );
      }
      natRules.push(`-A KUBE-NODEPORTS ${comment(info.name)} ${proto} --dport ${nodePort} -j ${chains.external}`);
    }
    if (!sp.hasExternalEndpoints && sp.externalFilter !== undefined) {
      filterRules.push(
        `-A KUBE-EXTERNAL-SERVICES ${comment(sp.externalFilter.comment)} -m addrtype --dst-type LOCAL ${proto} --dport ${nodePort} -j ${sp.externalFilter.target}`,
      );
    }
  }

  // Health-check node port: accepted whether or not there are endpoints.
  if (info.healthCheckNodePort !== 0) {
    filterRules.push(
      `-A KUBE-NODEPORTS ${comment(`${info.name} health check node port`)} -m tcp -p tcp --dport ${info.healthCheckNodePort} -j ACCEPT`,
    );
  }

  // Masquerade rule at the top of the internal traffic chain.
  if (sp.hasInternalEndpoints) {
    const args = `${comment(`${info.name} cluster IP`)} ${proto} -d ${info.clusterIP} --dport ${port}`;
    if (ctx.masqueradeAll) {
      natRules.push(`-A ${sp.internalTrafficChain} ${args} -j KUBE-MARK-MASQ`);
    } else if (ctx.detector.implemented) {
      natRules.push(`-A ${sp.internalTrafficChain} ${args} ${ctx.detector.ifNotLocal.join(' ')} -j KUBE-MARK-MASQ`);
    }
  }

  // KUBE-EXT.
  if (sp.usesExternalTrafficChain) {
    natChains.push(chainLine(chains.external));
    if (!info.externalPolicyLocal) {
      natRules.push(
        `-A ${chains.external} ${comment(`masquerade traffic for ${info.name} external destinations`)} -j KUBE-MARK-MASQ`,
      );
    } else {
      if (ctx.detector.implemented) {
        natRules.push(
          `-A ${chains.external} ${comment(`pod traffic for ${info.name} external destinations`)} ${ctx.detector.ifLocal.join(' ')} -j ${chains.cluster}`,
        );
      }
      natRules.push(
        `-A ${chains.external} ${comment(`masquerade LOCAL traffic for ${info.name} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
      );
      natRules.push(
        `-A ${chains.external} ${comment(`route LOCAL traffic for ${info.name} external destinations`)} -m addrtype --src-type LOCAL -j ${chains.cluster}`,
      );
    }
    if (sp.hasExternalEndpoints) natRules.push(`-A ${chains.external} -j ${sp.externalPolicyChain}`);
  }

  // KUBE-FW.
  if (sp.usesFirewallChain) {
    natChains.push(chainLine(chains.firewall));
    const head = `-A ${chains.firewall} ${comment(`${info.name} loadbalancer IP`)}`;
    let allowFromNode = false;
    for (const cidr of info.sourceRanges) {
      natRules.push(`${head} -s ${formatSourceRange(cidr)} -j ${chains.external}`);
      if (ctx.nodeIP !== undefined && cidrContains(cidr, ctx.nodeIP)) allowFromNode = true;
    }
    if (allowFromNode) {
      for (const ip of info.loadBalancerVIPs) natRules.push(`${head} -s ${ip} -j ${chains.external}`);
    }
    natRules.push(`-A ${chains.firewall} ${comment(`other traffic to ${info.name} will be dropped by KUBE-PROXY-FIREWALL`)}`);
  }

  // KUBE-SVC / KUBE-SVL.
  if (sp.usesClusterPolicyChain) {
    natChains.push(chainLine(chains.cluster));
    writeServiceToEndpointRules(natRules, sp, chains.cluster, sp.categorized.clusterEndpoints, largeClusterMode);
  }
  if (sp.usesLocalPolicyChain) {
    natChains.push(chainLine(chains.local));
    writeServiceToEndpointRules(natRules, sp, chains.local, sp.categorized.localEndpoints, largeClusterMode);
  }

  // KUBE-SEP per reachable endpoint.
  for (const ep of sp.categorized.allReachableEndpoints) {
    natChains.push(chainLine(ep.chain));
    const head = largeClusterMode ? `-A ${ep.chain}` : `-A ${ep.chain} ${comment(info.name)}`;
    natRules.push(`${head} -s ${ep.ip} -j KUBE-MARK-MASQ`);
    const affinity = info.sessionAffinityClientIP ? ` -m recent --name ${ep.chain} --set` : '';
    natRules.push(`${head}${affinity} ${proto} -j DNAT --to-destination ${ep.endpoint}`);
  }
}

/** Jump rules from builtin chains, in the order EnsureRule(Prepend) leaves them (kubelet's first). */
function hookRules(): { filter: string[]; nat: string[] } {
  const fw = '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL';
  const ext = '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES';
  const svc = '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES';
  // kube-proxy prepends each jump in its list order, kubelet's KUBE-FIREWALL jumps last, so those
  // end up first (as a real node's iptables-save shows; checked against kube-proxy-host).
  const filter = [
    '-A INPUT -j KUBE-FIREWALL',
    `-A INPUT ${fw}`,
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    `-A INPUT ${ext}`,
    `-A FORWARD ${fw}`,
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    `-A FORWARD ${svc}`,
    `-A FORWARD ${ext}`,
    '-A OUTPUT -j KUBE-FIREWALL',
    `-A OUTPUT ${fw}`,
    `-A OUTPUT ${svc}`,
  ];
  const nat = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
  ];
  return { filter, nat };
}

/** Renders a planned node. */
export function renderPlan(plan: NodePlan, options: RenderOptions = {}): string {
  const nfacct = options.nfacct ?? true;
  const randomFully = options.randomFully ?? false;
  const tcpLiberal = options.conntrackTCPLiberal ?? false;
  const hooks = options.hooks ?? true;
  const kubeletFirewall = options.kubeletFirewall ?? true;
  const threshold = options.largeClusterEndpointsThreshold ?? 1000;
  const ctx = plan.ctx;
  const mark = ctx.masqueradeMark;
  const largeClusterMode = plan.totalEndpoints > threshold;

  const buf: Buffers = {
    filterChains: ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'].map(chainLine),
    filterRules: [],
    natChains: ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'].map(chainLine),
    natRules: [],
  };
  buf.natRules.push(`-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`);
  buf.natRules.push(`-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`);
  buf.natRules.push(
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${randomFully ? ' --random-fully' : ''}`,
  );
  buf.natRules.push(`-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`);

  // KUBE-FIREWALL: kube-proxy writes it with localhost node ports; kubelet installs it anyway.
  const writeFirewall = ctx.localhostNodePorts || kubeletFirewall;
  if (writeFirewall) {
    buf.filterChains.push(chainLine('KUBE-FIREWALL'));
    buf.filterRules.push(
      '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    );
  }

  // Each service port's lines are joined right away: the short line strings then die young
  // instead of surviving until the end, which keeps garbage collection cheap for big clusters.
  const local: Buffers = { filterChains: [], filterRules: [], natChains: [], natRules: [] };
  for (const sp of plan.servicePorts) {
    writeServicePort(local, ctx, sp, nfacct, largeClusterMode);
    if (local.filterRules.length > 0) buf.filterRules.push(local.filterRules.join('\n'));
    if (local.natChains.length > 0) buf.natChains.push(local.natChains.join('\n'));
    if (local.natRules.length > 0) buf.natRules.push(local.natRules.join('\n'));
    local.filterRules.length = 0;
    local.natChains.length = 0;
    local.natRules.length = 0;
  }

  // Last rule of nat KUBE-SERVICES: hand local destinations to KUBE-NODEPORTS.
  const lastComment = '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"';
  if (ctx.nodePortMatchAll) {
    const notLocalhost = ctx.localhostNodePorts ? '' : ' ! -d 127.0.0.0/8';
    buf.natRules.push(`-A KUBE-SERVICES ${lastComment} -m addrtype --dst-type LOCAL${notLocalhost} -j KUBE-NODEPORTS`);
  } else {
    for (const ip of nodePortIPs(ctx)) {
      if (ip.startsWith('127.') && !ctx.localhostNodePorts) continue;
      buf.natRules.push(`-A KUBE-SERVICES ${lastComment} -d ${ip} -j KUBE-NODEPORTS`);
    }
  }

  if (!tcpLiberal) {
    buf.filterRules.push(
      `-A KUBE-FORWARD -m conntrack --ctstate INVALID${nfacct ? ` -m nfacct --nfacct-name ${NFACCT_INVALID}` : ''} -j DROP`,
    );
  }
  buf.filterRules.push(`-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`);
  buf.filterRules.push(
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );

  const hook = hooks ? hookRules() : { filter: [], nat: [] };
  const filterBuiltins = hooks ? [':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'] : [];
  // kube-proxy EnsureChain()s KUBE-FIREWALL for its jump rules even when it leaves it empty.
  if (hooks && !writeFirewall) filterBuiltins.push(chainLine('KUBE-FIREWALL'));
  const natBuiltins = hooks ? [':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]'] : [];
  // One flat list, filled with loops (spreading 100,000-line arrays would overflow the stack).
  const sections = [
    ['*filter'],
    filterBuiltins,
    buf.filterChains,
    hook.filter,
    buf.filterRules,
    ['COMMIT', '*nat'],
    natBuiltins,
    buf.natChains,
    hook.nat,
    buf.natRules,
    ['COMMIT', ''],
  ];
  const all: string[] = [];
  for (const section of sections) for (const line of section) all.push(line);
  return all.join('\n');
}

/**
 * The `filter` and `nat` tables kube-proxy (iptables mode) would write on `nodeName`, as
 * iptables-restore input. Throws an Error naming the known nodes when `nodeName` is unknown.
 */
export function renderNodeRules(state: ClusterState, nodeName: string, options?: RenderOptions): string {
  return renderPlan(planNode(state, nodeName), options);
}

/** Like renderNodeRules, also returning the plan (endpoint sets, chain names) behind the text. */
export function renderNodeRulesWithPlan(state: ClusterState, nodeName: string, options?: RenderOptions): RenderedNodeRules {
  const plan = planNode(state, nodeName);
  return { text: renderPlan(plan, options), plan };
}

export { endpointChains, planNode };
export type { NodePlan, ServicePortPlan };
