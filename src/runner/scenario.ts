/**
 * Runs one scenario on one backend session: start, then each step in order, then close (always).
 * Keeps the StepResult of every step it ran; the task engine only sequences the calls.
 */
import { checkExpectation, expectedShares } from '../assertions/index.js';
import type { AssertionContext } from '../assertions/index.js';
import type { Backend, BackendSession } from '../backends/backend.js';
import type { ChangeStep, CompiledScenario, SendStep, Step } from '../model/scenario.js';
import type { ScenarioResult, Status, StepResult } from '../report/result.js';
import { displayPath } from './display-path.js';
import { Interrupted, messageOf, ScenarioTimeout, untilAborted } from './abort.js';
import type { EngineTaskResult } from './engine.js';
import { summarizeTraffic } from './summary.js';
import { RulesRecorder } from './rules-snapshots.js';
import { divergenceFor, knownDivergenceReason } from '../compare/known.js';
import { expectationsFor, modeOf } from '../model/proxy-mode.js';

export interface ScenarioRunOptions {
  backend: Backend;
  seed: number;
  /** Whole-scenario limit in ms; 0 means none. */
  timeoutMs: number;
  /** Aborted with Interrupted on Ctrl-C. */
  runSignal: AbortSignal;
  cwd: string;
  /** Set when the scenario must not start (e.g. --bail after a failure). */
  notStartedReason: () => string | undefined;
  log: (message: string) => void;
}

/** Thrown by a step test so the engine records a failure; the details live in the StepResult. */
export class StepFailed extends Error {}

export class ScenarioExecution {
  readonly steps: (StepResult | undefined)[];
  error: string | undefined;
  /** Why the remaining steps cannot run (an unsupported change left the world behind). */
  private drift: string | undefined;
  private skipAll: string | undefined;
  private session: BackendSession | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly timeout = new AbortController();
  /** Each node's rules after the first sync and after every change (backends that can read them). */
  private readonly rules = new RulesRecorder();
  private readonly signal: AbortSignal;
  private startedAt = 0;
  private endedAt = 0;

  constructor(
    readonly scenario: CompiledScenario,
    private readonly options: ScenarioRunOptions,
  ) {
    this.steps = scenario.steps.map(() => undefined);
    this.signal = AbortSignal.any([options.runSignal, this.timeout.signal]);
  }

  /** Start the backend session. Records and rethrows a start failure. */
  async setup(): Promise<void> {
    this.startedAt = performance.now();
    this.skipAll = this.options.runSignal.aborted ? 'run interrupted' : this.options.notStartedReason();
    if (this.skipAll !== undefined) return;
    if (this.options.timeoutMs > 0) {
      this.timer = setTimeout(() => this.timeout.abort(new ScenarioTimeout(this.options.timeoutMs)), this.options.timeoutMs);
    }
    const signal = this.signal;
    const { backend, seed, log } = this.options;
    const starting = backend.start(this.scenario, { seed, signal, log });
    try {
      this.session = await untilAborted(starting, signal);
    } catch (err) {
      // Stopped waiting (timeout, Ctrl-C) while the backend was still starting: close whatever it started.
      starting.then((late) => late.close().catch(() => undefined), () => undefined);
      if (this.options.runSignal.aborted) {
        this.skipAll = 'run interrupted';
        return;
      }
      this.error = `backend ${backend.name} failed to start: ${messageOf(err)}`;
      throw new StepFailed(this.error);
    }
    await this.recordRules(undefined);
  }

  /** Snapshot every node's rules for the report; interrupted or failed reads only leave a gap. */
  private async recordRules(afterStep: number | undefined): Promise<void> {
    if (this.session === undefined || this.signal.aborted) return;
    try {
      await untilAborted(this.rules.record(this.session, afterStep), this.signal);
    } catch (err) {
      // Ctrl-C or the timeout: the next step sees it. Anything else is a backend problem the steps will meet.
      if (!this.signal.aborted) this.options.log(`could not read the nodes' rules: ${messageOf(err)}`);
    }
  }

  /** Run step `index`; resolves with a skip reason, or throws StepFailed when it did not pass. */
  async runStep(index: number, engineSignal: AbortSignal): Promise<{ skip?: string }> {
    const step = this.scenario.steps[index];
    const started = performance.now();
    const record = (status: Status, extra: Partial<StepResult> = {}): StepResult => {
      const r: StepResult = {
        index: step.index,
        kind: step.kind,
        title: step.title,
        loc: step.loc,
        status,
        durationMs: performance.now() - started,
        assertions: [],
        ...extra,
      };
      this.steps[index] = r;
      return r;
    };
    const notRun = this.skipAll ?? (this.error !== undefined ? 'not run: the scenario stopped on an error' : undefined) ?? this.drift;
    if (notRun !== undefined) return { skip: record('skip', { reason: notRun }).reason };
    if (this.session === undefined) throw new Error('step run without a session');
    const signal = AbortSignal.any([this.signal, engineSignal]);
    try {
      const r = step.kind === 'change' ? await this.change(step, this.session, signal, record) : await this.send(step, this.session, signal, record);
      if (r.status === 'skip') return { skip: r.reason };
      if (r.status === 'fail') throw new StepFailed(r.assertions.filter((a) => !a.passed).map((a) => a.message).join('\n'));
      return {};
    } catch (err) {
      if (err instanceof StepFailed) throw err;
      if (this.options.runSignal.aborted || err instanceof Interrupted) {
        this.skipAll = 'run interrupted';
        return { skip: record('skip', { reason: 'interrupted while running' }).reason };
      }
      const reason = this.timeout.signal.aborted ? messageOf(this.timeout.signal.reason) : `backend ${this.options.backend.name}: ${messageOf(err)}`;
      this.error = reason;
      record('error', { reason });
      throw new StepFailed(reason);
    }
  }

  private async change(step: ChangeStep, session: BackendSession, signal: AbortSignal, record: (s: Status, e?: Partial<StepResult>) => StepResult): Promise<StepResult> {
    const applied = await untilAborted(session.apply(step), signal);
    if ('unsupported' in applied) {
      // Later steps assume this change happened; running them would test the wrong world.
      this.drift = `not run: step ${step.index + 1} (${step.title}) is unsupported on ${this.options.backend.name}`;
      return record('skip', { reason: `unsupported on ${this.options.backend.name}: ${applied.unsupported}` });
    }
    const passed = record('pass');
    await this.recordRules(step.index);
    return passed;
  }

  private async send(step: SendStep, session: BackendSession, signal: AbortSignal, recordBase: (s: Status, e?: Partial<StepResult>) => StepResult): Promise<StepResult> {
    const sent = await untilAborted(session.send(step), signal);
    if ('unsupported' in sent) return recordBase('skip', { reason: `unsupported on ${this.options.backend.name}: ${sent.unsupported}` });
    const context: AssertionContext = { traffic: step.traffic, state: step.state, backend: this.options.backend.name, cwd: this.options.cwd };
    if (sent.exact !== undefined) context.exact = sent.exact;
    // The mode that actually runs picks the expectations: the step's `modes.<mode>` block, else `expect`.
    const { expect, override } = expectationsFor(step, step.state.cluster.kubeProxy.mode);
    const assertions = expect.map((e) => checkExpectation(e, sent.observations, context));
    const distribution = expect.find((e) => e.kind === 'distribution');
    const shares = distribution?.kind === 'distribution' ? expectedShares(distribution, sent.observations, context) : undefined;
    const traffic = summarizeTraffic(step.traffic, sent.observations, sent.exact, shares);
    const chosen: Partial<StepResult> = {};
    if (override !== undefined) chosen.modeExpectation = { mode: override.mode, why: override.why, ...(override.link !== undefined ? { link: override.link } : {}) };
    const record = (status: Status, extra: Partial<StepResult> = {}): StepResult => recordBase(status, { ...chosen, ...extra });
    if (!assertions.every((a) => a.passed)) {
      // A failure the scenario states as a known divergence of this backend: skipped with that reason, keeping what was seen.
      const known = divergenceFor(step, this.options.backend.name);
      if (known !== undefined) return record('skip', { traffic, assertions, reason: knownDivergenceReason(known) });
      return record('fail', { traffic, assertions });
    }
    const skipped = assertions.find((a) => a.skipped !== undefined);
    if (skipped !== undefined) return record('skip', { traffic, assertions, reason: `${this.options.backend.name}: ${skipped.skipped}` });
    return record('pass', { traffic, assertions });
  }

  /** Close the session (safe when none started); a failing close is recorded as an error. */
  async teardown(): Promise<void> {
    clearTimeout(this.timer);
    const session = this.session;
    this.session = undefined;
    try {
      await session?.close();
    } catch (err) {
      this.error ??= `backend ${this.options.backend.name} failed to clean up: ${messageOf(err)}`;
    }
    this.endedAt = performance.now();
  }

  /** The scenario's result, filling steps the engine never let run from what the engine says. */
  result(engine: EngineTaskResult[]): ScenarioResult {
    const notRun =
      this.skipAll ??
      (this.error !== undefined ? 'not run: the scenario stopped on an error' : undefined) ??
      (this.options.runSignal.aborted ? 'run interrupted' : undefined);
    const steps = this.scenario.steps.map((step, i) => this.steps[i] ?? fromEngine(step, engine[i], notRun));
    const s = this.scenario;
    const r: ScenarioResult = {
      name: s.name,
      file: displayPath(s.file, this.options.cwd),
      tags: s.tags,
      status: scenarioStatus(this.error, steps),
      seed: this.options.seed,
      mode: modeOf(s),
      durationMs: Math.max(0, this.endedAt - this.startedAt),
      steps,
    };
    if (s.description !== undefined) r.description = s.description;
    if (s.source !== undefined) r.source = s.source;
    if (this.error !== undefined) r.error = this.error;
    if (this.rules.snapshots.length > 0) r.rules = this.rules.snapshots;
    if (this.rules.omitted > 0) r.rulesOmitted = this.rules.omitted;
    return r;
  }

  /** Why no step ran, if none did. */
  get skipReason(): string | undefined {
    return this.skipAll;
  }
}

function fromEngine(step: Step, engine: EngineTaskResult | undefined, notRun: string | undefined): StepResult {
  const base = { index: step.index, kind: step.kind, title: step.title, loc: step.loc, durationMs: engine?.durationMs ?? 0, assertions: [] };
  if (engine?.state === 'fail') return { ...base, status: 'error', reason: engine.errors.join('\n') || 'failed in the task engine' };
  return { ...base, status: 'skip', reason: notRun ?? engine?.note ?? 'not run' };
}

/**
 * error beats fail beats skip beats pass: a scenario passes only when every step passed, so a
 * skipped step (unsupported on this backend) is never reported as a pass.
 */
export function scenarioStatus(error: string | undefined, steps: StepResult[]): Status {
  if (error !== undefined || steps.some((s) => s.status === 'error')) return 'error';
  if (steps.some((s) => s.status === 'fail')) return 'fail';
  if (steps.length === 0 || steps.some((s) => s.status === 'skip')) return 'skip';
  return 'pass';
}
