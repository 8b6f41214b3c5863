/**
 * HTTP load measurements on loopback with the proxy backend's client and bounded load loop:
 * GETs of /hostname, `concurrency` in flight, summarised as LoadFigures.
 */
import { requestOnce, runBounded } from '../backends/proxy/trafficClient.js';
import { loadFigure, type LoadFigure } from './load-figure.js';

/** Where the requests go, and the loopback address they come from. */
export interface LoadTarget {
  host: string;
  port: number;
  localAddress: string;
}

/** Sends `requests` GETs to `target` and returns the latencies of the answered ones and the wall time. */
async function sendLoad(target: LoadTarget, concurrency: number, requests: number, signal?: AbortSignal): Promise<{ okMs: number[]; wallMs: number }> {
  const started = performance.now();
  const results = await runBounded(requests, concurrency, () => requestOnce({ ...target, timeoutMs: 30_000, path: '/hostname' }), signal);
  const wallMs = performance.now() - started;
  return { okMs: results.filter((r) => r.outcome === 'ok').map((r) => r.latencyMs), wallMs };
}

/**
 * Rounds for an interleaved measurement: up to 10, each round sending every path at least four
 * times its concurrency (so a round is mostly at full concurrency, not ramping up or down).
 */
export function interleaveRounds(concurrency: number, requests: number): number {
  return Math.max(1, Math.min(10, Math.floor(requests / (4 * concurrency))));
}

/**
 * Measures several paths at one concurrency in alternating rounds (A B, B A, A B ...) and pools
 * each path's latencies and wall time over the rounds. A path and its baseline then see the same
 * machine: a noisy neighbour, a CPU frequency change or a GC pause of the load loop lands on both,
 * instead of on whichever happened to run second. `warmup` unmeasured requests go to each path
 * first (at most 64 in flight). Returns one figure per path, in input order.
 */
export async function measureInterleaved<Path extends string>(
  paths: readonly { path: Path; target: LoadTarget }[],
  concurrency: number,
  requests: number,
  opts: { warmup?: number; signal?: AbortSignal } = {},
): Promise<LoadFigure<Path>[]> {
  const { signal } = opts;
  for (const { target } of paths) {
    await runBounded(opts.warmup ?? 0, Math.min(concurrency, 64), () => requestOnce({ ...target, timeoutMs: 30_000 }), signal);
  }
  const rounds = interleaveRounds(concurrency, requests);
  const pooled = paths.map(() => ({ okMs: [] as number[], wallMs: 0, sent: 0 }));
  for (let round = 0; round < rounds; round++) {
    // This round's share: the rest of the requests spread over the rounds left.
    const share = Math.ceil((requests - pooled[0].sent) / (rounds - round));
    const order = paths.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const { okMs, wallMs } = await sendLoad(paths[i].target, concurrency, share, signal);
      pooled[i].okMs.push(...okMs);
      pooled[i].wallMs += wallMs;
      pooled[i].sent += share;
    }
  }
  return paths.map((p, i) => loadFigure(p.path, concurrency, pooled[i].sent, pooled[i].okMs, pooled[i].wallMs));
}
