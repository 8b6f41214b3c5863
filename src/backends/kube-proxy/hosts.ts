/**
 * Real kube-proxy on every node of a netns lab: one kube-proxy-host process per node namespace,
 * each running upstream's iptables or nftables proxier against that namespace's kernel. svclab
 * feeds each the full Service/EndpointSlice state at start and after every change; each sync runs
 * to completion before the step goes on, so traffic never races a half-written ruleset.
 */
import { BackendUnavailableError } from '../../errors.js';
import type { ClusterState, KubeProxyConfig, ProxyMode } from '../../model/types.js';
import type { RulesWriter } from '../netns/lab.js';
import type { Sandbox } from '../netns/sandbox.js';
import type { NodePlan } from '../netns/topology.js';
import { apiObjects } from './objects.js';
import type { KubeProxyRelease } from './binary.js';

/** Longest a single proxier sync may take before the backend gives up on that node. */
const SYNC_TIMEOUT_MS = 60_000;


/** The proxier's answer to one request (see kube-proxy-host/main.go). */
export interface HostReply {
  ok?: boolean;
  error?: string;
  version?: string;
  rules?: string;
  ms?: number;
  warnings?: string[];
}

/** The start request for a node: its name, first address, pod CIDR and the proxier options. */
export function startRequest(mode: ProxyMode, node: { name: string; addresses: readonly string[]; podCIDR: string }, state: ClusterState): Record<string, unknown> {
  const { cluster } = state;
  return {
    op: 'start',
    mode,
    node: { name: node.name, ip: node.addresses[0], podCIDR: node.podCIDR, labels: { 'kubernetes.io/hostname': node.name } },
    options: proxierOptions(cluster.kubeProxy, cluster.clusterCIDR),
    serviceCIDRs: [cluster.serviceCIDR],
  };
}

/** One request to the kube-proxy-host started as `key`; no answer within `timeoutMs` is an error naming `who`. */
export async function callHost(sandbox: Sandbox, key: string, request: Record<string, unknown>, timeoutMs: number, who: string): Promise<HostReply> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${who}: no answer to ${String(request.op)} within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return (await Promise.race([sandbox.call(key, request), timeout])) as HostReply;
  } finally {
    clearTimeout(timer);
  }
}

/** The `options` of the start request: KubeProxyConfiguration fields the scenario sets. */
export function proxierOptions(cfg: KubeProxyConfig, clusterCIDR: string): Record<string, unknown> {
  return {
    masqueradeAll: cfg.masqueradeAll,
    masqueradeBit: cfg.masqueradeBit,
    localhostNodePorts: cfg.localhostNodePorts,
    nodePortAddresses: cfg.nodePortAddresses,
    detectLocalMode: cfg.detectLocal,
    clusterCIDR,
    ...(cfg.bridgeInterface !== undefined ? { bridgeInterface: cfg.bridgeInterface } : {}),
    ...(cfg.interfaceNamePrefix !== undefined ? { interfaceNamePrefix: cfg.interfaceNamePrefix } : {}),
  };
}

export class KubeProxyHosts implements RulesWriter {
  readonly actsAsKubeProxy = true;
  readonly notes: string[] = [];
  private nodes: readonly NodePlan[] = [];
  private sandbox: Sandbox | undefined;
  private version = '';

  constructor(
    private readonly release: KubeProxyRelease,
    private readonly mode: ProxyMode,
  ) {}

  /** Who wrote the rules a node holds, for reports. */
  get writtenBy(): string {
    return `loaded by kube-proxy ${this.version || '(not started)'} (${this.mode} mode)`;
  }

  async start(sandbox: Sandbox, nodes: readonly NodePlan[], state: ClusterState): Promise<void> {
    this.sandbox = sandbox;
    this.nodes = nodes;
    await Promise.all(
      nodes.map(async (node) => {
        await sandbox.startProgram(hostKey(node), node.ns, [this.release.binary]);
        const reply = await this.call(node, startRequest(this.mode, node, state));
        if (!reply.ok) throw new Error(`kube-proxy on node ${node.name} did not start: ${reply.error ?? 'no answer'}`);
        this.version = reply.version ?? 'unknown';
      }),
    );
    if (this.version !== this.release.version) {
      throw new BackendUnavailableError(
        `kube-proxy backend: ${this.release.binary} runs kube-proxy ${this.version} but ${this.release.version} was asked for; rebuild it with \`${this.release.build}\``,
      );
    }
  }

  async sync(state: ClusterState): Promise<void> {
    const objects = apiObjects(state);
    await Promise.all(
      this.nodes.map(async (node) => {
        const reply = await this.call(node, { op: 'sync', ...objects }, SYNC_TIMEOUT_MS);
        if (!reply.ok) throw new Error(`kube-proxy (${this.mode}) on node ${node.name}: ${reply.error ?? 'no answer'}`);
        for (const w of reply.warnings ?? []) {
          const note = `kube-proxy on ${node.name}: ${w}`;
          if (!this.notes.includes(note)) this.notes.push(note);
        }
      }),
    );
  }

  async dump(nodeName: string): Promise<string> {
    const node = this.nodes.find((n) => n.name === nodeName);
    if (!node) throw new Error(`kube-proxy backend: no node named ${nodeName}`);
    const reply = await this.call(node, { op: 'dump' });
    if (!reply.ok || reply.rules === undefined) throw new Error(`kube-proxy on node ${nodeName}: cannot read its rules: ${reply.error ?? 'no answer'}`);
    return reply.rules;
  }

  private async call(node: NodePlan, request: Record<string, unknown>, timeoutMs = 30_000): Promise<HostReply> {
    const sandbox = this.sandbox;
    if (!sandbox) throw new Error('kube-proxy backend: not started');
    return callHost(sandbox, hostKey(node), request, timeoutMs, `kube-proxy on node ${node.name}`);
  }
}

/** Worker key of a node's kube-proxy-host inside the sandbox (distinct from its echo worker). */
function hostKey(node: NodePlan): string {
  return `kp-${node.ns}`;
}
