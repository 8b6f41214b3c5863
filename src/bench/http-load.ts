/**
 * One HTTP load measurement on loopback with the proxy backend's client and bounded load loop:
 * `requests` GETs of /hostname, `concurrency` in flight, summarised as a LoadFigure.
 */
import { requestOnce, runBounded } from '../backends/proxy/trafficClient.js';
import { loadFigure, type LoadFigure } from './load-figure.js';

/** Where the requests go, and the loopback address they come from. */
export interface LoadTarget {
  host: string;
  port: number;
  localAddress: string;
}

/** Sends the measured requests to `target` and returns their figure under the name `path`. */
export async function measureHttpLoad<Path extends string>(path: Path, target: LoadTarget, concurrency: number, requests: number, signal?: AbortSignal): Promise<LoadFigure<Path>> {
  const started = performance.now();
  const results = await runBounded(requests, concurrency, () => requestOnce({ ...target, timeoutMs: 30_000, path: '/hostname' }), signal);
  const wallMs = performance.now() - started;
  const ok = results.filter((r) => r.outcome === 'ok');
  return loadFigure(path, concurrency, requests, ok.map((r) => r.latencyMs), wallMs);
}
