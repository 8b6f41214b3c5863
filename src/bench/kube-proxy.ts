/**
 * Benchmark of the kube-proxy backend (bench section `kube-proxy`): the time to bring the 4-node
 * bench lab up with every node's first kube-proxy sync done, and one change step (the deployment
 * scaled from 3 to 4 pods: a new pod namespace and one more endpoint) re-synced on every node, in
 * iptables and nftables mode. The baseline of each is the netns backend (svclab's own renderer,
 * loaded with iptables-restore / nft -f) doing the same on the same lab, measured in the same run,
 * cycles interleaved so machine load falls on both alike.
 *
 * Without root, the netns tools or the built kube-proxy-host the whole section throws
 * BackendUnavailableError (the bench prints the reason and skips it); without a usable `nft` only
 * the nftables mode is skipped, with the reason.
 */
import type { ClusterState, EndpointSlice, Pod, ProxyMode } from '../model/types.js';
import { stateWithMode } from '../model/proxy-mode.js';
import { checkKubeProxy, checkMode } from '../backends/kube-proxy/check.js';
import { kubeProxyRelease, requireHostBinary } from '../backends/kube-proxy/binary.js';
import { KubeProxyHosts } from '../backends/kube-proxy/hosts.js';
import { kubeProxyNftRules, kubeProxyRules } from '../backends/netns/index.js';
import { Lab, type LabOptions } from '../backends/netns/lab.js';
import { BackendUnavailableError } from '../errors.js';
import { netnsBenchState } from './netns.js';

export interface KubeProxyBenchOptions {
  /** Up/apply/down cycles per backend and mode (default 3). */
  cycles?: number;
  modes?: ProxyMode[];
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Milliseconds per cycle of one backend in one mode. */
export interface LabTimes {
  /** Sandbox, namespaces, pods, rules (for kube-proxy: every node's first sync) done. */
  upMs: number[];
  /** The scale-up step applied: new pod up, every node's rules re-synced. */
  applyMs: number[];
  downMs: number[];
}

export interface KubeProxyModeResult {
  mode: ProxyMode;
  netns: LabTimes;
  kubeProxy: LabTimes;
}

export interface KubeProxyBenchResult {
  binary: string;
  modes: KubeProxyModeResult[];
  /** Modes that could not run here, with the reason. */
  skipped: { mode: ProxyMode; reason: string }[];
}

/** The bench lab after `kubectl scale deployment deploy-echo --replicas=4`: a pod on myk8s-worker3 joins svc-nodeport. */
export function scaledBenchState(state: ClusterState): ClusterState {
  const template = state.pods[state.pods.length - 1]!;
  const pod: Pod = { ...template, name: 'deploy-echo-3', ip: template.ip.replace(/\.\d+$/, '.3'), labels: { app: 'echo' } };
  const endpointSlices: EndpointSlice[] = state.endpointSlices.map((s) =>
    s.serviceName !== 'svc-nodeport'
      ? s
      : { ...s, endpoints: [...s.endpoints, { addresses: [pod.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: pod.node, pod: pod.name }] },
  );
  return {
    ...state,
    deployments: state.deployments.map((d) => (d.name === 'deploy-echo' ? { ...d, replicas: 4 } : d)),
    pods: [...state.pods, pod],
    endpointSlices,
  };
}

/** The rules every node's kernel holds, as text. */
async function nodeRules(lab: Lab, state: ClusterState, viaWriter: boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const node of state.cluster.nodes) {
    const nft = state.cluster.kubeProxy.mode === 'nftables' && !viaWriter;
    out.set(node.name, nft ? await lab.nftList(node.name) : await lab.kernelRules(node.name));
  }
  return out;
}

/**
 * One up / apply / down of the lab, timed. After the (timed) apply, every node's kernel must hold
 * a rule for the new endpoint; otherwise the figure would time work that did not happen.
 */
async function cycle(state: ClusterState, next: ClusterState, options: LabOptions, times: LabTimes): Promise<void> {
  const t0 = performance.now();
  const lab = await Lab.up(state, options);
  const t1 = performance.now();
  let t2 = 0;
  try {
    await lab.apply(next);
    t2 = performance.now();
    const added = next.pods[next.pods.length - 1]!.ip;
    for (const [node, rules] of await nodeRules(lab, next, options.writer !== undefined)) {
      if (!rules.includes(added)) throw new Error(`kube-proxy bench: after the scale-up, node ${node}'s rules have no endpoint ${added}`);
    }
  } catch (err) {
    await lab.close();
    throw err;
  }
  const t3 = performance.now();
  await lab.close();
  times.upMs.push(Math.round(t1 - t0));
  times.applyMs.push(Math.round(t2 - t1));
  times.downMs.push(Math.round(performance.now() - t3));
}

const empty = (): LabTimes => ({ upMs: [], applyMs: [], downMs: [] });

/** Runs the benchmark; every lab it starts is gone before it returns or throws. */
export async function benchKubeProxy(opts: KubeProxyBenchOptions = {}): Promise<KubeProxyBenchResult> {
  await checkKubeProxy();
  const release = kubeProxyRelease();
  const binary = requireHostBinary(process.env, release);
  const result: KubeProxyBenchResult = { binary, modes: [], skipped: [] };
  for (const mode of opts.modes ?? ['iptables', 'nftables']) {
    try {
      await checkMode(mode);
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
      result.skipped.push({ mode, reason: err.message });
      opts.log?.(`kube-proxy bench: ${mode} mode skipped: ${err.message}`);
      continue;
    }
    const state = stateWithMode(netnsBenchState(), mode);
    const next = scaledBenchState(state);
    const r: KubeProxyModeResult = { mode, netns: empty(), kubeProxy: empty() };
    for (let i = 0; i < (opts.cycles ?? 3); i++) {
      opts.signal?.throwIfAborted();
      await cycle(state, next, { rulesFor: kubeProxyRules, nftRulesFor: kubeProxyNftRules }, r.netns);
      opts.signal?.throwIfAborted();
      await cycle(state, next, { rulesFor: kubeProxyRules, writer: new KubeProxyHosts(release, mode) }, r.kubeProxy);
      const n = r.netns;
      const k = r.kubeProxy;
      opts.log?.(
        `kube-proxy bench (${mode}): kube-proxy up ${k.upMs[i]} ms, apply ${k.applyMs[i]} ms, down ${k.downMs[i]} ms; netns up ${n.upMs[i]} ms, apply ${n.applyMs[i]} ms, down ${n.downMs[i]} ms`,
      );
    }
    result.modes.push(r);
  }
  return result;
}
