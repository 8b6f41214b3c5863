/** Summarize a send step's observations for reports: counts, who answered, sources, sample paths. */
import type { Traffic } from '../model/scenario.js';
import type { ExactDistribution, Observation } from '../observe/observation.js';
import type { TrafficSummary } from '../report/result.js';

/** At most this many representative paths per step. */
export const MAX_TRACES = 8;

function bump(record: Record<string, number>, key: string | undefined): void {
  // Own keys only: a pod may well be named 'constructor'.
  if (key !== undefined) record[key] = (Object.hasOwn(record, key) ? record[key] : 0) + 1;
}

/** "client mypc (172.18.0.100)" */
export function describeSource(traffic: Traffic): string {
  return `${traffic.from.kind} ${traffic.from.name} (${traffic.from.address})`;
}

export function summarizeTraffic(
  traffic: Traffic,
  observations: Observation[],
  exact: ExactDistribution | undefined,
  expectedShare: Map<string, number> | undefined,
): TrafficSummary {
  const summary: TrafficSummary = {
    count: observations.length,
    from: describeSource(traffic),
    to: `${traffic.to.address}:${traffic.to.port}`,
    targetText: traffic.targetText,
    protocol: traffic.protocol,
    outcomes: {},
    pods: {},
    nodes: {},
    sourcesSeen: {},
  };
  const traces: { label: string; hops: NonNullable<Observation['trace']> }[] = [];
  for (const o of observations) {
    summary.outcomes[o.outcome] = (summary.outcomes[o.outcome] ?? 0) + 1;
    if (o.outcome === 'ok') {
      bump(summary.pods, o.pod ?? o.host ?? o.endpoint);
      bump(summary.nodes, o.node);
      bump(summary.sourcesSeen, o.sourceSeen);
    }
    // One path per distinct (outcome, pod): enough to show every way the traffic went.
    const label = (o.pod ?? o.host) === undefined ? o.outcome : `${o.outcome} via ${o.pod ?? `host ${o.host}`}`;
    if (o.trace !== undefined && o.trace.length > 0 && traces.length < MAX_TRACES && !traces.some((t) => t.label === label)) {
      traces.push({ label, hops: o.trace });
    }
  }
  if (expectedShare !== undefined) summary.expectedShare = Object.fromEntries(expectedShare);
  if (exact !== undefined) summary.exact = exact;
  if (traces.length > 0) summary.traces = traces;
  return summary;
}
