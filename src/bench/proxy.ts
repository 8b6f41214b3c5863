/**
 * Benchmark of the proxy daemon: requests per second and latency percentiles through proxyd (a
 * NodePort on a node's loopback address) beside a direct connection to the same echo pod, at
 * several concurrency levels, measured in the same run, in interleaved rounds. A bounded load loop
 * of our own (measureInterleaved): tinybench times one function at a time, while this needs N
 * connections in flight at once. The daemon runs as its own process (`svclab proxyd --daemon`, fed
 * through the control API) like HAProxy beside it, and the echo pod in another.
 */
import type { ClusterState } from '../model/types.js';
import { defaultKubeProxy, newService } from '../model/defaults.js';
import { desiredStates } from '../backends/proxy/buildDesired.js';
import { putState } from '../backends/proxy/controlApi.js';
import { ProxyLab } from '../backends/proxy/lab.js';
import type { AddressMap } from '../backends/proxy/addressMap.js';
import { startEchoPodsProcess } from './echo-pods-process.js';
import { builtPath, startReadyChild } from './child.js';
import { measureInterleaved } from './http-load.js';
import type { LoadFigure } from './load-figure.js';

export interface ProxyBenchOptions {
  /** Connections in flight (default 1, 64, 1000). */
  concurrencies?: number[];
  /** Requests measured per path and concurrency (default 2000; at least 4x the concurrency). */
  requests?: number;
  /** Unmeasured requests before each measurement (default 200). */
  warmup?: number;
  seed?: number;
  signal?: AbortSignal;
  /** Progress lines. */
  log?: (line: string) => void;
  /**
   * Where the daemon and the echo pod run: `process` (default) gives each its own process, as in
   * real use (`svclab proxyd --daemon`, and a process for the pod), so none of them shares an event
   * loop with the load loop; `in-process` runs both inside this process and needs no build (tests).
   */
  daemon?: 'process' | 'in-process';
}

/** One measurement: one path (through proxyd, or straight to the pod) at one concurrency. */
export type ProxyBenchFigure = LoadFigure<'proxyd' | 'direct'>;

export interface ProxyBenchResult {
  name: 'proxy';
  daemon: 'process' | 'in-process';
  node: string;
  platform: string;
  figures: ProxyBenchFigure[];
}

/** One node, one echo pod, one NodePort service: the smallest lab with both paths to one pod. */
function benchState(): ClusterState {
  return {
    cluster: {
      nodes: [{ name: 'bench-node', role: 'worker', addresses: ['172.18.0.2'], podCIDR: '10.10.1.0/24' }],
      clients: [{ name: 'bench-client', address: '172.18.0.100', routes: [] }],
      clusterCIDR: '10.10.0.0/16',
      serviceCIDR: '10.200.1.0/24',
      nodePortRange: { min: 30000, max: 32767 },
      kubeProxy: defaultKubeProxy(),
    },
    manifests: [],
    deployments: [],
    pods: [
      { namespace: 'default', name: 'bench-echo', node: 'bench-node', ip: '10.10.1.2', labels: { app: 'bench' }, ports: [{ containerPort: 8080, protocol: 'TCP' }], ready: true, serving: true, terminating: false },
    ],
    services: [
      newService('default', 'bench', {
        type: 'NodePort',
        clusterIP: '10.200.1.10',
        selector: { app: 'bench' },
        ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
      }),
    ],
    endpointSlices: [
      {
        namespace: 'default',
        name: 'bench-1',
        serviceName: 'bench',
        addressType: 'IPv4',
        ports: [{ name: '', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.10.1.2'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'bench-node', pod: 'bench-echo' }],
      },
    ],
  };
}

/** Start `svclab proxyd --daemon` and wait for its control socket. */
async function startDaemonProcess(): Promise<{ socketPath: string; stop: () => Promise<void> }> {
  const d = await startReadyChild('proxyd --daemon', builtPath('cli/main.js'), ['proxyd', '--daemon'], /control socket (\S+)/, { stopSignal: 'SIGINT' });
  return { socketPath: d.match[1], stop: d.stop };
}

/** Run the benchmark; everything it starts is stopped before it returns or throws. */
export async function benchProxy(opts: ProxyBenchOptions = {}): Promise<ProxyBenchResult> {
  const concurrencies = opts.concurrencies ?? [1, 64, 1000];
  const state = benchState();
  const where = opts.daemon ?? 'process';
  const lab: { map: AddressMap; stop: () => Promise<void> } =
    where === 'process' ? await startEchoPodsProcess(state) : await ProxyLab.start(state, { seed: opts.seed ?? 1, holdMs: 5_000 }).then((l) => ({ map: l.map, stop: () => l.close() }));
  let stopDaemon: (() => Promise<void>) | undefined;
  try {
    if (where === 'process') {
      const d = await startDaemonProcess();
      stopDaemon = d.stop;
      await putState(d.socketPath, desiredStates(state, lab.map)[0]);
    }
    const localAddress = lab.map.loopback('172.18.0.100');
    const viaProxy = { host: lab.map.loopback('172.18.0.2'), port: 30080, localAddress };
    const direct = { host: lab.map.loopback('10.10.1.2'), port: 8080, localAddress };
    const figures: ProxyBenchFigure[] = [];
    for (const c of concurrencies) {
      const requests = Math.max(opts.requests ?? 2000, c * 4);
      // Interleaved rounds, so the daemon and its baseline see the same machine.
      const measured = await measureInterleaved(
        [
          { path: 'direct', target: direct },
          { path: 'proxyd', target: viaProxy },
        ] as const,
        c,
        requests,
        { warmup: Math.min(requests, opts.warmup ?? 200), signal: opts.signal },
      );
      for (const f of measured) {
        opts.log?.(`proxy bench: ${f.path.padEnd(6)} c=${String(c).padStart(4)}  ${f.requestsPerSecond} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  errors ${f.errors}`);
        figures.push(f);
      }
    }
    return { name: 'proxy', daemon: where, node: process.version, platform: `${process.platform}-${process.arch}`, figures };
  } finally {
    await stopDaemon?.();
    await lab.stop();
  }
}
