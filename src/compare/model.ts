/**
 * The comparison matrix: scenario × step × column, a column being one backend run in one kube-proxy
 * mode, plus a verdict per step saying whether the backends agree (within each mode) and, with
 * several modes, whether every change between the modes is one the step states (`modes:`).
 * Plain JSON data, written as `compare.json` and read by the console and HTML views.
 */
import type { Divergence } from '../model/scenario.js';
import type { SourceLocation } from '../model/types.js';
import type { RunResult, Status } from '../report/result.js';
import type { Difference, Observed } from './observations.js';

/** A step's status on one backend; `unavailable` when the backend could not run here at all. */
export type CellStatus = Status | 'unavailable';

/** One backend's result for one step. */
export interface Cell {
  status: CellStatus;
  /** Why it was skipped, the error, or why the backend is unavailable. */
  reason?: string;
  /** What the backend observed (send steps that ran). */
  observed?: Observed;
}

/**
 * - agree: every backend that ran the step saw the same (or only one ran it: see `compared`)
 * - known: some backends differ, and each such difference is stated in `diverges:`
 * - disagree: a backend differs and no annotation states it
 * - stale: an annotation states a difference that is gone (the backend agrees now)
 * - error: a backend errored on the step, so agreement cannot be judged
 */
export type Verdict = 'agree' | 'known' | 'disagree' | 'stale' | 'error';

/** Verdicts that make `svclab compare` exit 1. */
export const FAILING_VERDICTS: readonly Verdict[] = ['disagree', 'stale', 'error'];

/** A backend outside the reference group, and what it differs in. */
export interface BackendDifference {
  backend: string;
  /** The reference backend it was compared with. */
  against: string;
  differences: Difference[];
  /** Stated by an annotation on the step. */
  known: boolean;
}

/** What became of one `diverges:` entry in this comparison. */
export interface DivergenceCheck extends Divergence {
  /** known: the backend differs as stated; stale: it agrees now (fails); unchecked: nothing to compare. */
  state: 'known' | 'stale' | 'unchecked';
  note: string;
}

export interface StepRow {
  index: number;
  kind: 'send' | 'change';
  title: string;
  loc: SourceLocation;
  /** Backend name -> its cell, for every backend column. */
  cells: Record<string, Cell>;
  verdict: Verdict;
  /** How many backends' observations were compared (under 2: nothing to disagree with). */
  compared: number;
  /** Backends that agree with each other and serve as the reference for the rest. */
  reference: string[];
  differences: BackendDifference[];
  divergences: DivergenceCheck[];
  /** With several modes (`--modes`): what changes between them on this step. */
  modes?: ModeCheck;
}

/** One backend's observations on a step that differ between two modes. */
export interface ModeChange {
  backend: string;
  /** The first mode of --modes (what the user runs today) and the one compared with it. */
  from: string;
  to: string;
  /** Outcome counts, pods, sources seen: each aspect that changed, both sides in words. */
  differences: Difference[];
}

/**
 * How a step's behaviour across modes compares with what it states:
 * - same: every backend that ran the step in both modes saw the same, and the step states no `modes:`
 * - stated: it changes, the step states per-mode expectations, and they held in every mode
 * - unstated: it changes and the step states nothing (or its stated expectations failed in a mode)
 * - stale: the step states per-mode expectations but no backend sees a change any more
 * - unchecked: no backend observed the step in two modes (skipped there), nothing to judge
 */
export interface ModeCheck {
  state: 'same' | 'stated' | 'unstated' | 'stale' | 'unchecked';
  /** Backends whose observations were compared across modes. */
  compared: string[];
  changes: ModeChange[];
  /** The step's `modes:` blocks. */
  stated: { mode: string; why: string; link?: string }[];
  note: string;
}

export interface ScenarioRow {
  name: string;
  file: string;
  steps: StepRow[];
  verdict: Verdict;
  /** Scenario-level errors per backend (session failed to start, cleanup failed). */
  errors: Record<string, string>;
  /** Backend -> this scenario in that backend's own report (relative to the compare output folder). */
  links: Record<string, string>;
}

/** One column of the matrix: a backend, in one kube-proxy mode when the comparison spans modes. */
export interface BackendColumn {
  /** The column's key in every step's `cells`: the backend, or `backend/mode` with several modes. */
  name: string;
  backend?: string;
  /** kube-proxy mode forced on this run (--mode/--modes); absent when each file's own mode ran. */
  mode?: string;
  state: 'ran' | 'unavailable' | 'failed';
  /** Why it is unavailable or failed. */
  reason?: string;
  /** Its own full report, relative to the compare output folder. */
  report?: string;
  totals?: RunResult['totals'];
  durationMs?: number;
}

export interface CompareResult {
  tool: { name: 'svclab'; version: string };
  seed: number;
  startedAt: string;
  durationMs: number;
  /** The modes compared (`--modes`), first the one the user runs today; absent for a backend-only comparison. */
  modes?: string[];
  backends: BackendColumn[];
  scenarios: ScenarioRow[];
  /** Number of steps per verdict. */
  totals: Record<Verdict, number>;
  /** With several modes: number of steps per mode-check state. */
  modeTotals?: Record<ModeCheck['state'], number>;
  /** 1 when any step disagrees outside the stated divergences or per-mode expectations, is stale or errored; else 0. */
  exitCode: 0 | 1;
}
