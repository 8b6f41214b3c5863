/**
 * kube-proxy's mode as a run dimension: which modes svclab runs, why IPVS is refused, forcing one
 * mode on a whole scenario (`--mode`), and picking a send step's expectations for the mode that
 * actually runs (`expect`, or the step's `modes.<mode>` block when it states one).
 */
import type { CompiledScenario, Expectation, ModeExpectation, SendStep, Step } from './scenario.js';
import type { ClusterState, ProxyMode } from './types.js';

export const PROXY_MODES: readonly ProxyMode[] = ['iptables', 'nftables'];

export function isProxyMode(text: string): text is ProxyMode {
  return (PROXY_MODES as readonly string[]).includes(text);
}

/** Why `ipvs` is refused (schema diagnostics, `--mode`, `--modes`): never silently run as iptables. */
export const IPVS_REFUSED =
  "kube-proxy's IPVS mode is deprecated upstream (since Kubernetes v1.35, KEP-5495) and svclab does not run it (nor runs it as iptables); use iptables or nftables";

/** The usage message for a `--mode`/`--modes` value that is not a mode svclab runs. */
export function modeOptionProblem(option: string, value: string): string | undefined {
  if (isProxyMode(value)) return undefined;
  if (value === 'ipvs') return `${option}: ${IPVS_REFUSED}`;
  return `${option} must be one of ${PROXY_MODES.join(', ')} (got '${value}')`;
}

/** The mode a scenario runs in (constant over its steps: change steps touch resources only). */
export function modeOf(scenario: CompiledScenario): ProxyMode {
  return scenario.initial.cluster.kubeProxy.mode;
}

/** `state` with kube-proxy in `mode`, its other settings as they are. */
export function stateWithMode(state: ClusterState, mode: ProxyMode): ClusterState {
  return { ...state, cluster: { ...state.cluster, kubeProxy: { ...state.cluster.kubeProxy, mode } } };
}

/**
 * The scenario with kube-proxy in `mode` in every state (`--mode`): the files are not touched, and
 * the other kube-proxy settings stay as written. Returns the scenario itself when it already runs so.
 */
export function withProxyMode(scenario: CompiledScenario, mode: ProxyMode): CompiledScenario {
  if (modeOf(scenario) === mode && scenario.steps.every((s) => s.state.cluster.kubeProxy.mode === mode)) return scenario;
  // Steps share state objects with each other (a send step runs against the state of the step
  // before it): map each distinct state once so that sharing survives.
  const mapped = new Map<ClusterState, ClusterState>();
  const remap = (state: ClusterState): ClusterState => {
    let out = mapped.get(state);
    if (out === undefined) {
      out = stateWithMode(state, mode);
      mapped.set(state, out);
    }
    return out;
  };
  return {
    ...scenario,
    initial: remap(scenario.initial),
    steps: scenario.steps.map((s): Step => ({ ...s, state: remap(s.state) }) as Step),
  };
}

/** What a send step expects under `mode`, and the `modes:` block it came from when it has one for it. */
export function expectationsFor(step: SendStep, mode: ProxyMode): { expect: Expectation[]; override?: ModeExpectation } {
  const override = step.modes?.find((m) => m.mode === mode);
  return override === undefined ? { expect: step.expect } : { expect: override.expect, override };
}

/** A step whose answer depends on the mode: it states a `modes:` block for at least one mode. */
export function isModeSpecific(step: Step): boolean {
  return step.kind === 'send' && (step.modes?.length ?? 0) > 0;
}
