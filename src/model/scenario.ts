/**
 * A compiled scenario: the loaded file with variables resolved, node ports allocated, and the
 * cluster state computed for every step. This is what the runner and every backend consume.
 */
import type { ClusterState, Manifest, Protocol, ProxyMode, SourceLocation } from './types.js';

export interface CompiledScenario {
  /** Absolute path of the scenario file. */
  file: string;
  name: string;
  description?: string;
  /** Which lab or upstream test it reproduces (e.g. a seed file name). */
  source?: string;
  tags: string[];
  /** Seed fixed by the scenario itself; the CLI's --seed wins when given. */
  seed?: number;
  /** Namespace that unqualified names (Services in expressions like nodePort(web)) refer to. */
  namespace?: string;
  loc: SourceLocation;
  /** State before the first step. */
  initial: ClusterState;
  steps: Step[];
}

export type Step = SendStep | ChangeStep;

interface StepBase {
  /** 0-based position among the scenario's steps. */
  index: number;
  /** Human title, e.g. "100 curls to CNODE:NPORT from mypc" or "scale deployment/web to 2". */
  title: string;
  loc: SourceLocation;
  /** The cluster state this step runs against (for a change: the state after it). */
  state: ClusterState;
}

/** Where a request comes from. `address` is the scenario address it is sent from. */
export type TrafficSource =
  | { kind: 'client'; name: string; address: string }
  | { kind: 'node'; name: string; address: string }
  | { kind: 'pod'; name: string; address: string; node: string };

export interface Traffic {
  count: number;
  from: TrafficSource;
  to: { address: string; port: number };
  /** The target as the author wrote it ("CNODE:NPORT"), for reports. */
  targetText: string;
  protocol: Protocol;
  /** Per-request timeout; a request with no answer by then is a `timeout`. */
  timeoutMs: number;
}

export interface SendStep extends StepBase {
  kind: 'send';
  traffic: Traffic;
  /** What must hold, in every mode without its own block in `modes`. */
  expect: Expectation[];
  /** Per-mode answers (`modes: { nftables: { expect, why } }`); absent when the modes agree. */
  modes?: ModeExpectation[];
  /** Known differences of some backends on this step (`diverges:`); absent when none are stated. */
  diverges?: Divergence[];
}

/**
 * What a send step expects when kube-proxy runs in `mode`, instead of the step's `expect`: one
 * scenario holds both truths, and `svclab compare --modes` shows the change as stated.
 */
export interface ModeExpectation {
  mode: ProxyMode;
  expect: Expectation[];
  /** Why this mode answers differently (for the migration report). */
  why: string;
  /** The upstream test or doc that pins it. */
  link?: string;
  loc: SourceLocation;
}

/**
 * A stated, explained difference: on `backend`, this step behaves differently from the other
 * backends. `svclab compare` shows it as known and fails it when the backend agrees again.
 */
export interface Divergence {
  backend: 'sim' | 'proxy' | 'netns' | 'kind';
  /** What the backend does instead, e.g. "refused instead of timeout". */
  does: string;
  why: string;
  link?: string;
  loc: SourceLocation;
}

export interface ChangeStep extends StepBase {
  kind: 'change';
  change: Change;
}

/** `kind/name`, namespace defaulting to the scenario's. */
export interface ResourceRef {
  kind: string;
  name: string;
  namespace: string;
}

export type Change =
  | { op: 'scale'; target: ResourceRef; replicas: number }
  | { op: 'patch'; target: ResourceRef; patch: Record<string, unknown> }
  | { op: 'delete'; target: ResourceRef }
  | { op: 'apply'; manifests: Manifest[] }
  | { op: 'endpoint'; pod: string; namespace: string; condition: 'ready' | 'not-ready' | 'terminating' };

export type Outcome = 'ok' | 'timeout' | 'refused' | 'reset' | 'unreachable';

/** A pod, node or serving host (a cluster client with `serves`), by name. */
export type Responder = { pod: string } | { node: string } | { host: string };

export type Expectation =
  | OutcomeExpectation
  | RespondersExpectation
  | DistributionExpectation
  | SourceExpectation
  | StickyExpectation;

export interface OutcomeExpectation {
  kind: 'outcome';
  outcome: Outcome;
  /** 'all' (default) or an exact number of requests with this outcome. */
  count: number | 'all';
  loc: SourceLocation;
}

export interface RespondersExpectation {
  kind: 'responders';
  /** The key it was written under (`pods:`, `nodes:`, `hosts:`), so reports label and count it that way. */
  of?: 'pods' | 'nodes' | 'hosts';
  /** Only these may answer (others answering fails). */
  may?: Responder[];
  /** Each of these must answer at least once. */
  must?: Responder[];
  /** None of these may answer. */
  mustNot?: Responder[];
  loc: SourceLocation;
}

export interface DistributionExpectation {
  kind: 'distribution';
  /** Uniform over the pods that can answer, or explicit relative weights per pod name. */
  weights: 'uniform' | Record<string, number>;
  /** Significance level of the goodness-of-fit test (default 0.001). */
  alpha: number;
  /** exact: compare rule-derived probabilities (sim only); sample: goodness-of-fit on observations; auto: exact when the backend can. */
  method: 'auto' | 'exact' | 'sample';
  loc: SourceLocation;
}

export interface SourceExpectation {
  kind: 'sourceSeen';
  /** client: the sender's own address; ingress-node: an address of the node the request entered; or a literal address. */
  seen: 'client' | 'ingress-node' | { address: string };
  loc: SourceLocation;
}

export interface StickyExpectation {
  kind: 'sticky';
  loc: SourceLocation;
}
