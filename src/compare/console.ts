/**
 * The comparison matrix as a compact console table: one line per step with one column per backend
 * and the verdict, followed (indented) by the observations side by side where backends differ, the
 * state of each `diverges:` annotation, and the reason of every skip. Ends with a totals line.
 */
import { createColors } from 'picocolors';
import { githubError } from '../report/github-annotation.js';
import { displayPath } from '../runner/display-path.js';
import type { Cell, CompareResult, StepRow, Verdict } from './model.js';
import { KNOWN_DIVERGENCE_PREFIX } from './known.js';
import { migrationConsoleLines, movesText } from './migration.js';
import { terminalText as safe } from '../report/terminal-text.js';

export interface CompareConsoleOptions {
  color: boolean;
  cwd: string;
  /** Terminal width for truncating step titles (default 120). */
  columns?: number;
  /** Also print `::error file=…,line=…::` workflow commands (GITHUB_ACTIONS=true) for failing steps. */
  github?: boolean;
}

/** One `::error` line per step that makes the comparison fail, at the step (or the stale annotation). */
export function githubLines(result: CompareResult, cwd: string): string[] {
  const out: string[] = [];
  for (const s of result.scenarios) {
    for (const step of s.steps) {
      if (step.verdict === 'agree' || step.verdict === 'known') continue;
      const stale = step.divergences.find((d) => d.state === 'stale');
      const loc = stale?.loc ?? step.loc;
      const names = result.backends.map((b) => b.name);
      const message = [`step ${step.index + 1} (${step.title}): ${step.verdict}`, ...stepDetails(step, names, cwd)].join('\n');
      out.push(githubError({ ...loc, file: displayPath(loc.file, cwd) }, `svclab compare: ${s.name}`, message));
    }
  }
  return out;
}

const CELL_WIDTH = 7;
const VERDICT_TEXT: Record<Verdict, string> = { agree: 'same', known: 'known', disagree: 'DIFFERS', stale: 'STALE', error: 'ERROR' };
const CELL_TEXT: Record<Cell['status'], string> = { pass: 'pass', fail: 'FAIL', skip: 'skip', error: 'ERROR', unavailable: 'n/a' };

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(1, width - 1)) + '…';
}

export function renderCompareConsole(result: CompareResult, options: CompareConsoleOptions): string {
  const c = createColors(options.color);
  const names = result.backends.map((b) => b.name);
  const width = Math.max(8, ...names.map((n) => n.length + 1), CELL_WIDTH);
  const titleWidth = Math.max(30, Math.min(70, (options.columns ?? 120) - names.length * width - 12));
  const colourCell = (status: Cell['status'], text: string): string =>
    status === 'pass' ? c.green(text) : status === 'fail' || status === 'error' ? c.red(text) : c.yellow(text);
  const colourVerdict = (v: Verdict, text: string): string =>
    v === 'agree' ? c.dim(text) : v === 'known' ? c.cyan(text) : c.red(c.bold(text));
  const lines: string[] = [];

  const modes = result.modes !== undefined ? ` · modes ${movesText(result)}` : '';
  lines.push(c.bold(`svclab compare · ${result.modes !== undefined ? 'runs' : 'backends'} ${names.join(', ')}${modes} · seed ${result.seed}`));
  for (const b of result.backends) {
    if (b.state !== 'ran') lines.push(c.yellow(`  ${b.name}: ${b.state}: ${safe(b.reason ?? '')}`));
  }
  lines.push('');
  lines.push(c.dim(`${pad('', titleWidth + 5)}${names.map((n) => pad(n, width)).join('')}`));

  for (const s of result.scenarios) {
    lines.push(`${colourVerdict(s.verdict, s.verdict === 'agree' ? '✓' : s.verdict === 'known' ? '≈' : '✗')} ${c.bold(safe(s.name, true))} ${c.dim(safe(s.file, true))}`);
    for (const [backend, error] of Object.entries(s.errors)) lines.push(c.red(`    ${backend}: ${safe(error)}`));
    for (const step of s.steps) {
      const label = pad(truncate(`${step.index + 1} ${safe(step.title, true)}`, titleWidth), titleWidth);
      const cells = names.map((n) => {
        const cell = step.cells[n];
        return colourCell(cell.status, pad(CELL_TEXT[cell.status], width));
      });
      lines.push(`    ${label} ${cells.join('')}${isAlone(step) ? c.yellow('not compared') : colourVerdict(step.verdict, verdictText(step))}`);
      lines.push(...stepDetails(step, names, options.cwd).map((l) => c.dim(`        ${safe(l)}`)));
    }
  }

  lines.push(...migrationConsoleLines(result, { bad: (t) => c.red(c.bold(t)), dim: c.dim, bold: c.bold }));
  lines.push('');
  if (options.github === true) lines.push(...githubLines(result, options.cwd));
  const t = result.totals;
  const parts = [`${t.agree} same`, `${t.known} known`, `${t.disagree} differ`, `${t.stale} stale`, `${t.error} errors`];
  const steps = Object.values(t).reduce((a, b) => a + b, 0);
  const failure = result.modes !== undefined ? ' · differences outside the stated divergences and per-mode expectations' : ' · backends disagree outside the stated divergences';
  lines.push(
    `${steps} steps on ${names.length} ${result.modes !== undefined ? 'backend and mode runs' : 'backends'}: ${parts.join(', ')} · ${(result.durationMs / 1000).toFixed(1)} s` +
      (result.exitCode === 0 ? '' : c.red(failure)),
  );
  return lines.join('\n') + '\n';
}

/** A send step only one run observed, and no mode comparison either: nothing was compared. */
export function isAlone(step: StepRow): boolean {
  return step.verdict === 'agree' && step.kind === 'send' && step.compared < 2 && (step.modes === undefined || step.modes.compared.length === 0);
}

/** The verdict word; a change between modes the step states reads as "changes". */
export function verdictText(step: StepRow): string {
  if (step.verdict === 'known' && step.modes?.state === 'stated' && step.differences.every((d) => d.known)) return 'changes';
  return VERDICT_TEXT[step.verdict];
}

/** The indented lines under a step: differences side by side, annotation states, skip reasons. */
export function stepDetails(step: StepRow, names: string[], cwd: string): string[] {
  const out: string[] = [];
  if (step.modes !== undefined && step.modes.state !== 'same' && step.modes.state !== 'unchecked') {
    for (const ch of step.modes.changes) for (const x of ch.differences) out.push(`${ch.to} mode on ${ch.backend}, ${x.aspect}: ${x.detail}`);
    out.push(`modes: ${step.modes.state}: ${step.modes.note}`);
  }
  for (const d of step.differences) {
    for (const x of d.differences) out.push(`${d.known ? 'known' : 'differs'}: ${d.backend} vs ${d.against}, ${x.aspect}: ${x.detail}`);
  }
  for (const d of step.divergences) {
    if (d.state === 'stale') out.push(`stale annotation (${displayPath(d.loc.file, cwd)}:${d.loc.line}): ${d.note}`);
    else if (d.state === 'unchecked') out.push(`annotation for ${d.backend} not checked: ${d.note}`);
    else out.push(`known on ${d.backend}: ${d.does} (${d.why})`);
  }
  for (const n of names) {
    const cell = step.cells[n];
    if ((cell.status === 'skip' || cell.status === 'error') && cell.reason !== undefined && !cell.reason.startsWith(KNOWN_DIVERGENCE_PREFIX)) {
      out.push(`${cell.status} on ${n}: ${cell.reason}`);
    }
  }
  return out;
}
