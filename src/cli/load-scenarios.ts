/** Loading the scenario files a command was given, all of them before anything runs. */
import { ScenarioError } from '../errors.js';
import type { CompiledScenario } from '../model/scenario.js';

/**
 * Loads every file with `load`; the invalid ones are reported together, as one ScenarioError
 * (exit 3) holding each file's message, so one run shows every mistake at once.
 */
export async function loadAllScenarios(files: string[], load: (file: string) => Promise<CompiledScenario>): Promise<CompiledScenario[]> {
  const scenarios: CompiledScenario[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      scenarios.push(await load(file));
    } catch (err) {
      if (err instanceof ScenarioError) problems.push(err.message.replace(/\n+$/, ''));
      else throw err;
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems.join('\n\n'));
  return scenarios;
}
