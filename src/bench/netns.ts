/**
 * Benchmark of the netns backend: requests per second (and latency percentiles) through
 * kube-proxy's rules in a node's kernel beside direct pod access on the same path, and the time to
 * bring a 4-node lab up and tear it down. Needs root (see docs/backends/netns.md); the CLI's bench
 * reports the BackendUnavailableError it throws elsewhere.
 *
 * Both traffic paths run from the external client through the same node, `myk8s-worker`, to its
 * own pod: `kernel-nat` to that node's NodePort of a one-endpoint Service (PREROUTING DNAT,
 * FORWARD, MASQUERADE), `direct` to the pod IP over a client route via that node (plain
 * forwarding). The difference is the cost of the rules and NAT. (The route must go via the pod's
 * own node: via another node the replies would bypass it, and kube-proxy's `--ctstate INVALID`
 * drop there would discard the client's next packets.)
 */
import type { ClusterState, EndpointSlice, Pod, Service } from '../model/types.js';
import { defaultKubeProxy, newService } from '../model/defaults.js';
import type { Observation } from '../observe/observation.js';
import type { Traffic } from '../model/scenario.js';
import { checkPrerequisites } from '../backends/netns/check.js';
import { kubeProxyRules } from '../backends/netns/index.js';
import { Lab } from '../backends/netns/lab.js';
import { loadFigure, type LoadFigure } from './load-figure.js';

export interface NetnsBenchOptions {
  /** Connections in flight (default 1 and 16). */
  concurrencies?: number[];
  /** Requests measured per path and concurrency (default 2000). */
  requests?: number;
  /** Unmeasured requests before each measurement (default 200). */
  warmup?: number;
  /** Up/down cycles of the 4-node lab (default 3). */
  labCycles?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** One measurement of the netns bench: through the kernel's NAT or direct, at one concurrency. */
export type NetnsBenchFigure = LoadFigure<'kernel-nat' | 'direct'>;

export interface NetnsBenchResult {
  name: 'netns';
  node: string;
  platform: string;
  figures: NetnsBenchFigure[];
  /** Seed-004-shaped lab (4 nodes, 3 pods, 1 client): milliseconds per cycle. */
  lab: { upMs: number[]; downMs: number[] };
}

/**
 * Four nodes as in seed 004, one echo pod per worker behind svc-nodeport; svc-bench (node port
 * 30899) has only the pod on myk8s-worker, and the client routes that node's pod CIDR via it.
 */
export function netnsBenchState(): ClusterState {
  const nodes = [
    { name: 'myk8s-control-plane', ip: '172.18.0.4', cidr: '10.10.0.0/24' },
    { name: 'myk8s-worker', ip: '172.18.0.5', cidr: '10.10.1.0/24' },
    { name: 'myk8s-worker2', ip: '172.18.0.2', cidr: '10.10.2.0/24' },
    { name: 'myk8s-worker3', ip: '172.18.0.3', cidr: '10.10.3.0/24' },
  ];
  const pods: Pod[] = nodes.slice(1).map((n, i) => ({
    namespace: 'default',
    name: `deploy-echo-${i}`,
    node: n.name,
    ip: n.cidr.replace('.0/24', '.2'),
    labels: i === 0 ? { app: 'echo', bench: 'yes' } : ({ app: 'echo' } as Record<string, string>),
    owner: 'deploy-echo',
    ports: [{ containerPort: 8080, protocol: 'TCP' as const }],
    ready: true,
    serving: true,
    terminating: false,
  }));
  return {
    cluster: {
      nodes: nodes.map((n, i) => ({ name: n.name, role: i === 0 ? 'control-plane' : 'worker', addresses: [n.ip], podCIDR: n.cidr })),
      clients: [{ name: 'mypc', address: '172.18.0.100', routes: [{ to: '10.10.1.0/24', via: '172.18.0.5' }] }],
      clusterCIDR: '10.10.0.0/16',
      serviceCIDR: '10.200.1.0/24',
      nodePortRange: { min: 30000, max: 32767 },
      kubeProxy: defaultKubeProxy(),
    },
    manifests: [],
    deployments: [{ namespace: 'default', name: 'deploy-echo', replicas: 3, selector: { app: 'echo' } }],
    pods,
    services: [
      nodePortService('svc-nodeport', '10.200.1.10', { app: 'echo' }, 30898),
      nodePortService('svc-bench', '10.200.1.11', { bench: 'yes' }, 30899),
    ],
    endpointSlices: [
      slice('svc-nodeport', pods),
      slice('svc-bench', pods.slice(0, 1)),
    ],
  };
}

function nodePortService(name: string, clusterIP: string, selector: Record<string, string>, nodePort: number): Service {
  return newService('default', name, {
    type: 'NodePort',
    clusterIP,
    selector,
    ports: [{ name: 'web', protocol: 'TCP', port: 9000, targetPort: 8080, nodePort }],
  });
}

function slice(serviceName: string, pods: Pod[]): EndpointSlice {
  return {
    namespace: 'default',
    name: `${serviceName}-1`,
    serviceName,
    addressType: 'IPv4',
    ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
    endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: p.node, pod: p.name })),
  };
}

function figure(path: NetnsBenchFigure['path'], concurrency: number, obs: Observation[], wallMs: number): NetnsBenchFigure {
  const ok = obs.filter((o) => o.outcome === 'ok');
  return loadFigure(path, concurrency, obs.length, ok.map((o) => o.latencyMs ?? NaN), wallMs);
}

/** Runs the benchmark; every lab it starts is gone before it returns or throws. */
export async function benchNetns(opts: NetnsBenchOptions = {}): Promise<NetnsBenchResult> {
  await checkPrerequisites();
  const state = netnsBenchState();
  const upMs: number[] = [];
  const downMs: number[] = [];
  for (let i = 0; i < (opts.labCycles ?? 3); i++) {
    const t0 = performance.now();
    const lab = await Lab.up(state, { rulesFor: kubeProxyRules });
    const t1 = performance.now();
    await lab.close();
    upMs.push(Math.round(t1 - t0));
    downMs.push(Math.round(performance.now() - t1));
    opts.log?.(`netns bench: 4-node lab up ${upMs[i]} ms, down ${downMs[i]} ms`);
  }

  const lab = await Lab.up(state, { rulesFor: kubeProxyRules });
  try {
    const from = { kind: 'client' as const, name: 'mypc', address: '172.18.0.100' };
    const targets = {
      'kernel-nat': { address: '172.18.0.5', port: 30899 },
      direct: { address: '10.10.1.2', port: 8080 },
    } as const;
    const figures: NetnsBenchFigure[] = [];
    for (const c of opts.concurrencies ?? [1, 16]) {
      const requests = Math.max(opts.requests ?? 2000, c * 4);
      for (const path of ['direct', 'kernel-nat'] as const) {
        const t = (count: number): Traffic => ({ count, from, to: targets[path], targetText: path, protocol: 'TCP', timeoutMs: 2000 });
        await lab.send(t(Math.max(1, opts.warmup ?? 200)), Math.min(c, 16));
        const started = performance.now();
        const obs = await lab.send(t(requests), c);
        const f = figure(path, c, obs, performance.now() - started);
        opts.log?.(`netns bench: ${path.padEnd(10)} c=${String(c).padStart(3)}  ${f.requestsPerSecond} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  errors ${f.errors}`);
        figures.push(f);
      }
    }
    return { name: 'netns', node: process.version, platform: `${process.platform}-${process.arch}`, figures, lab: { upMs, downMs } };
  } finally {
    await lab.close();
  }
}
