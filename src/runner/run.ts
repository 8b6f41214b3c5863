/**
 * Run compiled scenarios on a backend and produce the RunResult every reporter reads. Scenarios
 * run in parallel up to the concurrency limit; each one's steps run in order.
 */
import { arch, platform } from 'node:process';
import type { Backend } from '../backends/backend.js';
import type { CompiledScenario, Step } from '../model/scenario.js';
import type { RunResult, ScenarioResult } from '../report/result.js';
import { version } from '../version.js';
import { messageOf } from './abort.js';
import { runEngine } from './engine.js';
import { ScenarioExecution } from './scenario.js';

/** What a console (or any live view) hears while the run goes. */
export interface RunListener {
  scenarioStart?(scenario: CompiledScenario): void;
  stepStart?(scenario: CompiledScenario, step: Step): void;
  scenarioEnd?(result: ScenarioResult): void;
  log?(scenario: CompiledScenario, message: string): void;
}

export interface RunOptions {
  backend: Backend;
  /** The run's seed; a scenario's own seed is used unless `seedFromCli`. */
  seed: number;
  seedFromCli: boolean;
  concurrency: number;
  /** Per scenario, ms; 0 means none. */
  timeoutMs: number;
  bail: boolean;
  /** Abort (with any reason) to interrupt: running steps stop, sessions close, results come back. */
  signal: AbortSignal;
  cwd: string;
  listener?: RunListener;
  /** The kube-proxy mode forced on every scenario (--mode), recorded in the result. */
  mode?: string;
}

export function totalsOf(scenarios: ScenarioResult[]): RunResult['totals'] {
  const count = (s: string): number => scenarios.filter((r) => r.status === s).length;
  return { passed: count('pass'), failed: count('fail'), skipped: count('skip'), errors: count('error') };
}

export async function runScenarios(scenarios: CompiledScenario[], options: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const listener = options.listener ?? {};
  let bailed = false;
  const executions = scenarios.map(
    (scenario) =>
      new ScenarioExecution(scenario, {
        backend: options.backend,
        seed: options.seedFromCli ? options.seed : (scenario.seed ?? options.seed),
        timeoutMs: options.timeoutMs,
        runSignal: options.signal,
        cwd: options.cwd,
        notStartedReason: () => (bailed ? 'not run: --bail stopped the run after a failure' : undefined),
        log: (message) => listener.log?.(scenario, message),
      }),
  );
  const results: (ScenarioResult | undefined)[] = scenarios.map(() => undefined);
  const engine = runEngine(
    executions.map((ex) => ({
      name: ex.scenario.name,
      setup: async () => {
        listener.scenarioStart?.(ex.scenario);
        await ex.setup();
      },
      teardown: () => ex.teardown(),
      tests: ex.scenario.steps.map((step, i) => ({
        name: step.title,
        run: (signal) => {
          listener.stepStart?.(ex.scenario, step);
          return ex.runStep(i, signal);
        },
      })),
    })),
    {
      concurrency: Math.max(1, Math.min(options.concurrency, options.backend.maxConcurrency)),
      root: options.cwd,
      hooks: {
        onSuiteEnd: (si, tests) => {
          const r = executions[si].result(tests);
          results[si] = r;
          if (options.bail && (r.status === 'fail' || r.status === 'error')) bailed = true;
          listener.scenarioEnd?.(r);
        },
      },
    },
  );
  const onAbort = (): void => engine.cancel();
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });
  let engineTests: Awaited<typeof engine.done>['tests'];
  try {
    engineTests = (await engine.done).tests;
  } catch (err) {
    throw new Error(`the task engine failed: ${messageOf(err)}`);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
  // Suites the engine skipped whole (after Ctrl-C) never reached onSuiteEnd: report them now.
  const scenarioResults = executions.map((ex, si) => {
    const done = results[si];
    if (done !== undefined) return done;
    const r = ex.result(engineTests[si] ?? []);
    listener.scenarioEnd?.(r);
    return r;
  });
  return {
    tool: { name: 'svclab', version },
    backend: options.backend.name,
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
    seed: options.seed,
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    node: process.version,
    platform: `${platform} ${arch}`,
    scenarios: scenarioResults,
    totals: totalsOf(scenarioResults),
  };
}
