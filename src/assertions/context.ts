/**
 * What every assertion may read besides the observations: the traffic that was sent, the cluster
 * state it ran against, the backend's exact distribution when it has one, and how to print a
 * source location for the person reading the failure.
 */
import type { Traffic } from '../model/scenario.js';
import type { ClusterState, SourceLocation } from '../model/types.js';
import type { ExactDistribution, Observation } from '../observe/observation.js';
import type { AssertionResult } from '../report/result.js';
import { displayPath } from '../runner/display-path.js';

export interface AssertionContext {
  traffic: Traffic;
  state: ClusterState;
  /** Rule-derived probabilities (sim only). */
  exact?: ExactDistribution;
  /** Backend name, for messages about what it cannot do. */
  backend: string;
  /** Directory locations are printed relative to (usually the working directory). */
  cwd: string;
}

/** An assertion: pure, synchronous, judging one expectation over one step's observations. */
export type Assertion<E> = (expectation: E, observations: Observation[], context: AssertionContext) => AssertionResult;

/** `scenarios/x.yaml:12:7`, relative to the context's directory when inside it. */
export function formatLoc(loc: SourceLocation, cwd: string): string {
  return `${displayPath(loc.file, cwd)}:${loc.line}:${loc.col}`;
}

/** Build a result; failures start with the expectation's file:line:col so every message names it. */
export function result(
  kind: string,
  passed: boolean,
  message: string,
  loc: SourceLocation,
  cwd: string,
  details?: Record<string, unknown>,
): AssertionResult {
  const text = passed ? message : `${formatLoc(loc, cwd)}: ${message}`;
  return details === undefined ? { kind, passed, message: text, loc } : { kind, passed, message: text, loc, details };
}

/** Count values by key, keeping first-seen order. */
export function countBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** "3 ok, 2 timeout" */
export function formatCounts(counts: Map<string, number>): string {
  if (counts.size === 0) return 'nothing';
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

/** Only the requests that got an answer. */
export function answered(observations: Observation[]): Observation[] {
  return observations.filter((o) => o.outcome === 'ok');
}
