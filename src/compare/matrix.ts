/**
 * Builds the comparison matrix from each backend's RunResult and the compiled scenarios (which
 * carry the `diverges:` annotations). Per send step:
 * 1. backends that observed traffic are comparable; the un-annotated ones are grouped by agreement,
 *    and the largest group (first listed on a tie) is the reference;
 * 2. an un-annotated backend outside the reference is an unexplained disagreement;
 * 3. an annotated backend that differs from the reference is known; one that agrees is stale.
 * Columns are backend runs; with several kube-proxy modes (`--modes`) this is done within each
 * mode, and `modes.ts` then compares each backend with itself across the modes.
 */
import path from 'node:path';
import type { CompiledScenario, Step } from '../model/scenario.js';
import type { RunResult, ScenarioResult, StepResult } from '../report/result.js';
import { scenarioId } from '../report/html/scenario.js';
import { version } from '../version.js';
import type { BackendColumn, Cell, CompareResult, DivergenceCheck, ScenarioRow, StepRow, Verdict } from './model.js';
import { FAILING_VERDICTS } from './model.js';
import { compareObserved, observedOf } from './observations.js';
import type { Observed } from './observations.js';
import { MODE_VERDICT, checkModes, modeTotals } from './modes.js';

/** Which backend and mode a column is (`name` is the column key; `backend` defaults to it). */
export interface ColumnKey {
  name: string;
  backend?: string;
  mode?: string;
}

/** What running the scenarios on one backend (in one mode) gave. */
export type BackendRun =
  | (ColumnKey & { state: 'ran'; result: RunResult; report?: string })
  | (ColumnKey & { state: 'unavailable' | 'failed'; reason: string });

export interface MatrixInput {
  scenarios: CompiledScenario[];
  runs: BackendRun[];
  seed: number;
  startedAt: string;
  durationMs: number;
  /** Directory the runs' `file` paths are relative to. */
  cwd: string;
  alpha?: number;
  /** The modes compared, first the one users run today (`--modes`); absent for backends only. */
  modes?: string[];
}

const VERDICT_ORDER: Verdict[] = ['error', 'disagree', 'stale', 'known', 'agree'];

/** The worst of several verdicts (error > disagree > stale > known > agree). */
export function worstVerdict(verdicts: Verdict[]): Verdict {
  for (const v of VERDICT_ORDER) if (verdicts.includes(v)) return v;
  return 'agree';
}

export function buildMatrix(input: MatrixInput): CompareResult {
  const backends = input.runs.map(columnOf);
  const byFile = input.runs.map((run) => (run.state === 'ran' ? indexByFile(run.result, input.cwd) : undefined));
  const scenarios: ScenarioRow[] = input.scenarios.map((scenario) => {
    const results = input.runs.map((_, i) => byFile[i]?.get(path.resolve(scenario.file)));
    const errors: Record<string, string> = {};
    const links: Record<string, string> = {};
    input.runs.forEach((run, i) => {
      const r = results[i];
      if (r?.error !== undefined) errors[run.name] = r.error;
      if (r !== undefined && run.state === 'ran' && run.report !== undefined) {
        links[run.name] = `${run.report}#${scenarioId(r, run.result.scenarios.indexOf(r))}`;
      }
    });
    const steps = scenario.steps.map((step) =>
      stepRow(
        step,
        input.runs.map((run, i) => cellOf(run, results[i], step)),
        input.runs.map((r) => r.name),
        input.alpha,
        input.runs,
        input.modes,
      ),
    );
    return {
      name: scenario.name,
      file: toPosix(path.relative(input.cwd, scenario.file)),
      steps,
      verdict: worstVerdict(steps.map((s) => s.verdict)),
      errors,
      links,
    };
  });
  const totals: Record<Verdict, number> = { agree: 0, known: 0, disagree: 0, stale: 0, error: 0 };
  for (const s of scenarios) for (const step of s.steps) totals[step.verdict]++;
  const failing = FAILING_VERDICTS.some((v) => totals[v] > 0) || input.runs.some((r) => r.state === 'failed');
  const result: CompareResult = {
    tool: { name: 'svclab', version },
    seed: input.seed,
    startedAt: input.startedAt,
    durationMs: input.durationMs,
    backends,
    scenarios,
    totals,
    exitCode: failing ? 1 : 0,
  };
  if (input.modes !== undefined && input.modes.length > 1) {
    result.modes = [...input.modes];
    result.modeTotals = modeTotals(scenarios);
  }
  return result;
}

function columnOf(run: BackendRun): BackendColumn {
  const key: Pick<BackendColumn, 'name' | 'backend' | 'mode'> = { name: run.name };
  if (run.backend !== undefined) key.backend = run.backend;
  if (run.mode !== undefined) key.mode = run.mode;
  if (run.state !== 'ran') return { ...key, state: run.state, reason: run.reason };
  const c: BackendColumn = { ...key, state: 'ran', totals: run.result.totals, durationMs: run.result.durationMs };
  if (run.report !== undefined) c.report = run.report;
  return c;
}

function indexByFile(result: RunResult, cwd: string): Map<string, ScenarioResult> {
  return new Map(result.scenarios.map((s) => [path.resolve(cwd, s.file), s]));
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function cellOf(run: BackendRun, scenario: ScenarioResult | undefined, step: Step): Cell {
  if (run.state === 'unavailable') return { status: 'unavailable', reason: run.reason };
  if (run.state === 'failed') return { status: 'error', reason: run.reason };
  const r: StepResult | undefined = scenario?.steps[step.index];
  if (r === undefined) return { status: 'error', reason: `${run.name} returned no result for this step` };
  const cell: Cell = { status: r.status };
  if (r.reason !== undefined) cell.reason = r.reason;
  if (r.traffic !== undefined) cell.observed = observedOf(r.traffic, r.assertions.every((a) => a.passed));
  return cell;
}

/**
 * Judge one step across columns (`cells` in the order of `names`). With `columns` naming backend
 * and mode, backends are compared within each mode, and with several `modes` each backend is
 * then compared with itself across them.
 */
export function stepRow(step: Step, cells: Cell[], names: string[], alpha?: number, columns?: ColumnKey[], modes?: string[]): StepRow {
  const keys = names.map((name, i) => ({ name, backend: columns?.[i]?.backend ?? name, mode: columns?.[i]?.mode }));
  const groups = [...new Set(keys.map((k) => k.mode))];
  const rows = groups.map((mode) => {
    const idx = keys.map((k, i) => (k.mode === mode ? i : -1)).filter((i) => i >= 0);
    return backendRow(step, idx.map((i) => cells[i]), idx.map((i) => keys[i]), alpha);
  });
  const row: StepRow = { ...rows[0], cells: Object.fromEntries(names.map((n, i) => [n, cells[i]])) };
  for (const r of rows.slice(1)) {
    row.compared = Math.max(row.compared, r.compared);
    row.reference.push(...r.reference);
    row.differences.push(...r.differences);
    row.divergences.push(...r.divergences);
  }
  const verdicts = rows.map((r) => r.verdict);
  if (modes !== undefined && modes.length > 1 && step.kind === 'send') {
    row.modes = checkModes(step, keys, cells, modes, alpha);
    verdicts.push(MODE_VERDICT[row.modes.state]);
  }
  row.verdict = worstVerdict(verdicts);
  return row;
}

/** Judge one step across the backends of one mode (or of a comparison without modes). */
function backendRow(step: Step, cells: Cell[], keys: { name: string; backend: string }[], alpha?: number): StepRow {
  const names = keys.map((k) => k.name);
  const backendOf = new Map(keys.map((k) => [k.name, k.backend]));
  const row: StepRow = {
    index: step.index,
    kind: step.kind,
    title: step.title,
    loc: step.loc,
    cells: Object.fromEntries(names.map((n, i) => [n, cells[i]])),
    verdict: 'agree',
    compared: 0,
    reference: [],
    differences: [],
    divergences: [],
  };
  const annotations = step.kind === 'send' ? (step.diverges ?? []) : [];
  const annotated = new Map(annotations.map((d) => [d.backend as string, d]));
  const isAnnotated = (name: string): boolean => annotated.has(backendOf.get(name) ?? name);
  const observed = names.map((name, i) => ({ name, observed: cells[i].observed })).filter((o): o is { name: string; observed: Observed } => o.observed !== undefined);
  row.compared = observed.length;
  const sticky = step.kind === 'send' && step.expect.some((e) => e.kind === 'sticky');
  const diff = (a: { name: string; observed: Observed }, b: { name: string; observed: Observed }) =>
    compareObserved(a.name, a.observed, b.name, b.observed, alpha === undefined ? { sticky } : { sticky, alpha });

  // Group the un-annotated backends: each joins the first group whose first member it agrees with.
  const groups: { name: string; observed: Observed }[][] = [];
  for (const o of observed.filter((o) => !isAnnotated(o.name))) {
    const g = groups.find((members) => diff(members[0], o).length === 0);
    if (g) g.push(o);
    else groups.push([o]);
  }
  const reference = groups.reduce<{ name: string; observed: Observed }[] | undefined>((best, g) => (best === undefined || g.length > best.length ? g : best), undefined);
  row.reference = reference?.map((o) => o.name) ?? [];
  const verdicts: Verdict[] = [];
  if (reference !== undefined) {
    for (const g of groups) {
      if (g === reference) continue;
      for (const o of g) row.differences.push({ backend: o.name, against: reference[0].name, differences: diff(reference[0], o), known: false });
      verdicts.push('disagree');
    }
  }
  for (const d of annotations) {
    const check: DivergenceCheck = { ...d, state: 'unchecked', note: '' };
    const i = keys.findIndex((k) => k.backend === d.backend);
    const column = i < 0 ? d.backend : names[i];
    const mine = observed.find((o) => o.name === column);
    if (i < 0) check.note = `${d.backend} was not compared (not in --backends)`;
    else if (mine === undefined) check.note = `${column} observed nothing: ${cells[i].status}${cells[i].reason ? ` (${cells[i].reason})` : ''}`;
    else if (reference === undefined) check.note = `no backend without an annotation ran this step to compare ${column} with`;
    else {
      const differences = diff(reference[0], mine);
      if (differences.length > 0) {
        check.state = 'known';
        check.note = `${column} differs from ${reference[0].name} as stated`;
        row.differences.push({ backend: column, against: reference[0].name, differences, known: true });
        verdicts.push('known');
      } else {
        check.state = 'stale';
        check.note = `${column} now agrees with ${row.reference.join(', ')}: remove this annotation`;
        verdicts.push('stale');
      }
    }
    row.divergences.push(check);
  }
  if (cells.some((c) => c.status === 'error')) verdicts.push('error');
  row.verdict = worstVerdict(verdicts);
  return row;
}
