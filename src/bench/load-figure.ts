/**
 * The figure every load benchmark reports (proxyd, HAProxy, kernel NAT, each beside a direct
 * path): throughput and latency percentiles of one path at one concurrency, from the latencies of
 * the requests that succeeded and the wall time of the whole measurement.
 */

/** One measurement: one path at one concurrency. Latencies in milliseconds. */
export interface LoadFigure<Path extends string = string> {
  path: Path;
  concurrency: number;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * The figure for `requests` sent, of which those in `okLatenciesMs` (any order) were answered,
 * over `wallMs` of wall time. Failed requests count as errors and not in the latencies.
 */
export function loadFigure<Path extends string>(path: Path, concurrency: number, requests: number, okLatenciesMs: number[], wallMs: number): LoadFigure<Path> {
  const lat = [...okLatenciesMs].sort((a, b) => a - b);
  return {
    path,
    concurrency,
    requests,
    errors: requests - lat.length,
    requestsPerSecond: Math.round(lat.length / (wallMs / 1000)),
    meanMs: round(lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length)),
    p50Ms: round(percentile(lat, 50)),
    p90Ms: round(percentile(lat, 90)),
    p99Ms: round(percentile(lat, 99)),
    maxMs: round(lat[lat.length - 1] ?? NaN),
  };
}
