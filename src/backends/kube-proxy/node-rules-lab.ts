/**
 * One node's rules two ways, in one sandbox: upstream kube-proxy writes them into namespace
 * `kp` (its kube-proxy-host synced with the cluster state), and svclab's renderer's text is
 * loaded into namespace `ours` with iptables-restore or nft -f. Both are read back with the same
 * tool (`iptables-save`, `nft list table ip kube-proxy`), so the two texts differ only where the
 * rules do. Both namespaces hold the node's addresses on a veth interface (its peer in the same namespace): kube-proxy reads its
 * node-port addresses from the interfaces, and nothing else about the namespace reaches its rules.
 *
 * Used by `svclab rules --from kube-proxy [--diff]` and the renderer differential check.
 */
import type { ClusterState, NodeSpec, ProxyMode } from '../../model/types.js';
import { renderNodeRules } from '../../kubeproxy/iptables/render.js';
import { formatTransaction, renderNftNode } from '../../kubeproxy/nftables/index.js';
import { Sandbox } from '../netns/sandbox.js';
import { loadNftRulesInto, loadRulesInto, nfacctCounters, stripSaveComments, withoutNfacct } from '../netns/rules.js';
import { checkIPv4, parseCIDR } from '../netns/names.js';
import { apiObjects } from './objects.js';
import type { KubeProxyRelease } from './binary.js';
import { callHost, proxierOptions, startRequest, type HostReply } from './hosts.js';

const NS_REAL = 'kp';
const NS_OURS = 'ours';
const HOST_KEY = 'kp-host';
const CALL_TIMEOUT_MS = 60_000;

/** The rules of one node as kube-proxy loaded them and as svclab renders them, both read back. */
export interface NodeRulesPair {
  mode: ProxyMode;
  node: string;
  /** kube-proxy's rules as the kernel holds them. */
  real: string;
  /** svclab's rendered rules, loaded into an identical namespace and read back the same way. */
  ours: string;
  /** kube-proxy's version (k8s.io/kubernetes module version). */
  version: string;
  /** What was left out of the comparison and why (e.g. nfacct counters without the tool). */
  notes: string[];
}

/**
 * A sandbox with the two namespaces and a kube-proxy-host, reusable for many states: `compare`
 * restarts kube-proxy when the node, mode or proxier options change, and otherwise syncs the new
 * state into the running proxier (so successive states also exercise its partial syncs).
 */
export class NodeRulesLab {
  private hostKey: string | undefined;
  private startedFor = '';
  private version = '';
  private generation = 0;

  private constructor(
    private readonly sandbox: Sandbox,
    private readonly release: KubeProxyRelease,
  ) {}

  /** A sandbox for `release` (its binary must be built: see requireHostBinary). */
  static async open(release: KubeProxyRelease): Promise<NodeRulesLab> {
    return new NodeRulesLab(await Sandbox.open(), release);
  }

  /** The node's rules from kube-proxy and from svclab's renderer for `state`. */
  async compare(state: ClusterState, nodeName: string, mode: ProxyMode = state.cluster.kubeProxy.mode): Promise<NodeRulesPair> {
    const node = state.cluster.nodes.find((n) => n.name === nodeName);
    if (node === undefined) throw new Error(`no node named ${nodeName}`);
    await this.ensureStarted(state, node, mode);
    const synced = await this.call({ op: 'sync', ...apiObjects(state) });
    if (!synced.ok) throw new Error(`kube-proxy (${mode}) on node ${nodeName}: ${synced.error ?? 'no answer'}`);
    const dumped = await this.call({ op: 'dump' });
    if (!dumped.ok || dumped.rules === undefined) throw new Error(`kube-proxy on node ${nodeName}: cannot read its rules: ${dumped.error ?? 'no answer'}`);
    const notes: string[] = [];
    let real = mode === 'iptables' ? stripSaveComments(dumped.rules) : dumped.rules;
    let ours: string;
    if (mode === 'iptables') {
      // Render as kube-proxy writes on this machine: nfacct matches when the kernel gave it its
      // counters, --random-fully when iptables has it, and without kubelet's copy of the localnet
      // guard (svclab's nodes have a kubelet; kube-proxy-host's namespace does not). Without the nfacct tool the counters cannot
      // be made in `ours`, so those count-only matches leave both sides (the rules stay).
      const rendered = renderNodeRules(state, nodeName, {
        hooks: true,
        nfacct: nfacctCounters(real).length > 0,
        randomFully: await this.hasRandomFully(),
        kubeletFirewall: false,
      });
      const { dropped } = await loadRulesInto(this.sandbox, NS_OURS, nodeName, rendered, await this.hasNfacctTool());
      ours = stripSaveComments(await this.sandbox.execOk(['ip', 'netns', 'exec', NS_OURS, 'iptables-save']));
      if (dropped) {
        real = withoutNfacct(real);
        notes.push('nfacct counter matches (-m nfacct) are left out of both sides: the `nfacct` tool is missing (apt-get install -y nfacct)');
      }
    } else {
      const rendered = formatTransaction(renderNftNode(state, nodeName).operations);
      await loadNftRulesInto(this.sandbox, NS_OURS, nodeName, rendered);
      ours = await this.sandbox.execOk(['ip', 'netns', 'exec', NS_OURS, 'nft', 'list', 'table', 'ip', 'kube-proxy']);
    }
    return { mode, node: nodeName, real, ours, version: this.version, notes };
  }

  private nfacctTool: boolean | undefined;
  private randomFully: boolean | undefined;

  private async hasNfacctTool(): Promise<boolean> {
    this.nfacctTool ??= (await this.sandbox.exec(['nfacct', 'list'])).code === 0;
    return this.nfacctTool;
  }

  /** kube-proxy adds --random-fully to its MASQUERADE when iptables is 1.6.2 or newer. */
  private async hasRandomFully(): Promise<boolean> {
    if (this.randomFully === undefined) {
      const version = /v(\d+)\.(\d+)\.(\d+)/.exec((await this.sandbox.exec(['iptables', '--version'])).stdout);
      const [major, minor, patch] = version ? version.slice(1).map(Number) : [0, 0, 0];
      this.randomFully = major * 1e6 + minor * 1e3 + patch >= 1_006_002;
    }
    return this.randomFully;
  }

  /** Ends kube-proxy, the namespaces and the sandbox. Safe to call twice. */
  async close(): Promise<void> {
    await this.sandbox.close();
  }

  /**
   * (Re)creates both namespaces and kube-proxy when the node, mode or options differ from the
   * running one's: a proxier's options are fixed at its start, as in a real kube-proxy.
   */
  private async ensureStarted(state: ClusterState, node: NodeSpec, mode: ProxyMode): Promise<void> {
    const { cluster } = state;
    const options = proxierOptions(cluster.kubeProxy, cluster.clusterCIDR);
    const key = JSON.stringify([mode, node.name, node.addresses, node.podCIDR, options, cluster.serviceCIDR]);
    if (key === this.startedFor) return;
    if (this.hostKey !== undefined) {
      await this.sandbox.stopWorker(this.hostKey);
      this.hostKey = undefined;
      await this.sandbox.execOk(['ip', 'netns', 'del', NS_REAL]);
      await this.sandbox.execOk(['ip', 'netns', 'del', NS_OURS]);
    }
    this.startedFor = '';
    for (const ns of [NS_REAL, NS_OURS]) await this.makeNodeNamespace(ns, node);
    const hostKey = `${HOST_KEY}-${++this.generation}`;
    await this.sandbox.startProgram(hostKey, NS_REAL, [this.release.binary]);
    this.hostKey = hostKey;
    const reply = await this.call(startRequest(mode, node, state));
    if (!reply.ok) throw new Error(`kube-proxy (${mode}) for node ${node.name} did not start: ${reply.error ?? 'no answer'}`);
    this.version = reply.version ?? 'unknown';
    if (this.version !== this.release.version) {
      throw new Error(`${this.release.binary} runs kube-proxy ${this.version} but ${this.release.version} was asked for; rebuild it with \`${this.release.build}\``);
    }
    this.startedFor = key;
  }

  /** A namespace standing for the node: loopback up, the node's addresses on a veth link. */
  private async makeNodeNamespace(ns: string, node: NodeSpec): Promise<void> {
    const lines = ['link set lo up', 'link add node0 type veth peer name node0-peer', 'link set node0 up', 'link set node0-peer up'];
    for (const address of node.addresses) lines.push(`addr add ${checkIPv4(address, `address of node ${node.name}`)}/32 dev node0`);
    parseCIDR(node.podCIDR, `pod CIDR of node ${node.name}`);
    await this.sandbox.execOk(['ip', 'netns', 'add', ns]);
    await this.sandbox.execOk(['ip', '-n', ns, '-batch', '-'], lines.join('\n') + '\n');
  }

  private async call(request: Record<string, unknown>): Promise<HostReply> {
    const key = this.hostKey;
    if (key === undefined) throw new Error('kube-proxy is not running');
    return callHost(this.sandbox, key, request, CALL_TIMEOUT_MS, 'kube-proxy');
  }
}
