/**
 * The fuzzer's oracle for one case, in-process: validate the file as `svclab validate` does, and
 * when it validates, run it on the simulator (request counts capped) and render every report.
 * Acceptable: valid (exit 0/1) or refused with a located message that says what was expected
 * (exit 3). Everything else is a finding: a crash (exit 70), a step the simulator refuses, an
 * exit-3 message without file:line:col or "expected".
 */
import { writeFile } from 'node:fs/promises';
import { createBackend } from '../backends/sim/index.js';
import { loadScenarioFile } from '../dsl/load.js';
import { ScenarioError } from '../errors.js';
import type { CompiledScenario } from '../model/scenario.js';
import { renderHtml } from '../report/html/render.js';
import { render as renderJson } from '../report/json.js';
import { render as renderJunit } from '../report/junit.js';
import type { RunResult } from '../report/result.js';
import { totalsOf } from '../runner/run.js';
import { ScenarioExecution, StepFailed } from '../runner/scenario.js';

/** Requests per send step in the fuzzer's simulator run: enough to exercise every assertion. */
export const FUZZ_MAX_REQUESTS = 50;

export type CaseVerdict =
  | { kind: 'valid'; status: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'finding'; what: 'crash' | 'unlocated-message' | 'backend-refused'; detail: string };

function stackOf(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** Every diagnostic of an exit-3 message names file:line:col and carries an "expected" note. */
export function messageProblem(message: string): string | undefined {
  const blocks = message.split(/\n\n(?=error: )/);
  for (const block of blocks) {
    if (!/-->\s.*:\d+:\d+$/m.test(block)) return `no file:line:col in:\n${block}`;
    if (!/^\s*= expected/m.test(block)) return `no "expected" note in:\n${block}`;
  }
  return undefined;
}

function capped(scenario: CompiledScenario): CompiledScenario {
  return {
    ...scenario,
    steps: scenario.steps.map((s) => (s.kind === 'send' ? { ...s, traffic: { ...s.traffic, count: Math.min(s.traffic.count, FUZZ_MAX_REQUESTS) } } : s)),
  };
}

async function simRun(scenario: CompiledScenario, signal: AbortSignal): Promise<CaseVerdict> {
  const ex = new ScenarioExecution(capped(scenario), {
    backend: createBackend(),
    seed: scenario.seed ?? 1,
    timeoutMs: 0,
    runSignal: signal,
    cwd: process.cwd(),
    notStartedReason: () => undefined,
    log: () => undefined,
  });
  const step = async (run: () => Promise<unknown>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      if (!(err instanceof StepFailed)) throw err;
    }
  };
  await step(() => ex.setup());
  for (let i = 0; i < scenario.steps.length; i++) await step(() => ex.runStep(i, signal));
  await ex.teardown();
  const result = ex.result([]);
  const errored = result.steps.find((s) => s.status === 'error');
  if (result.error !== undefined || errored !== undefined) {
    return { kind: 'finding', what: 'backend-refused', detail: `validate accepted it, the simulator did not: ${result.error ?? errored?.reason}` };
  }
  const run: RunResult = {
    tool: { name: 'svclab', version: 'fuzz' },
    backend: 'sim',
    seed: 1,
    startedAt: new Date(0).toISOString(),
    durationMs: 0,
    node: process.version,
    platform: 'fuzz',
    scenarios: [result],
    totals: totalsOf([result]),
  };
  renderJson(run);
  renderJunit(run);
  renderHtml(run);
  return { kind: 'valid', status: result.status };
}

/** Judges one case: `text` is written to `file` (a path the fuzzer owns) and loaded from there. */
export async function checkCase(file: string, text: string, signal: AbortSignal = new AbortController().signal): Promise<CaseVerdict> {
  await writeFile(file, text);
  let scenario: CompiledScenario;
  try {
    scenario = await loadScenarioFile(file);
  } catch (err) {
    if (!(err instanceof ScenarioError)) return { kind: 'finding', what: 'crash', detail: `validate: ${stackOf(err)}` };
    const problem = messageProblem(err.message);
    return problem === undefined ? { kind: 'invalid', message: err.message } : { kind: 'finding', what: 'unlocated-message', detail: problem };
  }
  try {
    return await simRun(scenario, signal);
  } catch (err) {
    return { kind: 'finding', what: 'crash', detail: `run on sim: ${stackOf(err)}` };
  }
}
