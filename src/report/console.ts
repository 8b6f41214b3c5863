/**
 * The console reporter: one line per scenario as it finishes, the details of every failure with
 * file:line, a redrawn status line on an interactive terminal, plain append-only text elsewhere,
 * and a closing line `N passed, N failed[, N skipped]` that CI log readers recognise.
 */
import { createColors } from 'picocolors';
import { displayPath } from '../runner/display-path.js';
import { githubError } from './github-annotation.js';
import type { RunResult, ScenarioResult, StepResult } from './result.js';
import { terminalText as t } from './terminal-text.js';

/** Where console output goes (process.stdout fits). */
export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Colour on or off, decided once: the --color/--no-color flag, then NO_COLOR (non-empty) off,
 * then FORCE_COLOR (0 or false off, anything else on), then a terminal that is not `dumb`.
 */
export function decideColor(flag: boolean | undefined, env: Record<string, string | undefined>, isTTY: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  return isTTY === true && env.TERM !== 'dumb';
}

/** A live status line only on an interactive terminal that is not a CI log. */
export function decideLive(env: Record<string, string | undefined>, isTTY: boolean | undefined): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return isTTY === true && !ci && env.TERM !== 'dumb';
}

/**
 * `2 passed, 1 failed, 1 errored, 1 skipped`: a backend fault (error) is counted as an error, not
 * as a failed expectation; errored and skipped appear only when any.
 */
export function summaryLine(totals: RunResult['totals']): string {
  let line = `${totals.passed} passed, ${totals.failed} failed`;
  if (totals.errors > 0) line += `, ${totals.errors} errored`;
  return totals.skipped > 0 ? `${line}, ${totals.skipped} skipped` : line;
}

function ms(durationMs: number): string {
  return durationMs >= 1000 ? `${(durationMs / 1000).toFixed(1)} s` : `${Math.round(durationMs)} ms`;
}

function where(step: StepResult, cwdRelative: (file: string) => string): string {
  return `${t(cwdRelative(step.loc.file), true)}:${step.loc.line}:${step.loc.col}`;
}

export interface ConsoleOptions {
  color: boolean;
  /** Redraw a status line (interactive terminal); otherwise only append whole lines. */
  live: boolean;
  cwd: string;
  /** Also print `::error file=…,line=…::` workflow commands (GITHUB_ACTIONS=true), shown inline in a PR. */
  github?: boolean;
}

export class ConsoleReporter {
  private readonly c;
  private status = '';
  private done = 0;
  private total = 0;

  constructor(
    private readonly out: ConsoleStream,
    private readonly options: ConsoleOptions,
  ) {
    this.c = createColors(options.color);
  }

  private rel = (file: string): string => displayPath(file, this.options.cwd);

  /** The status line for the current state, cut to the terminal width before colouring. */
  private statusLine(): string {
    if (this.status === '') return '';
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const counter = `[${this.done}/${this.total}]`;
    const room = width - counter.length - 1;
    const text = this.status.length > room ? this.status.slice(0, Math.max(0, room - 1)) + '…' : this.status;
    return `${this.c.dim(counter)} ${text}`;
  }

  /** Write whole lines, keeping the live status line below them. */
  private print(lines: string[]): void {
    const live = this.options.live && this.status !== '';
    this.out.write((live ? '\r\x1b[2K' : '') + lines.map((l) => l + '\n').join('') + (live ? this.statusLine() : ''));
  }

  begin(info: { backend: string; mode?: string; seed: number; scenarios: number; filtered?: number }): void {
    this.total = info.scenarios;
    const extra = info.filtered !== undefined && info.filtered > 0 ? ` (${info.filtered} not selected)` : '';
    const mode = info.mode !== undefined ? `, ${info.mode}` : '';
    this.print([this.c.bold(`svclab run: ${info.scenarios} scenario${info.scenarios === 1 ? '' : 's'} on ${info.backend}${mode}, seed ${info.seed}`) + extra]);
  }

  /** The live status line (terminal only): what is running now. */
  progress(text: string): void {
    if (!this.options.live) return;
    this.status = t(text, true);
    this.out.write('\r\x1b[2K' + this.statusLine());
  }

  scenario(result: ScenarioResult): void {
    this.done++;
    const lines = this.scenarioLines(result);
    if (this.options.github === true) lines.push(...this.githubLines(result));
    this.print(lines);
  }

  /** One `::error` per failed expectation or errored step, at its place in the scenario file. */
  githubLines(r: ScenarioResult): string[] {
    const out: string[] = [];
    const emit = (loc: StepResult['loc'], message: string): void => void out.push(githubError({ ...loc, file: this.rel(loc.file) }, r.name, message));
    for (const step of r.steps) {
      for (const a of step.assertions) if (!a.passed) emit(a.loc, a.message);
      if (step.status === 'error') emit(step.loc, step.reason ?? 'error');
    }
    if (r.error !== undefined && !r.steps.some((s) => s.status === 'error')) emit({ file: r.steps[0]?.loc.file ?? r.file, line: 1, col: 1 }, r.error);
    return out;
  }

  scenarioLines(r: ScenarioResult): string[] {
    const c = this.c;
    const head = {
      pass: c.green('✓'),
      fail: c.red('✗'),
      error: c.red('!'),
      skip: c.yellow('-'),
    }[r.status];
    const lines = [`${head} ${t(r.name, true)} ${c.dim(`(${t(r.file, true)}, ${ms(r.durationMs)})`)}${r.status === 'error' ? c.red(' error') : ''}`];
    const indent = '    ';
    if (r.error !== undefined) lines.push(`${indent}${c.red('error:')} ${t(r.error)}`);
    // A scenario that never ran says why once, not once per step.
    const reasons = new Set(r.steps.map((s) => s.reason));
    if (r.status === 'skip' && r.steps.length > 0 && r.steps.every((s) => s.status === 'skip') && reasons.size === 1) {
      lines.push(`${indent}${c.yellow('-')} skipped: ${t(r.steps[0].reason ?? 'not run')}`);
      return lines;
    }
    for (const step of r.steps) {
      const label = `step ${step.index + 1} "${t(step.title, true)}"`;
      if (step.status === 'fail') {
        lines.push(`${indent}${c.red('✗')} ${label} ${c.dim(`(${where(step, this.rel)})`)}`);
        for (const a of step.assertions.filter((x) => !x.passed)) lines.push(`${indent}  ${t(a.message)}`);
      } else if (step.status === 'error' && step.reason !== r.error) {
        lines.push(`${indent}${c.red('!')} ${label} ${c.dim(`(${where(step, this.rel)})`)}: ${t(step.reason ?? 'error')}`);
      } else if (step.status === 'skip' && r.status !== 'pass') {
        lines.push(`${indent}${c.yellow('-')} ${label} skipped: ${t(step.reason ?? 'not run')}`);
      }
    }
    return lines;
  }

  /** Closing lines; the very last is the summary line. */
  end(result: RunResult, notes: string[]): void {
    if (this.options.live) {
      this.status = '';
      this.out.write('\r\x1b[2K');
    }
    const line = summaryLine(result.totals);
    const failed = result.totals.failed + result.totals.errors > 0;
    const colored = failed ? this.c.red(line) : result.totals.passed > 0 ? this.c.green(line) : this.c.yellow(line);
    this.print([...notes.map((n) => t(n)), colored]);
  }
}
