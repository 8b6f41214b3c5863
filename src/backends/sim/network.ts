/**
 * The simulated network around the rules. Every node and client sits on one L2 segment with its
 * scenario addresses; pods live behind their node's pod links (src/model/pod-network.ts: a bridge,
 * `cni0` unless detect-local names another, or one veth per pod named by a prefix; gateway = first host of the
 * node's pod CIDR); nodes route each other's pod CIDRs over the segment. Each node runs the
 * rules kube-proxy would write in the scenario's mode (rendered by src/kubeproxy/<mode>), walked by
 * src/evaluators/<mode> (see ./walkers.ts).
 *
 * How traffic from outside reaches the cluster:
 *  - a node address: straight over the segment to that node;
 *  - any address a static route of the client covers (`routes: [{to, via}]`, most specific
 *    first): to the node the route names; this wins over the two cases below;
 *  - a LoadBalancer ingress IP: the cloud load balancer forwards the packet unchanged (VIP style,
 *    client source kept) to one healthy node, picked uniformly with the seeded RNG. Healthy = the
 *    node has a ready local endpoint when the Service has externalTrafficPolicy Local (what its
 *    healthCheckNodePort reports), every node otherwise. No healthy node: timeout;
 *  - an external IP: the upstream router hands it to one node of the cluster picked uniformly
 *    with the seeded RNG;
 *  - anything else: no route, a timeout. So a ClusterIP or pod IP from an external client times
 *    out unless a route says otherwise.
 * Pods send through their node (PREROUTING with their link as in-interface); nodes send through OUTPUT.
 * With node-subnet pod addressing (VPC CNI) pod addresses live in the nodes' subnets: the network
 * routes each one to its node (from clients too), and the node's pod links carry no address.
 * Delivery: a pod answers on the ports it declares (all ports when it declares none), else the
 * connection is refused; a node answers only on health-check node ports, else refused; DROP and
 * unroutable packets time out; REJECT is refused. The reply walks back through every node's
 * conntrack, and a reply that does not come back from the address the client called (no un-NAT
 * on its path) is a timeout, as the client's TCP stack would drop it. When the reply bypassed a
 * node the request crossed (asymmetric routing), that node's conntrack saw only the SYN: the
 * client's ACK is walked along the request's path too, and is INVALID there (KUBE-FORWARD drops
 * it unless the host is liberal), so the request times out as it does in the kernel.
 */
import type { ClusterState, NodeSpec, Pod, Service } from '../../model/types.js';
import type { Outcome } from '../../model/scenario.js';
import type { TraceHop } from '../../observe/observation.js';
import type { CompileOptions } from '../../evaluators/iptables/evaluate.js';
import type { HookRules } from '../../evaluators/hook-rules.js';
import { NetfilterHost, type WalkOptions } from '../../evaluators/host.js';
import { cidrContains, firstHost, formatIPv4, parseCidr, parseIPv4, type Cidr } from '../../evaluators/iptables/ip.js';
import { iptablesWalker, type RulesWalker } from './walkers.js';
import { CT, protoNumber, type Packet } from '../../evaluators/iptables/packet.js';
import type { ConntrackEntry } from '../../evaluators/iptables/conntrack.js';
import { DEFAULT_POD_BRIDGE, podGatewayAddress, podLinks, usesNodeSubnet, type PodLinks } from '../../model/pod-network.js';

/** Who sends: a named client, node or pod, or a bare address (resolved to one of those if it is one). */
export type Sender =
  | { kind: 'client'; name: string }
  | { kind: 'node'; name: string }
  | { kind: 'pod'; name: string; namespace?: string }
  | { kind: 'address'; address: string };

export interface RequestOptions {
  chance(p: number): boolean;
  now: number;
  mutate: boolean;
  /** Source port of the connection. */
  sport: number;
  /** Collect the path. */
  trace: boolean;
  journal?: WalkOptions['journal'];
  /** Force the first node the packet meets (trace --node). */
  viaNode?: string;
}

/**
 * Why a request was not answered: a rule dropped or rejected it (`rule-drop`, `rule-reject`, on
 * the way there or back), routing lost it (`no-route`), nothing listens on the port it reached
 * (`not-listening`: the kernel answers with a reset), or the reply never got back (`reply-lost`).
 */
export type LossCause = 'rule-drop' | 'rule-reject' | 'no-route' | 'not-listening' | 'reply-lost';

export interface RequestResult {
  outcome: Outcome;
  endpoint?: string;
  pod?: string;
  node?: string;
  /** Serving host that answered (a cluster client with `serves`). */
  host?: string;
  sourceSeen?: string;
  ingressNode?: string;
  detail?: string;
  /** Why a request got no answer (trace tells these apart): see LossCause. */
  cause?: LossCause;
  trace: TraceHop[];
  /** Source NAT happened on the way. */
  masqueraded: boolean;
  /** Destination NAT happened on the way. */
  dnat: boolean;
}

interface SimClient {
  name: string;
  address: number;
  routes: { to: Cidr; via: number }[];
  /** `port/proto-number` keys of the ports it answers on (a serving host); empty for a plain client. */
  serves: Set<string>;
}

interface SimNode {
  spec: NodeSpec;
  primary: number;
  addrs: Set<number>;
  podCidr: Cidr;
  /** The node's address on its pod links (pod-cidr addressing); undefined with node-subnet addressing. */
  gateway: number | undefined;
  host: NetfilterHost;
}

const MAX_HOPS = 16;
/** Every node's link to the outside network. */
const UPLINK = 'eth0';

/** How a SimNetwork compiles its nodes' rules. */
export interface SimNetworkOptions {
  /** Passed to every iptables CompiledRuleset (tests use `{ plain: true }` to check the optimized path). */
  compile?: CompileOptions;
  /** Which walker reads the rendered rules (default: iptables, with `compile`). */
  walker?: RulesWalker;
  /**
   * Reuse the compiled rules of an identical dump (another node's, or the node's own before a
   * change step) instead of parsing and compiling it again, and reuse the parse of every line
   * seen in the previous update (a changed dump shares most of its lines). Default true; parsed
   * and compiled rules are immutable, so sharing them changes no answer.
   */
  reuseCompiled?: boolean;
}

export class SimNetwork {
  private nodes = new Map<string, SimNode>();
  private nodeByAddr = new Map<number, SimNode>();
  private podByIp = new Map<number, Pod>();
  private clients = new Map<string, SimClient>();
  private clientByAddr = new Map<number, SimClient>();
  private links: PodLinks = { kind: 'bridge', name: DEFAULT_POD_BRIDGE };
  private nodeSubnet = false;
  /** Per pod (`ns/name`): its number among its node's pods, for veth names. */
  private vethIndex = new Map<string, number>();
  private state!: ClusterState;
  /** Compiled rules by dump text, as of the last update. */
  private compiled = new Map<string, HookRules>();
  private readonly walker: RulesWalker;
  /** How many dumps the last update parsed and compiled (the rest were reused). */
  compiledLastUpdate = 0;

  constructor(
    state: ClusterState,
    private readonly render: (state: ClusterState, node: string) => string,
    private readonly options: SimNetworkOptions = {},
  ) {
    this.walker = options.walker ?? iptablesWalker(options.compile);
    this.update(state);
  }

  /** Which kube-proxy mode's rules this network walks. */
  get mode(): 'iptables' | 'nftables' {
    return this.walker.mode;
  }

  /** Re-renders every node's rules from `state`; conntrack and `recent` state stay on each node. */
  update(state: ClusterState): void {
    this.state = state;
    this.links = podLinks(state.cluster);
    this.nodeSubnet = usesNodeSubnet(state.cluster);
    this.vethIndex = new Map();
    const perNode = new Map<string, number>();
    for (const pod of state.pods) {
      const n = perNode.get(pod.node) ?? 0;
      perNode.set(pod.node, n + 1);
      this.vethIndex.set(`${pod.namespace}/${pod.name}`, n);
    }
    const old = this.nodes;
    const reuse = this.options.reuseCompiled !== false;
    const previous = this.compiled;
    const compiled = new Map<string, HookRules>();
    this.compiledLastUpdate = 0;
    const compiler = this.walker.forUpdate(reuse ? [...new Set(previous.values())] : []);
    this.nodes = new Map();
    this.nodeByAddr = new Map();
    for (const spec of state.cluster.nodes) {
      const addrs = new Set<number>();
      for (const a of spec.addresses) {
        const n = parseIPv4(a);
        if (n !== undefined) addrs.add(n);
      }
      const primary = parseIPv4(spec.addresses.find((a) => parseIPv4(a) !== undefined) ?? '');
      const podCidr = parseCidr(spec.podCIDR);
      if (primary === undefined || !podCidr) throw new Error(`node ${spec.name}: needs an IPv4 address and pod CIDR`);
      const gatewayText = podGatewayAddress(state.cluster, spec);
      const gateway = gatewayText === undefined ? undefined : parseIPv4(gatewayText);
      if (gateway !== undefined) addrs.add(gateway);
      const text = this.render(state, spec.name);
      let rules = reuse ? (compiled.get(text) ?? previous.get(text)) : undefined;
      if (!rules) {
        rules = compiler.compile(text, `rules of node ${spec.name}`);
        this.compiledLastUpdate++;
      }
      if (reuse) compiled.set(text, rules);
      // A node has a handful of addresses: a scan of a typed array beats hashing a boxed number.
      const own = Int32Array.from(addrs, (a) => a | 0);
      const isLocal = (a: number): boolean => {
        if (a >>> 24 === 127) return true;
        const x = a | 0;
        for (let i = 0; i < own.length; i++) if (own[i] === x) return true;
        return false;
      };
      const config = {
        name: spec.name,
        rules,
        isLocal,
        route: (dst: number) => {
          if (isLocal(dst)) return { kind: 'local' } as const;
          const link = this.podLinkTo(spec.name, podCidr, dst);
          return { kind: 'out', iface: link ?? UPLINK } as const;
        },
        ifaceAddress: (iface: string) => (iface === 'lo' ? 0x7f000001 : iface === UPLINK ? primary : (gateway ?? primary)),
      };
      const prev = old.get(spec.name);
      let host: NetfilterHost;
      if (prev) {
        host = prev.host;
        host.replaceRules(config);
      } else host = new NetfilterHost(config);
      const node: SimNode = { spec, primary, addrs, podCidr, gateway, host };
      this.nodes.set(spec.name, node);
      for (const a of addrs) this.nodeByAddr.set(a, node);
    }
    this.compiled = compiled;
    this.podByIp = new Map();
    for (const pod of state.pods) {
      const ip = parseIPv4(pod.ip);
      if (ip !== undefined) this.podByIp.set(ip, pod);
    }
    this.clients = new Map();
    this.clientByAddr = new Map();
    for (const c of state.cluster.clients) {
      const address = parseIPv4(c.address);
      if (address === undefined) continue;
      const routes = c.routes.flatMap((r) => {
        const to = parseCidr(r.to);
        const via = parseIPv4(r.via);
        return to && via !== undefined ? [{ to, via }] : [];
      });
      routes.sort((a, b) => b.to.bits - a.to.bits);
      const serves = new Set((c.serves ?? []).map((p) => `${p.port}/${protoNumber(p.protocol)}`));
      this.clients.set(c.name, { name: c.name, address, routes, serves });
      this.clientByAddr.set(address, this.clients.get(c.name)!);
    }
  }

  /** The NetfilterHost of a node (tests and `trace` read its state). */
  host(node: string): NetfilterHost | undefined {
    return this.nodes.get(node)?.host;
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** Resolves a bare address to the client, node or pod that owns it. */
  resolveSender(sender: Sender): Sender {
    if (sender.kind !== 'address') return sender;
    const a = parseIPv4(sender.address);
    if (a === undefined) return sender;
    const node = this.nodeByAddr.get(a);
    if (node && a !== node.gateway) return { kind: 'node', name: node.spec.name };
    const pod = this.podByIp.get(a);
    if (pod) return { kind: 'pod', name: pod.name, namespace: pod.namespace };
    const client = this.clientByAddr.get(a);
    if (client) return { kind: 'client', name: client.name };
    return sender;
  }

  /** Sends one connection attempt and follows it to its answer (or lack of one). */
  request(senderIn: Sender, dstText: string, dport: number, protocol: string, opts: RequestOptions): RequestResult {
    const trace: TraceHop[] = [];
    const note = (n: string, node?: string) => {
      if (opts.trace) trace.push(node ? { node, table: 'route', note: n } : { table: 'route', note: n });
    };
    const walk: WalkOptions = {
      chance: opts.chance,
      now: opts.now,
      mutate: opts.mutate,
      journal: opts.journal,
      trace: opts.trace ? (hop) => trace.push({ node: hop.node, table: hop.table, chain: hop.chain || undefined, rule: hop.rule, note: hop.note }) : undefined,
    };
    const result = (outcome: Outcome, extra: Partial<RequestResult> = {}): RequestResult => ({ outcome, trace, masqueraded, dnat, ...extra });
    let masqueraded = false;
    let dnat = false;
    const sender = this.resolveSender(senderIn);
    const dst = parseIPv4(dstText);
    const proto = protoNumber(protocol);
    if (dst === undefined) throw new Error(`'${dstText}' is not an IPv4 address`);
    if (proto === undefined || proto === 0 || proto === 1) throw new Error(`unknown protocol '${protocol}'`);

    // Where the packet starts.
    let srcAddr: number;
    let at: { node: SimNode; inIface: string | null } | undefined;
    let senderPod: Pod | undefined;
    let senderNode: SimNode | undefined;
    let senderClient: number | undefined;
    switch (sender.kind) {
      case 'node': {
        senderNode = this.nodes.get(sender.name);
        if (!senderNode) throw new Error(`unknown node '${sender.name}'`);
        // Source address selection: the address of the interface the route to dst leaves by:
        // lo, the pod bridge for this node's own pods (a direct pod IP), else the primary one.
        srcAddr = dst >>> 24 === 127 ? 0x7f000001 : this.podLinkTo(senderNode.spec.name, senderNode.podCidr, dst) !== undefined ? (senderNode.gateway ?? senderNode.primary) : senderNode.primary;
        at = { node: senderNode, inIface: null };
        break;
      }
      case 'pod': {
        senderPod = this.state.pods.find((p) => p.name === sender.name && (sender.namespace === undefined || p.namespace === sender.namespace));
        if (!senderPod) throw new Error(`unknown pod '${sender.name}'`);
        const node = this.nodes.get(senderPod.node);
        if (!node) throw new Error(`pod ${senderPod.name} runs on unknown node '${senderPod.node}'`);
        srcAddr = parseIPv4(senderPod.ip)!;
        const link = this.podLink(senderPod);
        note(`pod ${senderPod.name} sends via its node's ${link}${node.gateway !== undefined ? ` (gateway ${formatIPv4(node.gateway)})` : ''}`, node.spec.name);
        at = { node, inIface: link };
        break;
      }
      case 'client': {
        const c = this.clients.get(sender.name);
        if (!c) throw new Error(`unknown client '${sender.name}'`);
        srcAddr = c.address;
        senderClient = c.address;
        break;
      }
      case 'address': {
        const a = parseIPv4(sender.address);
        if (a === undefined) throw new Error(`'${sender.address}' is not an IPv4 address`);
        srcAddr = a;
        senderClient = a;
        break;
      }
    }
    let pkt: Packet = { src: srcAddr, dst, proto, sport: opts.sport, dport, mark: 0, inIface: '', outIface: '', ctstate: 0 };
    const original = { dst, dport };

    if (opts.viaNode !== undefined) {
      const node = this.nodes.get(opts.viaNode);
      if (!node) throw new Error(`unknown node '${opts.viaNode}'`);
      if (!at || at.node !== node) {
        note(`delivered to node ${node.spec.name} (--node)`, node.spec.name);
        at = { node, inIface: at?.inIface === null && at.node === node ? null : 'eth0' };
      }
    }
    if (!at) {
      const entry = this.deliverFromOutside(senderClient!, sender.kind === 'client' ? sender.name : formatIPv4(srcAddr), dst, opts.chance, note);
      if (entry === 'self') return result('refused', { cause: 'not-listening', detail: 'connection to the sender itself' });
      if (typeof entry === 'string') return result('timeout', { cause: 'no-route', detail: entry });
      if ('address' in entry) {
        // Host to host over the outside network: no node, no rules.
        const served = this.hostAnswer(entry, pkt, protocol);
        if (typeof served === 'string') return result('refused', { cause: 'not-listening', detail: served });
        if (opts.trace) trace.push({ table: 'deliver', note: `answered by host ${entry.name} at ${served.endpoint}, source seen ${served.sourceSeen}` });
        return result('ok', served);
      }
      at = { node: entry, inIface: 'eth0' };
    }
    const ingressNode = at.node.spec.name;
    const startAt = at;
    const startPkt = pkt;
    // Conntrack entries the request created or used on its way, to check the reply passed them
    // (allocated only when there are any: the verdict hot path stays allocation-free).
    let forwardEntries: ConntrackEntry[] | undefined;

    // Forward path.
    let responder: { pod?: Pod; node?: SimNode; host?: SimClient; at: SimNode; local: boolean } | undefined;
    for (let hop = 0; hop < MAX_HOPS && !responder; hop++) {
      const node = at!.node;
      const res = node.host.process(pkt, at!.inIface, walk);
      pkt = res.packet;
      if (res.kind !== 'drop' && res.kind !== 'reject' && res.entry) (forwardEntries ??= []).push(res.entry);
      if (pkt.ctstate & CT.DNAT) dnat = true;
      if (pkt.ctstate & CT.SNAT) masqueraded = true;
      if (res.kind === 'drop' || res.kind === 'reject') {
        const drop = res.kind === 'drop';
        return result(drop ? 'timeout' : 'refused', { ingressNode, cause: drop ? 'rule-drop' : 'rule-reject', detail: `${drop ? 'dropped' : 'rejected'} in ${res.hook} on ${node.spec.name}` });
      }
      if (res.kind === 'local') {
        responder = { node, at: node, local: true };
        break;
      }
      if (res.iface !== UPLINK) {
        const pod = this.podByIp.get(pkt.dst);
        if (!pod || pod.node !== node.spec.name) return result('timeout', { ingressNode, cause: 'no-route', detail: `no pod has address ${formatIPv4(pkt.dst)} on ${node.spec.name}` });
        note(`${node.spec.name} bridges to pod ${pod.name} (${pod.ip})`, node.spec.name);
        responder = { pod, at: node, local: false };
        break;
      }
      const next = this.nextHopFromNode(node, pkt.dst);
      if (next.kind === 'node') {
        note(`${node.spec.name} forwards ${formatIPv4(pkt.dst)} to node ${next.node.spec.name} (${formatIPv4(next.node.primary)})`, node.spec.name);
        at = { node: next.node, inIface: 'eth0' };
        continue;
      }
      if (next.kind === 'client') {
        if (next.client.serves.size === 0) return result('refused', { ingressNode, cause: 'not-listening', detail: `client ${formatIPv4(pkt.dst)} does not listen on port ${pkt.dport}` });
        note(`${node.spec.name} routes ${formatIPv4(pkt.dst)} to host ${next.client.name}`, node.spec.name);
        responder = { host: next.client, at: node, local: false };
        break;
      }
      return result('timeout', { ingressNode, cause: 'no-route', detail: `${node.spec.name} has no route to ${formatIPv4(pkt.dst)}; the packet leaves by the default route and is lost` });
    }
    if (!responder) return result('timeout', { ingressNode, cause: 'no-route', detail: 'routing loop' });

    // Does anything listen there?
    const sourceSeen = formatIPv4(pkt.src);
    const endpoint = `${formatIPv4(pkt.dst)}:${pkt.dport}`;
    let answer: Partial<RequestResult>;
    if (responder.host) {
      const served = this.hostAnswer(responder.host, pkt, protocol);
      if (typeof served === 'string') return result('refused', { ingressNode, detail: served });
      answer = served;
    } else if (responder.pod) {
      const pod = responder.pod;
      const pname = protocol.toUpperCase();
      const serves = pod.ports.length === 0 || pod.ports.some((cp) => cp.containerPort === pkt.dport && cp.protocol === pname);
      if (!serves) return result('refused', { ingressNode, cause: 'not-listening', detail: `pod ${pod.name} does not serve ${pname} port ${pkt.dport}` });
      answer = { endpoint, pod: pod.name, node: pod.node, sourceSeen };
    } else {
      const node = responder.node!;
      if (!this.nodeListens(node, pkt.dst, pkt.dport, proto)) {
        return result('refused', { ingressNode, cause: 'not-listening', detail: `nothing listens on ${endpoint} on node ${node.spec.name}` });
      }
      answer = { endpoint, node: node.spec.name, sourceSeen };
    }
    const who = answer.pod ? `pod ${answer.pod}` : answer.host ? `host ${answer.host}` : `node ${answer.node}`;
    if (opts.trace) trace.push({ node: responder.at.spec.name, table: 'deliver', note: `answered by ${who} at ${endpoint}, source seen ${sourceSeen}` });

    // Reply path: back through conntrack on every node it crosses.
    let reply: Packet = { src: pkt.dst, sport: pkt.dport, dst: pkt.src, dport: pkt.sport, proto, mark: 0, inIface: '', outIface: '', ctstate: 0 };
    let rat: { node: SimNode; inIface: string | null };
    if (responder.host) {
      // The host answers over the outside network: to a node address straight, to a pod through its node.
      const back = this.hostReplyEntry(reply.dst);
      if (!back) {
        if (senderClient === reply.dst && reply.src === original.dst && reply.sport === original.dport) return result('ok', { ingressNode, ...answer });
        return result('timeout', { ingressNode, detail: `host ${responder.host.name} has no route back to ${formatIPv4(reply.dst)}` });
      }
      rat = { node: back, inIface: 'eth0' };
    } else rat = { node: responder.at, inIface: responder.pod ? this.podLink(responder.pod) : null };
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const res = rat.node.host.process(reply, rat.inIface, { ...walk, trace: undefined });
      reply = res.packet;
      if (res.kind === 'drop' || res.kind === 'reject') return result('timeout', { ingressNode, cause: res.kind === 'drop' ? 'rule-drop' : 'rule-reject', detail: `reply ${res.kind === 'drop' ? 'dropped' : 'rejected'} in ${res.hook} on ${rat.node.spec.name}` });
      let arrived: 'node' | 'pod' | 'client' | 'lost' = 'lost';
      let next: SimNode | undefined;
      if (res.kind === 'local') arrived = senderNode === rat.node ? 'node' : 'lost';
      else if (res.kind !== 'out') arrived = 'lost';
      else if (res.iface !== UPLINK) arrived = senderPod && parseIPv4(senderPod.ip) === reply.dst ? 'pod' : 'lost';
      else {
        const nh = this.nextHopFromNode(rat.node, reply.dst);
        if (nh.kind === 'node') next = nh.node;
        else if (nh.kind === 'client' && senderClient === reply.dst) arrived = 'client';
        else if (senderClient !== undefined && senderClient === reply.dst) arrived = 'client';
      }
      if (next) {
        rat = { node: next, inIface: 'eth0' };
        continue;
      }
      if (arrived === 'lost') return result('timeout', { ingressNode, cause: 'reply-lost', detail: `the reply to ${formatIPv4(reply.dst)}:${reply.dport} never reaches the sender` });
      if (reply.src !== original.dst || reply.sport !== original.dport) {
        return result('timeout', {
          ingressNode,
          cause: 'reply-lost',
          detail: `reply comes from ${formatIPv4(reply.src)}:${reply.sport}, not ${formatIPv4(original.dst)}:${original.dport}: no conntrack on its path un-NATed it`,
        });
      }
      if (proto === 6 && forwardEntries !== undefined && anyOneWay(forwardEntries)) {
        const lost = this.followUpDropped(startAt, startPkt, walk);
        if (lost) return result('timeout', { ingressNode, cause: 'reply-lost', detail: lost });
      }
      return result('ok', { ingressNode, ...answer });
    }
    return result('timeout', { ingressNode, cause: 'reply-lost', detail: 'reply routing loop' });
  }

  /**
   * Asymmetric routing: the reply skipped a node the request crossed, so that node's conntrack
   * saw only the SYN. Walks the sender's next packet (its ACK) along the request's path; returns
   * why it is lost (e.g. KUBE-FORWARD's `--ctstate INVALID -j DROP`), or undefined when it arrives.
   */
  private followUpDropped(start: { node: SimNode; inIface: string | null }, first: Packet, walk: WalkOptions): string | undefined {
    let pkt: Packet = { ...first, ack: true };
    let at = start;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const res = at.node.host.process(pkt, at.inIface, { ...walk, trace: undefined });
      if (res.kind === 'drop' || res.kind === 'reject') {
        const why = res.packet.ctstate & CT.INVALID ? `conntrack on ${at.node.spec.name} never saw the reply (it took another path), so the client's ACK is INVALID there` : `the client's ACK`;
        return `${why}: ${res.kind === 'drop' ? 'dropped' : 'rejected'} in ${res.hook} on ${at.node.spec.name}`;
      }
      pkt = { ...res.packet, ack: true };
      if (res.kind === 'local' || res.iface !== UPLINK) return undefined;
      const next = this.nextHopFromNode(at.node, pkt.dst);
      if (next.kind !== 'node') return undefined;
      at = { node: next.node, inIface: 'eth0' };
    }
    return undefined;
  }

  private nextHopFromNode(node: SimNode, dst: number): { kind: 'node'; node: SimNode } | { kind: 'client'; client: SimClient } | { kind: 'none' } {
    const owner = this.nodeByAddr.get(dst);
    if (owner && owner !== node) return { kind: 'node', node: owner };
    const owner2 = this.podRangeOwner(dst);
    if (owner2 && owner2 !== node) return { kind: 'node', node: owner2 };
    const client = this.clientByAddr.get(dst);
    if (client) return { kind: 'client', client };
    return { kind: 'none' };
  }

  /** What a serving host answers to a packet that reached it: the answer, or why it refuses. */
  private hostAnswer(host: SimClient, pkt: Packet, protocol: string): Partial<RequestResult> | string {
    const endpoint = `${formatIPv4(pkt.dst)}:${pkt.dport}`;
    if (!host.serves.has(`${pkt.dport}/${pkt.proto}`)) return `host ${host.name} does not serve ${protocol.toUpperCase()} port ${pkt.dport}`;
    return { endpoint, host: host.name, sourceSeen: formatIPv4(pkt.src) };
  }

  /**
   * The node a packet from a serving host to `dst` enters: the node with that address, or the
   * node of the pod (range) holding it (a serving host routes pod ranges to their nodes).
   */
  private hostReplyEntry(dst: number): SimNode | undefined {
    const node = this.nodeByAddr.get(dst);
    if (node && dst !== node.gateway) return node;
    return this.podRangeOwner(dst);
  }

  /**
   * The node a pod address is routed to: the node of the pod holding it, else (pod-cidr
   * addressing) the node whose pod CIDR covers it. With node-subnet addressing the network knows
   * only the addresses pods hold (the VPC routes each to its node).
   */
  private podRangeOwner(dst: number): SimNode | undefined {
    const pod = this.podByIp.get(dst);
    if (pod) return this.nodes.get(pod.node);
    if (this.nodeSubnet) return undefined;
    for (const n of this.nodes.values()) if (cidrContains(n.podCidr, dst)) return n;
    return undefined;
  }

  /** The node-side interface of a pod's link: the bridge, or the pod's own veth. */
  private podLink(pod: Pod): string {
    if (this.links.kind === 'bridge') return this.links.name;
    return `${this.links.prefix}${this.vethIndex.get(`${pod.namespace}/${pod.name}`) ?? 0}`;
  }

  /** The pod link a node sends `dst` out of, or undefined when it leaves by the uplink. */
  private podLinkTo(nodeName: string, podCidr: Cidr, dst: number): string | undefined {
    const pod = this.podByIp.get(dst);
    if (pod) return pod.node === nodeName ? this.podLink(pod) : undefined;
    // An address of the node's pod range that no pod holds still leaves by the pod side (and is lost there).
    if (!this.nodeSubnet && cidrContains(podCidr, dst)) return this.links.kind === 'bridge' ? this.links.name : `${this.links.prefix}0`;
    return undefined;
  }

  private nodeListens(node: SimNode, _addr: number, port: number, proto: number): boolean {
    if (proto !== 6) return false;
    // kube-proxy serves health-check node ports for LoadBalancer services with eTP=Local.
    return this.state.services.some((s) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local' && s.healthCheckNodePort === port) && node !== undefined;
  }

  /** Decides which node a packet from an outside host meets first; a string is why it is lost. */
  private deliverFromOutside(
    src: number,
    who: string,
    dst: number,
    chance: (p: number) => boolean,
    note: (n: string, node?: string) => void,
  ): SimNode | SimClient | 'self' | string {
    if (dst === src) return 'self';
    const node = this.nodeByAddr.get(dst);
    if (node && dst !== node.gateway) {
      note(`${who} reaches node ${node.spec.name} over the shared segment`, node.spec.name);
      return node;
    }
    const client = this.clientByAddr.get(src);
    const route = client?.routes.find((r) => cidrContains(r.to, dst));
    if (route) {
      const via = this.nodeByAddr.get(route.via);
      if (!via) return `route to ${formatIPv4(dst)} via ${formatIPv4(route.via)}, which is not a node`;
      note(`${who} routes ${formatIPv4(dst)} via node ${via.spec.name} (static route)`, via.spec.name);
      return via;
    }
    const lb = this.state.services.find((s) => s.loadBalancerIngress.some((i) => parseIPv4(i.ip) === dst));
    if (lb) {
      const healthy = this.healthyNodes(lb);
      if (healthy.length === 0) return `the load balancer for ${lb.namespace}/${lb.name} has no healthy node (externalTrafficPolicy Local and no ready local endpoint)`;
      const chosen = pickUniform(healthy, chance);
      note(`cloud load balancer of ${lb.namespace}/${lb.name} forwards ${formatIPv4(dst)} to node ${chosen.spec.name} (1 of ${healthy.length} healthy)`, chosen.spec.name);
      return chosen;
    }
    const ext = this.state.services.find((s) => s.externalIPs.some((e) => parseIPv4(e) === dst));
    if (ext) {
      const all = [...this.nodes.values()];
      const chosen = pickUniform(all, chance);
      note(`the network delivers external IP ${formatIPv4(dst)} of ${ext.namespace}/${ext.name} to node ${chosen.spec.name}`, chosen.spec.name);
      return chosen;
    }
    if (this.nodeSubnet) {
      const pod = this.podByIp.get(dst);
      const owner = pod ? this.nodes.get(pod.node) : undefined;
      if (pod && owner) {
        note(`the network routes pod address ${formatIPv4(dst)} to node ${owner.spec.name} (node-subnet addressing)`, owner.spec.name);
        return owner;
      }
    }
    const host = this.clientByAddr.get(dst);
    if (host && host.serves.size > 0) {
      note(`${who} reaches host ${host.name} over the outside network`);
      return host;
    }
    if (host) return `client ${formatIPv4(dst)} does not listen`;
    // A serving host knows the pod ranges: it reaches pods through their nodes.
    if (client && client.serves.size > 0) {
      const node = this.hostReplyEntry(dst);
      if (node) {
        note(`host ${client.name} routes ${formatIPv4(dst)} via node ${node.spec.name} (pod range)`, node.spec.name);
        return node;
      }
    }
    return `${who} has no route to ${formatIPv4(dst)}`;
  }

  /** Nodes a cloud load balancer sends to (its health check passes). */
  healthyNodes(svc: Service): SimNode[] {
    const all = [...this.nodes.values()];
    if (svc.externalTrafficPolicy !== 'Local') return all;
    const withLocal = new Set<string>();
    for (const slice of this.state.endpointSlices) {
      if (slice.serviceName !== svc.name || slice.namespace !== svc.namespace) continue;
      for (const ep of slice.endpoints) if (ep.conditions.ready && ep.nodeName) withLocal.add(ep.nodeName);
    }
    return all.filter((n) => withLocal.has(n.spec.name));
  }
}

/** Uniform choice among n items through binary `chance` decisions (so exact mode can branch on it). */
export function pickUniform<T>(items: T[], chance: (p: number) => boolean): T {
  for (let i = 0; i < items.length - 1; i++) if (chance(1 / (items.length - i))) return items[i]!;
  return items[items.length - 1]!;
}

/** Whether a reply skipped any of these conntrack entries (a loop: this runs per request). */
function anyOneWay(entries: ConntrackEntry[]): boolean {
  for (let i = 0; i < entries.length; i++) if (entries[i].seenReply !== true) return true;
  return false;
}
