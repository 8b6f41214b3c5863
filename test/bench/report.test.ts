import { describe, expect, it } from 'vitest';
import { collectTargets, figure, formatFigureLine, formatGrowthLine, formatRatio, formatSection, formatTarget, formatValue, growthRows, target, type Section } from '../../src/bench/report.js';

describe('formatValue', () => {
  it('scales rates to k and M', () => {
    expect(formatValue(1_234_567, 'verdicts/s')).toBe('1.23 M verdicts/s');
    expect(formatValue(210_400, 'verdicts/s')).toBe('210 k verdicts/s');
    expect(formatValue(6977.4, 'requests/s')).toBe('6,977 requests/s');
  });
  it('shows milliseconds, switching to seconds from 1000 ms', () => {
    expect(formatValue(0.41234, 'ms')).toBe('0.412 ms');
    expect(formatValue(485.2, 'ms')).toBe('485 ms');
    expect(formatValue(2490, 'ms')).toBe('2.49 s');
  });
  it('shows bytes as MiB and GiB', () => {
    expect(formatValue(219 * 2 ** 20, 'bytes')).toBe('219 MiB');
    expect(formatValue(1.5 * 2 ** 30, 'bytes')).toBe('1.5 GiB');
  });
  it('marks missing values', () => {
    expect(formatValue(NaN, 'ms')).toBe('n/a ms');
  });
});

describe('ratios and targets', () => {
  it('derives the ratio from the baseline', () => {
    const f = figure({ id: 'x', title: 'x', value: 366_000, unit: 'verdicts/s', higherIsBetter: true, baseline: { label: 'empty', value: 2_140_000 } });
    expect(f.ratio).toBeCloseTo(0.171, 3);
    expect(formatRatio(f.ratio)).toBe('0.171x');
    expect(formatRatio(12.54)).toBe('12.5x');
    expect(formatRatio(undefined)).toBe('-');
  });
  it('has no ratio without a usable baseline', () => {
    expect(figure({ id: 'x', title: 'x', value: 1, unit: 'ms', higherIsBetter: false }).ratio).toBeUndefined();
    expect(figure({ id: 'x', title: 'x', value: 1, unit: 'ms', higherIsBetter: false, baseline: { label: 'b', value: 0 } }).ratio).toBeUndefined();
  });
  it('checks targets in both directions, a NaN never passing', () => {
    expect(target('>=', 1e6, 't', 1e6).met).toBe(true);
    expect(target('>=', 1e6, 't', 999_999).met).toBe(false);
    expect(target('<', 2000, 't', 1999).met).toBe(true);
    expect(target('<', 2000, 't', 2000).met).toBe(false);
    expect(target('<', 2000, 't', NaN).met).toBe(false);
    expect(formatTarget(target('>=', 1e6, 't', 5), 'verdicts/s')).toBe('>= 1 M verdicts/s MISS');
    expect(formatTarget(target('<', 2000, 't', 5), 'ms')).toBe('< 2 s PASS');
  });
});

describe('printed lines', () => {
  const fig = figure({
    id: 'sim.seed004.verdicts',
    title: 'seed-004 NodePort verdicts/s',
    value: 1_500_000,
    unit: 'verdicts/s',
    higherIsBetter: true,
    baseline: { label: 'empty-ruleset walk', value: 3_000_000 },
    target: target('>=', 1_000_000, 'at least 1,000,000 verdicts/s', 1_500_000),
    note: 'a note',
  });
  it('puts value, baseline, ratio and target on one line', () => {
    const line = formatFigureLine(fig);
    expect(line).toMatch(/^ {2}seed-004 NodePort verdicts\/s +1\.5 M verdicts\/s +vs 3 M verdicts\/s \(empty-ruleset walk\) +0\.5x +>= 1 M verdicts\/s PASS$/);
  });
  it('prints a section with its status, notes, skipped parts and growth', () => {
    const section: Section = {
      name: 'sim',
      title: 'simulator',
      status: 'ok',
      durationMs: 12_300,
      figures: [fig],
      skippedParts: [{ part: 'HAProxy', reason: 'apt-get failed' }],
      growth: growthRows([{ ...fig, value: 2_000_000 }], [fig], 'Services', 10),
    };
    const lines = formatSection(section);
    expect(lines[0]).toBe('== sim: simulator (ok, 12.3 s) ==');
    expect(lines).toContain('      a note');
    expect(lines).toContain('  skipped HAProxy: apt-get failed');
    expect(lines.at(-1)).toMatch(/2 M verdicts\/s -> 1\.5 M verdicts\/s +0\.75x for 10x Services$/);
  });
  it('formats a growth row', () => {
    const [row] = growthRows([{ ...fig, value: 100, unit: 'ms' }], [{ ...fig, value: 1030, unit: 'ms' }], 'Services (1,000 -> 10,000)', 10);
    expect(row.factor).toBeCloseTo(10.3);
    expect(formatGrowthLine(row)).toMatch(/100 ms -> 1\.03 s +10\.3x for 10x Services \(1,000 -> 10,000\)$/);
  });
  it('collects every target, met or missed', () => {
    const missed = figure({ id: 'y', title: 'y', value: 3000, unit: 'ms', higherIsBetter: false, target: target('<', 2000, 'under 2 s', 3000) });
    const s: Section = { name: 'sim', title: 's', status: 'ok', durationMs: 1, figures: [fig, missed, figure({ id: 'z', title: 'z', value: 1, unit: 'ms', higherIsBetter: false })] };
    expect(collectTargets([s])).toEqual([
      { id: 'sim.seed004.verdicts', text: 'at least 1,000,000 verdicts/s', value: 1_500_000, unit: 'verdicts/s', met: true },
      { id: 'y', text: 'under 2 s', value: 3000, unit: 'ms', met: false },
    ]);
  });
});
