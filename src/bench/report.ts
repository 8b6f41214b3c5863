/**
 * The benchmark report: the figures each section measured, every one beside the baseline measured
 * in the same run, how it compares (ratio), the issue's target where there is one, and the machine.
 * Printed as aligned lines for people and written to `reports/bench.json` (schema
 * `svclab-bench/1`, stable keys in `Figure.id`) for tools.
 */
import os from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createColors } from 'picocolors';

// Painted only when the caller decided colour is wanted (see formatFigures' `color`).
const pc = createColors(true);

/** A goal from issue 8, checked against a figure's value. */
export interface Target {
  op: '>=' | '<';
  value: number;
  /** What the target says, for people ("at least 1,000,000 verdicts/s on one core"). */
  text: string;
  met: boolean;
}

/** Latency/throughput spread of a timed figure (from tinybench samples or request latencies). */
export interface FigureStats {
  /** Samples behind the figure (tinybench batches, or requests). */
  samples: number;
  /** Relative margin of error of the mean, percent (tinybench). */
  rmePercent?: number;
  /** Percentiles in the figure's `statsUnit`. */
  p50?: number;
  p90?: number;
  p99?: number;
  statsUnit?: string;
}

/** One measured number. */
export interface Figure {
  /** Stable key, e.g. `sim.seed004.verdicts`. */
  id: string;
  title: string;
  value: number;
  /** `verdicts/s`, `requests/s`, `ms`, `bytes`, `count`. */
  unit: string;
  higherIsBetter: boolean;
  /** The same-run reference this figure is compared with (same unit). */
  baseline?: { label: string; value: number };
  /** value / baseline.value. */
  ratio?: number;
  target?: Target;
  stats?: FigureStats;
  note?: string;
}

/** How a figure changes from the small to the large synthetic cluster. */
export interface GrowthRow {
  id: string;
  title: string;
  unit: string;
  small: number;
  large: number;
  /** large / small. */
  factor: number;
  /** What grew by `sizeFactor` (e.g. "Services 1,000 -> 10,000"). */
  size: string;
  sizeFactor: number;
}

export type SectionName = 'sim' | 'proxy' | 'netns' | 'kube-proxy' | 'nftables' | 'nftables-walk';

export interface Section {
  name: SectionName;
  title: string;
  status: 'ok' | 'skipped' | 'error' | 'interrupted';
  /** Why it was skipped or failed. */
  reason?: string;
  durationMs: number;
  figures: Figure[];
  growth?: GrowthRow[];
  /** Parts of the section that could not run (e.g. HAProxy missing), with the reason. */
  skippedParts?: { part: string; reason: string }[];
  /** The raw measurements the figures were taken from. */
  raw?: Record<string, unknown>;
}

export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  memoryBytes: number;
  node: string;
  platform: string;
  arch: string;
  kernel: string;
  /** 1/5/15-minute load average when the bench started (other work skews the figures). */
  loadAverageAtStart: number[];
}

export interface BenchReport {
  schema: 'svclab-bench/1';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  quick: boolean;
  only: SectionName[];
  interrupted: boolean;
  machine: MachineInfo;
  /** 1/5/15-minute load average when the bench ended. */
  loadAverageAtEnd: number[];
  sections: Section[];
  /** Every target, met or missed (a miss is recorded, never an exit code). */
  targets: { id: string; text: string; value: number; unit: string; met: boolean }[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    kernel: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** A target checked against a value. */
export function target(op: Target['op'], goal: number, text: string, value: number): Target {
  const met = Number.isFinite(value) && (op === '>=' ? value >= goal : value < goal);
  return { op, value: goal, text, met };
}

/** Builds a figure, deriving the ratio from the baseline. */
export function figure(f: Omit<Figure, 'ratio'>): Figure {
  const ratio = f.baseline && f.baseline.value !== 0 && Number.isFinite(f.baseline.value) ? f.value / f.baseline.value : undefined;
  return ratio === undefined ? { ...f } : { ...f, ratio };
}

/** `large / small` for every figure id present in both lists (with a finite, non-zero small value). */
export function growthRows(small: Figure[], large: Figure[], size: string, sizeFactor: number): GrowthRow[] {
  const rows: GrowthRow[] = [];
  for (const s of small) {
    const l = large.find((x) => x.id === s.id);
    if (!l || s.value === 0 || !Number.isFinite(s.value) || !Number.isFinite(l.value)) continue;
    rows.push({ id: s.id, title: s.title, unit: s.unit, small: s.value, large: l.value, factor: l.value / s.value, size, sizeFactor });
  }
  return rows;
}

const sig = (x: number, digits = 3): string => {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 10 ** digits) return Math.round(x).toLocaleString('en-US');
  return String(Number(x.toPrecision(digits)));
};

/** A value in its unit for people: `1.23 M verdicts/s`, `1.52 s`, `0.412 ms`, `512 MiB`, `10,000`. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return `n/a ${unit}`.trim();
  if (unit.endsWith('/s')) {
    if (Math.abs(value) >= 1e6) return `${sig(value / 1e6)} M ${unit}`;
    if (Math.abs(value) >= 1e4) return `${sig(value / 1e3)} k ${unit}`;
    return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
  }
  if (unit === 'ms') {
    if (Math.abs(value) >= 1000) return `${sig(value / 1000)} s`;
    return `${sig(value)} ms`;
  }
  if (unit === 'bytes') {
    const mib = value / 2 ** 20;
    if (Math.abs(mib) >= 1024) return `${sig(mib / 1024)} GiB`;
    return `${sig(mib)} MiB`;
  }
  if (unit === 'count') return Math.round(value).toLocaleString('en-US');
  return `${sig(value)} ${unit}`;
}

/** A ratio or growth factor: `0.271x`, `12.5x`, `1,234x`. */
export function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '-';
  return `${sig(r)}x`;
}

/** The target cell: `>= 1 M verdicts/s PASS` or `< 2 s MISS`. */
export function formatTarget(t: Target | undefined, unit: string, color = false): string {
  if (!t) return '';
  const verdict = t.met ? 'PASS' : 'MISS';
  const painted = color ? (t.met ? pc.green(verdict) : pc.red(verdict)) : verdict;
  return `${t.op} ${formatValue(t.value, unit)} ${painted}`;
}

const pad = (s: string, n: number): string => (s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length));

/** One figure as an aligned line: title, value, baseline (label), ratio, target. */
export function formatFigureLine(f: Figure, color = false): string {
  const base = f.baseline ? `${formatValue(f.baseline.value, f.unit)} (${f.baseline.label})` : '';
  return (
    '  ' +
    pad(f.title, 52) +
    pad(formatValue(f.value, f.unit), 22) +
    pad(base ? `vs ${base}` : '', 58) +
    pad(f.baseline ? formatRatio(f.ratio) : '', 9) +
    formatTarget(f.target, f.unit, color)
  ).trimEnd();
}

export function formatGrowthLine(g: GrowthRow): string {
  return ('  ' + pad(g.title, 52) + pad(`${formatValue(g.small, g.unit)} -> ${formatValue(g.large, g.unit)}`, 40) + `${formatRatio(g.factor)} for ${formatRatio(g.sizeFactor)} ${g.size}`).trimEnd();
}

/** The whole section as printed lines. */
export function formatSection(s: Section, color = false): string[] {
  const head = `== ${s.name}: ${s.title} (${s.status}${s.reason ? `: ${s.reason}` : ''}, ${formatValue(s.durationMs, 'ms')}) ==`;
  const lines = [color ? pc.bold(head) : head];
  for (const f of s.figures) {
    lines.push(formatFigureLine(f, color));
    if (f.note) lines.push(`      ${color ? pc.dim(f.note) : f.note}`);
  }
  for (const p of s.skippedParts ?? []) lines.push(`  skipped ${p.part}: ${p.reason}`);
  if (s.growth?.length) {
    lines.push('  growth from the small to the large synthetic cluster:');
    for (const g of s.growth) lines.push(formatGrowthLine(g));
  }
  return lines;
}

export function formatMachine(m: MachineInfo): string {
  return `machine: ${m.cpuCount} x ${m.cpuModel}, ${formatValue(m.memoryBytes, 'bytes')} RAM, ${m.kernel}, Node ${m.node}, load ${m.loadAverageAtStart.join(' ')}`;
}

/** Every target of every section, for the summary and the JSON. */
export function collectTargets(sections: Section[]): BenchReport['targets'] {
  return sections.flatMap((s) => s.figures.flatMap((f) => (f.target ? [{ id: f.id, text: f.target.text, value: f.value, unit: f.unit, met: f.target.met }] : [])));
}

export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(report, null, 2) + '\n');
}
