/**
 * The run result model: what the runner produces and every reporter reads (console, JUnit, HTML,
 * JSON). It is plain data (JSON-serializable) and independent of the task engine.
 */
import type { Outcome } from '../model/scenario.js';
import type { SourceLocation } from '../model/types.js';
import type { ExactDistribution, TraceHop } from '../observe/observation.js';

export type Status = 'pass' | 'fail' | 'skip' | 'error';

export interface AssertionResult {
  /** outcome | responders | distribution | sourceSeen | sticky */
  kind: string;
  passed: boolean;
  /** Set when this backend cannot judge the expectation (e.g. exact probabilities off the simulator): the reason. */
  skipped?: string;
  /** One line: what was expected and what happened. */
  message: string;
  /** Where the expectation is written. */
  loc: SourceLocation;
  /** Kind-specific numbers (counts, p-value, alpha, expected/observed per pod). */
  details?: Record<string, unknown>;
}

/** What the traffic of a send step produced, summarized for reports. */
export interface TrafficSummary {
  count: number;
  from: string;
  to: string;
  targetText: string;
  protocol: string;
  outcomes: Partial<Record<Outcome, number>>;
  /** Answers per pod name. */
  pods: Record<string, number>;
  /** Answers per node name. */
  nodes: Record<string, number>;
  /** Source addresses seen by pods, with counts. */
  sourcesSeen: Record<string, number>;
  /** Expected share per pod, when a distribution was expected (or computed exactly on sim). */
  expectedShare?: Record<string, number>;
  exact?: ExactDistribution;
  /** One representative path per distinct outcome/pod (sim and netns). */
  traces?: { label: string; hops: TraceHop[] }[];
}

export interface StepResult {
  index: number;
  kind: 'send' | 'change';
  title: string;
  loc: SourceLocation;
  status: Status;
  /** Why a step was skipped, or the error for status 'error'. */
  reason?: string;
  durationMs: number;
  traffic?: TrafficSummary;
  assertions: AssertionResult[];
  /** The step's `modes.<mode>` block whose expectations were checked (instead of `expect`). */
  modeExpectation?: { mode: string; why: string; link?: string };
}

/**
 * The rules one node's kernel held at one point of a scenario, read back from the kernel
 * (netns and kube-proxy backends): after the first sync and after each change that altered them.
 */
export interface RulesSnapshot {
  node: string;
  /** Index of the step after which they were read; absent for the first sync, before step 1. */
  afterStep?: number;
  /** Who wrote them: "loaded by kube-proxy v1.37.2 (iptables mode)", "rendered by svclab, loaded with iptables-restore". */
  writtenBy: string;
  /** The dump's syntax: `iptables-save` output or `nft list table` output. */
  format: 'iptables-save' | 'nft';
  /** The dump, or its first lines when longer than the report keeps (see truncatedLines). */
  text: string;
  /** Lines of the dump left out of `text` to bound the report's size. */
  truncatedLines?: number;
  /** Why the rules could not be read (text is then empty). */
  error?: string;
}

export interface ScenarioResult {
  name: string;
  /** Path relative to the working directory. */
  file: string;
  description?: string;
  source?: string;
  tags: string[];
  status: Status;
  /** Infrastructure/backend error that stopped the scenario. */
  error?: string;
  seed: number;
  /** kube-proxy mode the scenario ran in (its file's, or --mode). */
  mode?: string;
  durationMs: number;
  steps: StepResult[];
  /** Each node's rules as its kernel held them, deduplicated per node (backends that can read them). */
  rules?: RulesSnapshot[];
  /** Rule snapshots beyond the report's limit per scenario, counted but not kept. */
  rulesOmitted?: number;
}

export interface RunResult {
  tool: { name: 'svclab'; version: string };
  backend: string;
  /** kube-proxy mode forced on every scenario (--mode); absent when each file's own mode ran. */
  mode?: string;
  seed: number;
  startedAt: string;
  durationMs: number;
  node: string;
  platform: string;
  scenarios: ScenarioResult[];
  totals: { passed: number; failed: number; skipped: number; errors: number };
}
