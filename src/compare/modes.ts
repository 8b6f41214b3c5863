/**
 * The migration view of the matrix: each backend compared with itself across kube-proxy modes
 * (`svclab compare --modes iptables,nftables`). What changes on a step (outcome counts, pods, source
 * addresses seen) is judged with the same statistics as backends are, and set against what the step
 * states in `modes:`. A change the step states, whose per-mode expectations held, is "stated"; any
 * other change is "unstated" and fails the comparison, as does a `modes:` block with no change left.
 */
import type { SendStep } from '../model/scenario.js';
import type { Cell, CompareResult, ModeChange, ModeCheck, ScenarioRow, Verdict } from './model.js';
import { compareObserved } from './observations.js';

/** How a mode check counts in the step's verdict. */
export const MODE_VERDICT: Record<ModeCheck['state'], Verdict> = { same: 'agree', stated: 'known', unstated: 'disagree', stale: 'stale', unchecked: 'agree' };

/** Compare every backend that ran the step in the first mode and another one. */
export function checkModes(step: SendStep, keys: { name: string; backend: string; mode?: string }[], cells: Cell[], modes: string[], alpha?: number): ModeCheck {
  const stated = (step.modes ?? []).map((m) => ({ mode: m.mode as string, why: m.why, ...(m.link !== undefined ? { link: m.link } : {}) }));
  const sticky = [step.expect, ...(step.modes ?? []).map((m) => m.expect)].some((list) => list.some((e) => e.kind === 'sticky'));
  const from = modes[0];
  const compared: string[] = [];
  const changes: ModeChange[] = [];
  const failed: string[] = [];
  const cellOf = (backend: string, mode: string): Cell | undefined => {
    const i = keys.findIndex((k) => k.backend === backend && k.mode === mode);
    return i < 0 ? undefined : cells[i];
  };
  for (const backend of [...new Set(keys.map((k) => k.backend))]) {
    const base = cellOf(backend, from);
    for (const to of modes.slice(1)) {
      const other = cellOf(backend, to);
      if (base?.observed === undefined || other?.observed === undefined) continue;
      if (!compared.includes(backend)) compared.push(backend);
      for (const [mode, cell] of [[from, base], [to, other]] as const) {
        if (cell.status === 'fail' && !failed.includes(`${backend} in ${mode} mode`)) failed.push(`${backend} in ${mode} mode`);
      }
      // Different expectations apply per mode, so only what was observed is compared.
      const differences = compareObserved(from, base.observed, to, other.observed, alpha === undefined ? { sticky } : { sticky, alpha }).filter((d) => d.aspect !== 'expectations');
      if (differences.length > 0) changes.push({ backend, from, to, differences });
    }
  }
  const check: ModeCheck = { state: 'same', compared, changes, stated, note: '' };
  const statedModes = stated.map((s) => s.mode).join(', ');
  if (compared.length === 0) {
    check.state = 'unchecked';
    check.note = `no backend observed this step in ${modes.join(' and ')} mode (skipped: see the reasons)`;
  } else if (changes.length > 0 && stated.length > 0 && failed.length === 0) {
    check.state = 'stated';
    check.note = `changes as the step states (modes: ${statedModes})`;
  } else if (changes.length > 0 && stated.length > 0) {
    check.state = 'unstated';
    check.note = `the step states per-mode expectations (modes: ${statedModes}), but they fail on ${failed.join(', ')}: they do not describe the change`;
  } else if (changes.length > 0) {
    check.state = 'unstated';
    check.note = `changes between ${modes.join(' and ')} mode and the step states nothing: add modes: { ${changes[0].to}: { expect, why } } with the answer ${changes[0].to} mode gives`;
  } else if (stated.length > 0) {
    check.state = 'stale';
    check.note = `the step states per-mode expectations (modes: ${statedModes}), but ${compared.join(', ')} behave${compared.length === 1 ? 's' : ''} the same in ${modes.join(' and ')} mode: the block is no longer needed`;
  } else {
    check.note = `the same in ${modes.join(' and ')} mode`;
  }
  return check;
}

/** Steps per mode-check state, over every scenario. */
export function modeTotals(scenarios: ScenarioRow[]): Record<ModeCheck['state'], number> {
  const totals: Record<ModeCheck['state'], number> = { same: 0, stated: 0, unstated: 0, stale: 0, unchecked: 0 };
  for (const s of scenarios) for (const step of s.steps) if (step.modes !== undefined) totals[step.modes.state]++;
  return totals;
}

/** The steps whose behaviour changes between the modes (stated or not), per scenario, for the migration views. */
export function changedSteps(result: CompareResult): { scenario: ScenarioRow; steps: ScenarioRow['steps'] }[] {
  return result.scenarios
    .map((scenario) => ({ scenario, steps: scenario.steps.filter((s) => s.modes !== undefined && (s.modes.changes.length > 0 || s.modes.state === 'stale')) }))
    .filter((x) => x.steps.length > 0);
}
