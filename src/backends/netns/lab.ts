/**
 * A running lab: the scenario's cluster built from network namespaces inside one sandbox, with
 * kube-proxy's rules loaded in every node and an echo server in every pod. Brings it up, follows
 * state changes (pods come and go, rules reload, stale conntrack goes), sends traffic, tears down.
 */
import type { NodeRules } from '../backend.js';
import type { ClusterState } from '../../model/types.js';
import type { Traffic } from '../../model/scenario.js';
import type { Observation } from '../../observe/observation.js';
import { ScenarioError } from '../../errors.js';
import { Sandbox } from './sandbox.js';
import { describeFlow, parseConntrackLine, staleFlowDeletions, type Flow } from './conntrack.js';
import { inCIDR, isIPv4, nsName, ifName, parseCIDR } from './names.js';
import { NFACCT_DROPPED_NOTE, loadNftRulesInto, loadRulesInto, stripSaveComments } from './rules.js';
import {
  clientBatch,
  endSysctls,
  fabricBatch,
  fabricRouteLine,
  fabricServiceRoutes,
  fabricSysctls,
  healthCheckPorts,
  nodeBatch,
  nodeSysctls,
  planFabric,
  planPods,
  podAttachBatch,
  podBatch,
  type FabricPlan,
  type NodePlan,
  type PodPlan,
} from './topology.js';

/** What the sandbox's kernel and tools can take, for the rules renderer. */
export interface KernelCaps {
  /** The `nfacct` tool exists, so rules may name nfacct counters (the lab creates them). */
  nfacct: boolean;
}

/** Renders the iptables-save text kube-proxy would write on a node. */
export type RulesFor = (state: ClusterState, nodeName: string, caps: KernelCaps) => string;

/** Renders the `ip kube-proxy` table kube-proxy (nftables mode) would leave on a node, as nft "add" commands. */
export type NftRulesFor = (state: ClusterState, nodeName: string) => string;

/**
 * Something else that writes kube-proxy's rules on the nodes (the kube-proxy backend: upstream's
 * proxier in each node namespace). It also does what kube-proxy does beside its rules (stale
 * conntrack cleanup, health-check node ports), so the lab leaves those to it.
 */
export interface RulesWriter {
  /** Called once, when the node namespaces exist (before any pod answers). */
  start(sandbox: Sandbox, nodes: readonly NodePlan[], state: ClusterState): Promise<void>;
  /** Every node's rules match `state` when this resolves. */
  sync(state: ClusterState): Promise<void>;
  /** The rules as the node's kernel holds them, in the tool's own text. */
  dump(nodeName: string): Promise<string>;
  readonly notes: readonly string[];
  /** Who wrote the rules, for reports ("loaded by kube-proxy v1.37.2 (iptables mode)"). */
  readonly writtenBy?: string;
}

export interface LabOptions {
  /** Our renderer's rules, loaded with iptables-restore; unused when `writer` is given. */
  rulesFor: RulesFor;
  /** Our renderer's nftables table, loaded with nft -f, for scenarios in nftables mode; unused when `writer` is given. */
  nftRulesFor?: NftRulesFor;
  writer?: RulesWriter;
  /** Progress lines. */
  log?: (message: string) => void;
  /** Requests in flight at once per send after the first (default 8). */
  concurrency?: number;
}

/** A pod as the lab runs it. */
interface LabPod {
  plan: PodPlan;
  ns: string;
  nodeIf: string;
}

/** Largest request count one send may ask for. */
export const MAX_REQUESTS = 100_000;

/** A change the lab cannot follow (the nodes or clients themselves changed). */
export class LabChangeUnsupported extends Error {}

export class Lab {
  private pods = new Map<string, LabPod>();
  private nextPod = 0;
  private workers = new Set<string>();
  private hasNfacctTool = false;
  private bridgeNetfilter = false;
  /** Load-balancer and external IPs the fabric routes to nodes, as currently installed. */
  private fabricRoutes = new Map<string, string[]>();
  /** Health-check node ports the node workers currently serve. */
  private healthPorts = '[]';
  /** Things the lab did differently from a real node, for reports and docs. */
  readonly notes: string[] = [];

  private constructor(
    private readonly sandbox: Sandbox,
    private readonly fabric: FabricPlan,
    private state: ClusterState,
    private readonly options: LabOptions,
  ) {}

  /** The sandbox's host pid (the `unshare` process); everything of the lab lives under it. */
  get pid(): number {
    return this.sandbox.pid;
  }

  /** Builds the whole lab for `state`. On any failure everything already built is torn down. */
  static async up(state: ClusterState, options: LabOptions): Promise<Lab> {
    const fabric = planFabric(state);
    const pods = planPods(state);
    const sandbox = await Sandbox.open();
    const lab = new Lab(sandbox, fabric, state, options);
    try {
      await lab.build(pods);
      return lab;
    } catch (err) {
      await sandbox.close();
      throw err;
    }
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  private node(name: string): NodePlan {
    const node = this.fabric.nodes.find((n) => n.name === name);
    if (!node) throw new ScenarioError(`netns backend: no node named ${name}`);
    return node;
  }

  private async ipBatch(ns: string | undefined, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const argv = ns === undefined ? ['ip', '-batch', '-'] : ['ip', '-n', ns, '-batch', '-'];
    await this.sandbox.execOk(argv, lines.join('\n') + '\n');
  }

  private async sysctl(ns: string, settings: string[]): Promise<void> {
    await this.sandbox.execOk(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', ...settings]);
  }

  private async build(podPlans: PodPlan[]): Promise<void> {
    const started = Date.now();
    const { fabric } = this;
    this.hasNfacctTool = (await this.sandbox.exec(['nfacct', 'list'])).code === 0;
    this.bridgeNetfilter = (await this.sandbox.exec(['sysctl', '-n', 'net.bridge.bridge-nf-call-iptables'])).code === 0;
    const pods = podPlans.map((plan) => this.allocatePod(plan));
    await this.ipBatch(undefined, [
      `netns add ${nsName.fabric}`,
      ...fabric.nodes.map((n) => `netns add ${n.ns}`),
      ...fabric.clients.map((c) => `netns add ${c.ns}`),
      ...pods.map((p) => `netns add ${p.ns}`),
    ]);
    await this.ipBatch(nsName.fabric, fabricBatch(fabric));
    await this.sysctl(nsName.fabric, fabricSysctls(this.bridgeNetfilter));
    await Promise.all([
      ...fabric.nodes.map(async (node) => {
        const own = pods.filter((p) => p.plan.node === node.name);
        await this.ipBatch(node.ns, [
          ...nodeBatch(fabric, node, podPlans),
          ...own.flatMap((p) => podAttachBatch(node, p.plan, p.ns, p.nodeIf)),
        ]);
        await this.sysctl(node.ns, nodeSysctls(fabric, [ifName.inner, ...own.map((p) => p.nodeIf)]));
      }),
      ...fabric.clients.map(async (client) => {
        await this.ipBatch(client.ns, clientBatch(fabric, client));
        await this.sysctl(client.ns, endSysctls());
      }),
    ]);
    await Promise.all(pods.map((p) => this.configurePod(p)));
    if (this.options.writer) await this.options.writer.start(this.sandbox, fabric.nodes, this.state);
    await this.writeRules();
    await Promise.all(pods.map((p) => this.startEcho(p)));
    // Serving hosts answer like echo pods (no pod, no node: recognised by their address).
    for (const host of fabric.clients) {
      if (host.serves.length === 0) continue;
      await this.ensureWorker(host.ns);
      await this.sandbox.serve(host.ns, { pod: '', node: '', ports: host.serves });
    }
    await this.syncFabricRoutes();
    await this.syncHealthServers();
    this.log(`netns: ${fabric.nodes.length} nodes, ${pods.length} pods, ${fabric.clients.length} clients up in ${Date.now() - started} ms`);
  }

  private allocatePod(plan: PodPlan): LabPod {
    const i = this.nextPod++;
    const pod = { plan, ns: nsName.pod(i), nodeIf: ifName.nodeToPod(i, this.fabric.podLinkPrefix) };
    this.pods.set(plan.key, pod);
    return pod;
  }

  private async configurePod(pod: LabPod): Promise<void> {
    await this.ipBatch(pod.ns, podBatch(this.node(pod.plan.node), pod.plan));
    await this.sysctl(pod.ns, endSysctls());
  }

  private async startEcho(pod: LabPod): Promise<void> {
    await this.sandbox.startWorker(pod.ns, pod.ns);
    this.workers.add(pod.ns);
    await this.sandbox.serve(pod.ns, { pod: pod.plan.name, node: pod.plan.node, ports: pod.plan.ports });
  }

  /** Every node's rules for the current state: from the writer, or rendered and loaded by the lab. */
  private async writeRules(): Promise<void> {
    if (this.options.writer) await this.options.writer.sync(this.state);
    else await Promise.all(this.fabric.nodes.map((n) => this.loadRules(n)));
  }

  /**
   * Loads (replaces) kube-proxy's rules in the node for the current state: the filter and nat
   * tables in iptables mode, the `ip kube-proxy` nftables table in nftables mode.
   */
  private async loadRules(node: NodePlan): Promise<void> {
    if (this.state.cluster.kubeProxy.mode === 'nftables') {
      if (this.options.nftRulesFor === undefined) throw new LabChangeUnsupported('this lab was built without an nftables renderer');
      await loadNftRulesInto(this.sandbox, node.ns, node.name, this.options.nftRulesFor(this.state, node.name));
      return;
    }
    const rules = this.options.rulesFor(this.state, node.name, { nfacct: this.hasNfacctTool });
    const { dropped } = await loadRulesInto(this.sandbox, node.ns, node.name, rules, this.hasNfacctTool);
    if (dropped && !this.notes.includes(NFACCT_DROPPED_NOTE)) this.notes.push(NFACCT_DROPPED_NOTE);
  }

  /** The rules of the node as its kernel holds them (the writer's own dump when there is one). */
  async kernelRules(nodeName: string): Promise<string> {
    if (this.options.writer) return stripSaveComments(await this.options.writer.dump(nodeName));
    return this.state.cluster.kubeProxy.mode === 'nftables' ? this.nftList(nodeName) : this.iptablesSave(nodeName);
  }

  /** Every node's rules as its kernel holds them, labelled with who wrote them; a node that cannot be read says why. */
  async nodeRules(): Promise<NodeRules[]> {
    const nft = this.state.cluster.kubeProxy.mode === 'nftables';
    const writtenBy = this.options.writer
      ? (this.options.writer.writtenBy ?? 'written by the lab\'s rules writer')
      : `rendered by svclab, loaded with ${nft ? 'nft -f' : 'iptables-restore'}`;
    const format = nft ? 'nft' : 'iptables-save';
    return Promise.all(
      this.fabric.nodes.map(async (n): Promise<NodeRules> => {
        try {
          return { node: n.name, writtenBy, format, text: await this.kernelRules(n.name) };
        } catch (err) {
          return { node: n.name, writtenBy, format, text: '', error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }

  /** The rules as the node's kernel holds them (`iptables-save`, without timestamp comments). */
  async iptablesSave(nodeName: string): Promise<string> {
    const node = this.node(nodeName);
    return stripSaveComments(await this.sandbox.execOk(['ip', 'netns', 'exec', node.ns, 'iptables-save']));
  }

  /** kube-proxy's nftables table as the node's kernel holds it (`nft list table ip kube-proxy`). */
  async nftList(nodeName: string): Promise<string> {
    const node = this.node(nodeName);
    return this.sandbox.execOk(['ip', 'netns', 'exec', node.ns, 'nft', 'list', 'table', 'ip', 'kube-proxy']);
  }

  /** The node's conntrack table (`conntrack -L`), for debugging and tests. */
  async conntrackList(nodeName: string): Promise<string> {
    const node = this.node(nodeName);
    const res = await this.sandbox.exec(['ip', 'netns', 'exec', node.ns, 'conntrack', '-L']);
    return res.stdout;
  }

  /** Brings pods, rules and conntrack in line with a new state of the same cluster. */
  async apply(next: ClusterState): Promise<void> {
    const fabric = planFabric(next);
    if (JSON.stringify(fabric) !== JSON.stringify(this.fabric)) {
      throw new LabChangeUnsupported('the netns backend cannot change nodes or clients of a running lab');
    }
    const plans = planPods(next);
    const wanted = new Map(plans.map((p) => [p.key, p]));
    const removed: LabPod[] = [];
    const added: LabPod[] = [];
    const reserve: LabPod[] = [];
    for (const [key, pod] of this.pods) {
      const plan = wanted.get(key);
      if (!plan || plan.ip !== pod.plan.ip || plan.node !== pod.plan.node) removed.push(pod);
      else if (JSON.stringify(plan.ports) !== JSON.stringify(pod.plan.ports)) {
        pod.plan = plan;
        reserve.push(pod);
      }
    }
    for (const pod of removed) {
      this.pods.delete(pod.plan.key);
      await this.sandbox.stopWorker(pod.ns);
      this.workers.delete(pod.ns);
      await this.routeOutsider(pod.plan, 'del');
      // Deleting the namespace deletes its veth pair and the node's route through it.
      await this.sandbox.execOk(['ip', 'netns', 'del', pod.ns]);
    }
    for (const plan of plans) if (!this.pods.has(plan.key)) added.push(this.allocatePod(plan));
    for (const pod of added) {
      const node = this.node(pod.plan.node);
      await this.sandbox.execOk(['ip', 'netns', 'add', pod.ns]);
      await this.ipBatch(node.ns, podAttachBatch(node, pod.plan, pod.ns, pod.nodeIf));
      await this.sysctl(node.ns, [`net.ipv4.conf.${pod.nodeIf}.rp_filter=0`, ...(this.fabric.nodeSubnet ? [`net.ipv4.conf.${pod.nodeIf}.proxy_arp=1`, `net.ipv4.neigh.${pod.nodeIf}.proxy_delay=0`] : [])]);
      await this.configurePod(pod);
      await this.routeOutsider(pod.plan, 'add');
    }
    const before = this.state;
    this.state = next;
    await this.writeRules();
    for (const pod of added) await this.startEcho(pod);
    for (const pod of reserve) await this.sandbox.serve(pod.ns, { pod: pod.plan.name, node: pod.plan.node, ports: pod.plan.ports });
    await this.syncFabricRoutes();
    await this.syncHealthServers();
    // Real kube-proxy clears the stale conntrack entries itself.
    const stale = this.options.writer ? [] : staleFlowDeletions(before, next);
    for (const argv of stale) {
      if (!isIPv4(argv[argv.length - 1])) continue;
      for (const node of this.fabric.nodes) {
        // Exit 1 means "no entries matched", which is fine.
        const res = await this.sandbox.exec(['ip', 'netns', 'exec', node.ns, ...argv]);
        if (res.code > 1) throw new Error(`netns: ${argv.join(' ')} on node ${node.name} failed: ${res.stderr.trim()}`);
      }
    }
    this.log(`netns: applied change (${added.length} pods added, ${removed.length} removed, rules reloaded)`);
  }

  /** Points load-balancer and external IPs of the current state at their nodes, in the fabric. */
  private async syncFabricRoutes(): Promise<void> {
    const wanted = fabricServiceRoutes(this.fabric, this.state);
    const lines: string[] = [];
    for (const ip of this.fabricRoutes.keys()) if (!wanted.has(ip)) lines.push(`route del ${ip}/32`);
    for (const [ip, nodes] of wanted) {
      if (JSON.stringify(this.fabricRoutes.get(ip)) !== JSON.stringify(nodes)) lines.push(fabricRouteLine(ip, nodes));
    }
    await this.ipBatch(nsName.fabric, lines);
    this.fabricRoutes = wanted;
  }

  /** Every node answers on the health-check node ports of the current state (as kube-proxy's server does). */
  private async syncHealthServers(): Promise<void> {
    if (this.options.writer) return; // real kube-proxy serves them itself
    const ports = healthCheckPorts(this.state);
    if (JSON.stringify(ports) === this.healthPorts) return;
    for (const node of this.fabric.nodes) {
      await this.ensureWorker(node.ns);
      await this.sandbox.serve(node.ns, { pod: '', node: node.name, ports });
    }
    this.healthPorts = JSON.stringify(ports);
  }

  private async ensureWorker(ns: string): Promise<void> {
    if (this.workers.has(ns)) return;
    await this.sandbox.startWorker(ns, ns);
    this.workers.add(ns);
  }

  /** Route to a pod whose IP lies outside its node's pod CIDR, on every other node. */
  private async routeOutsider(plan: PodPlan, op: 'add' | 'del'): Promise<void> {
    const owner = this.node(plan.node);
    if (!this.fabric.nodeSubnet && inCIDR(plan.ip, parseCIDR(owner.podCIDR, 'pod CIDR'))) return;
    for (const node of this.fabric.nodes) {
      if (node === owner) continue;
      await this.ipBatch(node.ns, [`route ${op} ${plan.ip}/32 via ${owner.addresses[0]}`]);
    }
  }

  /** The namespace traffic from `traffic.from` starts in. */
  private sourceNs(traffic: Traffic): string {
    const from = traffic.from;
    if (from.kind === 'client') {
      const client = this.fabric.clients.find((c) => c.name === from.name);
      if (!client) throw new ScenarioError(`netns backend: no client named ${from.name}`);
      return client.ns;
    }
    if (from.kind === 'node') return this.node(from.name).ns;
    const pod = [...this.pods.values()].find((p) => p.plan.name === from.name && (!from.node || p.plan.node === from.node));
    if (!pod) throw new ScenarioError(`netns backend: no running pod named ${from.name}`);
    return pod.ns;
  }

  /** Node a request enters: the node addressed, the sender's own node, or a client's next hop. */
  private ingressNode(traffic: Traffic): string | undefined {
    const target = traffic.to.address;
    const addressed = this.fabric.nodes.find((n) => n.addresses.includes(target));
    if (addressed) return addressed.name;
    const from = traffic.from;
    if (from.kind === 'node') return from.name;
    if (from.kind === 'pod') return [...this.pods.values()].find((p) => p.plan.name === from.name)?.plan.node;
    const client = this.fabric.clients.find((c) => c.name === from.name);
    let best: { node: string; prefix: number } | undefined;
    for (const route of client?.routes ?? []) {
      const cidr = parseCIDR(route.to, 'route');
      if (!inCIDR(target, cidr) || (best && best.prefix >= cidr.prefix)) continue;
      const node = this.fabric.nodes.find((n) => n.addresses.includes(route.via));
      if (node) best = { node: node.name, prefix: cidr.prefix };
    }
    return best?.node;
  }

  /**
   * Sends the traffic from inside its source namespace: one fresh connection per request, the
   * first alone, then up to `concurrency` (default: the lab's option, else 8) in flight at once.
   */
  async send(traffic: Traffic, concurrency?: number): Promise<Observation[]> {
    if (traffic.protocol !== 'TCP' && traffic.protocol !== 'UDP') {
      throw new LabChangeUnsupported(`the netns backend sends TCP and UDP only, not ${traffic.protocol}`);
    }
    const target = traffic.to.address;
    if (!isIPv4(target)) throw new ScenarioError(`netns backend: target "${target}" is not an IPv4 address`);
    if (!Number.isInteger(traffic.to.port) || traffic.to.port < 1 || traffic.to.port > 65535) {
      throw new ScenarioError(`netns backend: target port ${traffic.to.port} is out of range`);
    }
    if (!Number.isInteger(traffic.count) || traffic.count < 1 || traffic.count > MAX_REQUESTS) {
      throw new ScenarioError(`netns backend: request count ${traffic.count} must be 1..${MAX_REQUESTS}`);
    }
    const timeoutMs = Math.min(Math.max(Math.round(traffic.timeoutMs), 10), 60_000);
    const ns = this.sourceNs(traffic);
    await this.ensureWorker(ns);
    const request = { host: target, port: traffic.to.port, protocol: traffic.protocol, timeoutMs };
    // The first request alone, so a ClientIP affinity entry exists before the rest race in.
    const first = await this.sandbox.probe(ns, { ...request, count: 1, concurrency: 1 });
    const rest =
      traffic.count > 1
        ? await this.sandbox.probe(ns, { ...request, count: traffic.count - 1, concurrency: Math.max(1, Math.min(concurrency ?? this.options.concurrency ?? 8, 1024)) })
        : [];
    const results = [...first, ...rest];
    const ingressNode = this.ingressNode(traffic);
    const flows = await this.flows(traffic, ingressNode);
    const byName = new Map([...this.pods.values()].map((p) => [p.plan.name, p.plan]));
    return results.map((r) => {
      const obs: Observation = { outcome: r.outcome, latencyMs: Math.round(r.latencyMs * 1000) / 1000 };
      const host = r.pod === '' && r.local !== undefined ? this.fabric.clients.find((c) => c.address === r.local && c.serves.length > 0) : undefined;
      if (host) {
        obs.host = host.name;
        if (r.localPort !== undefined) obs.endpoint = `${r.local}:${r.localPort}`;
        obs.sourceSeen = r.peer;
      } else if (r.pod !== undefined && r.pod !== '') {
        obs.pod = r.pod;
        obs.node = r.node;
        const ip = byName.get(r.pod)?.ip;
        if (ip !== undefined && r.localPort !== undefined) obs.endpoint = `${ip}:${r.localPort}`;
        obs.sourceSeen = r.peer;
      } else if (r.pod === '') {
        // A node answered itself (health-check node port).
        obs.node = r.node;
        if (r.local !== undefined && r.localPort !== undefined) obs.endpoint = `${r.local}:${r.localPort}`;
        obs.sourceSeen = r.peer;
      }
      const flow = r.sourcePort !== undefined ? flows.get(r.sourcePort) : undefined;
      const entered = ingressNode ?? flow?.node;
      if (entered !== undefined) obs.ingressNode = entered;
      if (flow) obs.trace = [{ node: flow.node, table: 'conntrack', note: describeFlow(flow) }];
      if (r.detail !== undefined) obs.detail = r.detail;
      return obs;
    });
  }

  /**
   * The conntrack entries of this step's connections, by the sender's source port: on the node
   * the traffic entered, or, for traffic the fabric spreads over nodes (load-balancer and external
   * IPs), on every node (the one holding the entry is the one the connection entered).
   */
  private async flows(traffic: Traffic, ingressNode: string | undefined): Promise<Map<number, Flow>> {
    const spread = traffic.from.kind === 'client' && this.fabricRoutes.has(traffic.to.address);
    const nodes = ingressNode !== undefined ? [this.node(ingressNode)] : spread ? this.fabric.nodes : [];
    const bySport = new Map<number, Flow>();
    for (const node of nodes) {
      const res = await this.sandbox.exec([
        'ip', 'netns', 'exec', node.ns, 'conntrack', '-L', '-p', traffic.protocol.toLowerCase(), '-d', traffic.to.address,
      ]);
      for (const line of res.stdout.split('\n')) {
        const flow = parseConntrackLine(line, node.name);
        if (flow && flow.orig.dport === traffic.to.port) bySport.set(flow.orig.sport, flow);
      }
    }
    return bySport;
  }


  /** Tears everything down (the sandbox's end takes every namespace and process with it). */
  async close(): Promise<void> {
    await this.sandbox.close();
  }
}


