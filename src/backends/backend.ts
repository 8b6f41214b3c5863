/**
 * The one interface every backend implements. The runner starts a session per scenario, feeds it
 * the scenario's steps in order, and closes it (also on failure and on abort).
 */
import type { ChangeStep, CompiledScenario, SendStep } from '../model/scenario.js';
import type { SendResult } from '../observe/observation.js';

export type BackendName = 'sim' | 'proxy' | 'netns' | 'kube-proxy' | 'kind';

export interface BackendContext {
  /** Seed for every random choice the backend makes itself. */
  seed: number;
  /** Aborted on Ctrl-C or timeout; long operations must stop and clean up. */
  signal: AbortSignal;
  /** Progress lines for the console (one line, no newline). */
  log: (message: string) => void;
}

export type ApplyResult = { applied: true } | { unsupported: string };

/** One node's rules as its kernel holds them, read back for reports, and who wrote them. */
export interface NodeRules {
  node: string;
  /** "loaded by kube-proxy v1.37.2 (iptables mode)", "rendered by svclab, loaded with iptables-restore". */
  writtenBy: string;
  format: 'iptables-save' | 'nft';
  /** The dump (empty when `error` says why it could not be read). */
  text: string;
  error?: string;
}

export interface BackendSession {
  /** Make the backend's world match `step.state` after `step.change`. */
  apply(step: ChangeStep): Promise<ApplyResult>;
  /** Send the step's traffic; one observation per request, in order. */
  send(step: SendStep): Promise<SendResult>;
  /** Every node's rules as its kernel holds them now (backends with real node kernels: netns, kube-proxy). */
  nodeRules?(): Promise<NodeRules[]>;
  /** Stop everything this session started. Must be safe to call twice. */
  close(): Promise<void>;
}

/** Backend-specific command-line options (`svclab run --kind-cluster/--kubeconfig/--keep/--kube-proxy-version`). */
export interface BackendOptions {
  /** kind: use (or create) the kind cluster with this name. */
  kindCluster?: string;
  /** kind: kubeconfig file; alone, its current context is used as is. */
  kubeconfig?: string;
  /** kind: keep clusters this run created. */
  keep?: boolean;
  /** kube-proxy: run this (older) release instead of the one go.mod pins. */
  kubeProxyVersion?: string;
}

export interface Backend {
  readonly name: BackendName;
  /** How many scenarios may run at once on this backend. */
  readonly maxConcurrency: number;
  /** Throws BackendUnavailableError naming exactly what is missing. */
  check(): Promise<void>;
  start(scenario: CompiledScenario, ctx: BackendContext): Promise<BackendSession>;
  /**
   * Why this backend cannot build the scenario's cluster, located in the scenario file and saying
   * what to change; undefined when it can. Pure (no privileges), so `svclab validate --backend`
   * can ask before a run.
   */
  layoutProblem?(scenario: CompiledScenario): string | undefined;
  /** Release what outlives sessions (kind: clusters this run created). Called once after the run, also on failure. */
  dispose?(): Promise<void>;
}
