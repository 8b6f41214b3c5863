/**
 * The migration report in words: for each step whose behaviour changes between kube-proxy modes,
 * what a user sees today and after the move (outcomes, pods that answer, source address the pods
 * see), and why, as the step states it. Shared by the console and HTML views of `svclab compare --modes`.
 */
import type { CompareResult, ModeChange, ScenarioRow, StepRow } from './model.js';
import { changedSteps } from './modes.js';
import { countsText } from './observations.js';

const ASPECT_WORDS: Record<string, string> = { outcomes: 'outcome', pods: 'pods answering', sources: 'source address the pods see', expectations: 'expectations' };

/** One changed aspect: what it is called, before and after. */
export interface ChangeLine {
  aspect: string;
  before: string;
  after: string;
}

/** The aspects of one backend's change, before (`from` mode) and after (`to` mode). */
export function changeLines(step: StepRow, change: ModeChange): ChangeLine[] {
  const before = step.cells[`${change.backend}/${change.from}`]?.observed;
  const after = step.cells[`${change.backend}/${change.to}`]?.observed;
  return change.differences.map((d) => {
    const pick = (o: typeof before): string => {
      if (o === undefined) return '?';
      return countsText(d.aspect === 'outcomes' ? o.outcomes : d.aspect === 'pods' ? o.pods : d.aspect === 'sources' ? o.sourcesSeen : {});
    };
    return { aspect: ASPECT_WORDS[d.aspect] ?? d.aspect, before: pick(before), after: pick(after) };
  });
}

/** The `why` of the step's `modes:` block for the mode moved to (or any block), when stated. */
export function statedWhy(step: StepRow, mode: string): { why: string; link?: string } | undefined {
  const stated = step.modes?.stated ?? [];
  return stated.find((s) => s.mode === mode) ?? stated[0];
}

/** "iptables → nftables". */
export function movesText(result: CompareResult): string {
  return (result.modes ?? []).join(' → ');
}

/** The console section: what changes for you, per scenario and step, stated or not. */
export function migrationConsoleLines(result: CompareResult, mark: { bad(text: string): string; dim(text: string): string; bold(text: string): string }): string[] {
  const modes = result.modes ?? [];
  if (modes.length < 2) return [];
  const changed = changedSteps(result);
  const t = result.modeTotals ?? { same: 0, stated: 0, unstated: 0, stale: 0, unchecked: 0 };
  const lines = ['', mark.bold(`What changes moving from ${modes[0]} to ${modes.slice(1).join(', ')} mode`)];
  if (changed.length === 0) lines.push('  nothing observable changes on these scenarios');
  for (const { scenario, steps } of changed) {
    lines.push(`  ${scenario.name} ${mark.dim(scenario.file)}`);
    for (const step of steps) lines.push(...stepLines(scenario, step, mark));
  }
  lines.push(
    `  ${t.stated} step(s) change as stated, ${t.unstated} change unstated, ${t.stale} stale modes: block(s), ${t.same} the same, ${t.unchecked} not observed in both modes`,
  );
  return lines;
}

function stepLines(scenario: ScenarioRow, step: StepRow, mark: { bad(text: string): string; dim(text: string): string }): string[] {
  const out = [`    step ${step.index + 1} ${step.title} ${mark.dim(`(${scenario.file}:${step.loc.line})`)}`];
  const check = step.modes!;
  for (const change of check.changes) {
    for (const l of changeLines(step, change)) out.push(`      ${change.backend}: ${l.aspect}: ${l.before} → ${l.after}`);
  }
  const why = statedWhy(step, check.changes[0]?.to ?? '');
  if (check.state === 'stated' && why !== undefined) out.push(mark.dim(`      why: ${why.why}${why.link !== undefined ? ` (${why.link})` : ''}`));
  else out.push(mark.bad(`      ${check.state.toUpperCase()}: ${check.note}`));
  return out;
}
