/**
 * Can the netns lab build a scenario's cluster? Plans every state the scenario passes through
 * (no kernel needed) and turns the first refusal into a message located at the scenario's
 * `cluster:` section. `svclab validate --backend netns` and `svclab run` both ask it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CompiledScenario } from '../../model/scenario.js';
import { SvclabError } from '../../errors.js';
import { planFabric, planPods } from './topology.js';

/** Line of the top-level `cluster:` key (1 when it cannot be found). */
function clusterLine(file: string): number {
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    const i = lines.findIndex((l) => /^cluster\s*:/.test(l));
    return i >= 0 ? i + 1 : 1;
  } catch {
    return 1;
  }
}

export function netnsLayoutProblem(scenario: CompiledScenario): string | undefined {
  const states = [scenario.initial, ...scenario.steps.map((s) => s.state)];
  for (const state of states) {
    try {
      planFabric(state);
      planPods(state);
    } catch (err) {
      if (!(err instanceof SvclabError)) throw err;
      const shown = path.relative(process.cwd(), scenario.file) || scenario.file;
      return `${shown}:${clusterLine(scenario.file)}:1: ${err.message.replace(/^netns backend: /, 'the netns backend cannot build this cluster: ')}`;
    }
  }
  return undefined;
}
