/**
 * Whether two backends saw the same thing on one send step. Compares what was observed (outcome
 * counts, the pods that answered, the source addresses they saw), not only pass/fail, and does it
 * with statistics so random load balancing never reads as a disagreement:
 * - outcome counts: chi-square test of homogeneity (exact equality when both are deterministic);
 * - pods and sources: a value one backend saw often enough that the other would have seen it too
 *   (chance of missing it below alpha) but never did; a pod the simulator computed as unreachable;
 * - on sticky steps only the number of distinct pods counts (which pod sticks is a random choice),
 *   and sources are compared only when both stuck to the same pod (local or remote changes the SNAT).
 */
import { chiSquareSurvival } from '../stats/chi-square.js';
import type { TrafficSummary } from '../report/result.js';

/** False-disagreement rate of each statistical comparison (the project's default alpha). */
export const COMPARE_ALPHA = 0.001;

/** What one backend observed on one send step, as the matrix shows it. */
export interface Observed {
  count: number;
  outcomes: Record<string, number>;
  pods: Record<string, number>;
  sourcesSeen: Record<string, number>;
  /** Pods the rules make reachable (simulator's exact computation), when known. */
  reachablePods?: string[];
  /** Whether every expectation of the step held. */
  expectationsMet: boolean;
}

/** One aspect two backends disagree on, with both sides in words. */
export interface Difference {
  aspect: 'expectations' | 'outcomes' | 'pods' | 'sources';
  detail: string;
}

export interface CompareOptions {
  /** The step expects stickiness: compare how many pods answered, not which. */
  sticky: boolean;
  alpha?: number;
}

/** Build the comparable view of a step's traffic summary. */
export function observedOf(traffic: TrafficSummary, expectationsMet: boolean): Observed {
  const o: Observed = {
    count: traffic.count,
    outcomes: dropZeros(traffic.outcomes as Record<string, number>),
    pods: dropZeros(traffic.pods),
    sourcesSeen: dropZeros(traffic.sourcesSeen),
    expectationsMet,
  };
  if (traffic.exact !== undefined && traffic.exact.endpoints.length > 0) {
    const pods = traffic.exact.endpoints.filter((e) => e.probability > 0 && (e.pod ?? e.host) !== undefined).map((e) => (e.pod ?? e.host) as string);
    if (pods.length > 0) o.reachablePods = [...new Set(pods)].sort();
  }
  return o;
}

function dropZeros(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(counts).sort()) if (counts[key] > 0) out[key] = counts[key];
  return out;
}

/** `ok×100` / `ok×60 timeout×40`, or `none`. */
export function countsText(counts: Record<string, number>): string {
  const keys = Object.keys(counts);
  return keys.length === 0 ? 'none' : keys.map((k) => `${k}×${counts[k]}`).join(' ');
}

/** Differences between two backends' observations; empty when they agree. */
export function compareObserved(aName: string, a: Observed, bName: string, b: Observed, options: CompareOptions): Difference[] {
  const alpha = options.alpha ?? COMPARE_ALPHA;
  const out: Difference[] = [];
  if (a.expectationsMet !== b.expectationsMet) {
    const word = (met: boolean): string => (met ? 'expectations met' : 'expectations failed');
    out.push({ aspect: 'expectations', detail: `${aName}: ${word(a.expectationsMet)}, ${bName}: ${word(b.expectationsMet)}` });
  }
  if (!sameCounts(a.outcomes, b.outcomes, alpha)) {
    out.push({ aspect: 'outcomes', detail: `${aName}: ${countsText(a.outcomes)} | ${bName}: ${countsText(b.outcomes)}` });
  }
  const podDiff = options.sticky ? stickyDifference(a, b) : presenceDifference(a.pods, b.pods, alpha) ?? reachabilityDifference(a, b);
  if (podDiff !== undefined) out.push({ aspect: 'pods', detail: `${aName}: ${countsText(a.pods)} | ${bName}: ${countsText(b.pods)} (${podDiff})` });
  // On a sticky step the source seen depends on which pod was picked (local or remote): compare
  // sources only when both stuck to the same pod, else how many distinct sources there were.
  const samePod = !options.sticky || Object.keys(a.pods).join() === Object.keys(b.pods).join();
  const sourceDiff = samePod
    ? presenceDifference(a.sourcesSeen, b.sourcesSeen, alpha)
    : Object.keys(a.sourcesSeen).length !== Object.keys(b.sourcesSeen).length
      ? 'a different number of distinct sources on a sticky step'
      : undefined;
  if (sourceDiff !== undefined) {
    out.push({ aspect: 'sources', detail: `${aName}: ${countsText(a.sourcesSeen)} | ${bName}: ${countsText(b.sourcesSeen)}` });
  }
  return out;
}

/**
 * Same outcome proportions? Deterministic on both sides (one outcome each): the outcome must match.
 * Otherwise a 2×k chi-square test of homogeneity at `alpha`.
 */
export function sameCounts(a: Record<string, number>, b: Record<string, number>, alpha: number): boolean {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const na = sum(a);
  const nb = sum(b);
  if (na === 0 || nb === 0) return na === nb;
  if (keys.length === 1) return true;
  if (Object.keys(a).length === 1 && Object.keys(b).length === 1) return false;
  let statistic = 0;
  const n = na + nb;
  for (const k of keys) {
    const total = (a[k] ?? 0) + (b[k] ?? 0);
    for (const [counts, rowTotal] of [
      [a, na],
      [b, nb],
    ] as const) {
      const expected = (rowTotal * total) / n;
      statistic += ((counts[k] ?? 0) - expected) ** 2 / expected;
    }
  }
  return chiSquareSurvival(statistic, keys.length - 1) >= alpha;
}

/**
 * A value seen k times on one side (n answers) and never on the other (m answers) is a real
 * difference when that split is unlikely under one common distribution. Conditioned on k sightings
 * in n + m draws, the chance all k land on one side is C(n,k)/C(n+m,k) (hypergeometric); pooling
 * both sides keeps a small sample's share from being taken as the true probability.
 */
export function presenceDifference(a: Record<string, number>, b: Record<string, number>, alpha: number): string | undefined {
  const notes: string[] = [];
  for (const [seen, other] of [
    [a, b],
    [b, a],
  ] as const) {
    const n = sum(seen);
    const m = sum(other);
    if (n === 0 || m === 0) continue;
    for (const key of Object.keys(seen)) {
      if ((other[key] ?? 0) > 0) continue;
      if (allOnOneSide(seen[key], n, m) < alpha) notes.push(`${key} never seen on one side`);
    }
  }
  return notes.length > 0 ? notes.join(', ') : undefined;
}

/** C(n,k)/C(n+m,k): the chance that k sightings among n + m draws all fall in the first n. */
export function allOnOneSide(k: number, n: number, m: number): number {
  let p = 1;
  for (let i = 0; i < k; i++) p *= (n - i) / (n + m - i);
  return p;
}

/** A pod answered that the simulator's rules make unreachable. */
function reachabilityDifference(a: Observed, b: Observed): string | undefined {
  for (const [rules, seen] of [
    [a, b],
    [b, a],
  ] as const) {
    if (rules.reachablePods === undefined) continue;
    const strays = Object.keys(seen.pods).filter((p) => !rules.reachablePods!.includes(p));
    if (strays.length > 0) return `${strays.join(', ')} unreachable by the rules`;
  }
  return undefined;
}

function stickyDifference(a: Observed, b: Observed): string | undefined {
  const ka = Object.keys(a.pods).length;
  const kb = Object.keys(b.pods).length;
  return ka === kb ? undefined : `${ka} vs ${kb} distinct pods on a sticky step`;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((x, y) => x + y, 0);
}
