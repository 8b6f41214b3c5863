/**
 * Differential cases from scenario files: every distinct cluster state a scenario's steps run
 * against, on every node, in both kube-proxy modes. This is how the library's own scenarios are
 * checked rule for rule against kube-proxy.
 */
import type { ProxyMode } from '../model/types.js';
import type { CompiledScenario } from '../model/scenario.js';
import type { DifferentialCase } from './check.js';

export const BOTH_MODES: readonly ProxyMode[] = ['iptables', 'nftables'];

/** The scenario's cases; id `FILE@step N` (0 = the initial state). */
export function* scenarioCases(scenario: CompiledScenario, modes: readonly ProxyMode[] = BOTH_MODES): Generator<DifferentialCase> {
  const states = [{ step: 0, state: scenario.initial }];
  for (const step of scenario.steps) {
    if (step.state !== states[states.length - 1].state) states.push({ step: step.index + 1, state: step.state });
  }
  for (const mode of modes) {
    for (const { step, state } of states) {
      for (const node of state.cluster.nodes) {
        yield { id: `${scenario.file}@step ${step}`, state, node: node.name, mode, features: [`scenario:${scenario.name}`] };
      }
    }
  }
}
