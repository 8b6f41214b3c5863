/**
 * The migration report's verdicts (`svclab compare --modes iptables,nftables`): a backend compared
 * with itself across modes, judged against the step's `modes:` block. Built from RunResults shaped
 * like `svclab run --mode X` writes them, over fixture scenarios loaded by the DSL (their `modes:`
 * blocks are real); the console, HTML and JSON views are read as a user reads them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderCompareConsole } from '../../src/compare/console.js';
import { renderCompareHtml } from '../../src/compare/html.js';
import { renderCompareJson } from '../../src/compare/json.js';
import { buildMatrix } from '../../src/compare/matrix.js';
import type { BackendRun } from '../../src/compare/matrix.js';
import type { CompareResult } from '../../src/compare/model.js';
import { loadScenarioFile } from '../../src/dsl/load.js';
import type { CompiledScenario } from '../../src/model/scenario.js';
import type { RunResult, Status, StepResult } from '../../src/report/result.js';

const here = fileURLToPath(new URL('./modes-fixtures/', import.meta.url));
const cwd = fileURLToPath(new URL('../../', import.meta.url));
const scenarios: Record<string, CompiledScenario> = {};

beforeAll(async () => {
  for (const name of ['stated', 'unstated', 'no-change']) scenarios[name] = await loadScenarioFile(path.join(here, `${name}.yaml`));
});

type StepPlan = { outcomes: Record<string, number>; status?: Status; reason?: string };

/** One backend's run of `scenario` in `mode`, with these observations per step. */
function run(backend: string, mode: string, scenario: CompiledScenario, plan: StepPlan[]): BackendRun {
  const steps: StepResult[] = plan.map((p, i) => {
    const step = scenario.steps[i];
    const r: StepResult = { index: i, kind: step.kind, title: step.title, loc: step.loc, status: p.status ?? 'pass', durationMs: 1, assertions: [] };
    if (p.reason !== undefined) {
      r.reason = p.reason;
      return r;
    }
    const ok = p.outcomes.ok ?? 0;
    r.traffic = { count: 10, from: 'client', to: 'x', targetText: 'x', protocol: 'TCP', outcomes: p.outcomes, pods: ok ? { web: ok } : {}, nodes: {}, sourcesSeen: ok ? { '10.244.0.2': ok } : {} };
    r.assertions = [{ kind: 'outcome', passed: (p.status ?? 'pass') === 'pass', message: '', loc: step.loc }];
    return r;
  });
  const result: RunResult = {
    tool: { name: 'svclab', version: 'test' },
    backend,
    mode,
    seed: 1,
    startedAt: '2026-12-05T00:00:00.000Z',
    durationMs: 5,
    node: 'v20',
    platform: 'linux x64',
    scenarios: [{ name: scenario.name, file: path.relative(cwd, scenario.file), tags: [], status: 'pass', seed: 1, mode, durationMs: 5, steps }],
    totals: { passed: 1, failed: 0, skipped: 0, errors: 0 },
  };
  return { name: `${backend}/${mode}`, backend, mode, state: 'ran', result, report: `${backend}-${mode}/index.html` };
}

function matrix(scenario: CompiledScenario, runs: BackendRun[]): CompareResult {
  return buildMatrix({ scenarios: [scenario], runs, seed: 1, startedAt: '', durationMs: 0, cwd, modes: ['iptables', 'nftables'] });
}

const ok: StepPlan = { outcomes: { ok: 10 } };
const timeout: StepPlan = { outcomes: { timeout: 10 } };
const refused: StepPlan = { outcomes: { refused: 10 } };

describe('compare --modes: what changes between iptables and nftables mode', () => {
  it('a change the step states, whose per-mode expectations held, is stated: exit 0, with before, after and why in every view', () => {
    const m = matrix(scenarios.stated, [run('sim', 'iptables', scenarios.stated, [timeout, ok]), run('sim', 'nftables', scenarios.stated, [refused, ok])]);
    const [changed, same] = m.scenarios[0].steps;
    expect(changed.modes).toMatchObject({ state: 'stated', compared: ['sim'], stated: [{ mode: 'nftables', why: expect.stringContaining('rejects unserved ports') }] });
    expect(changed.modes!.changes).toEqual([{ backend: 'sim', from: 'iptables', to: 'nftables', differences: [{ aspect: 'outcomes', detail: 'iptables: timeout×10 | nftables: refused×10' }] }]);
    expect(changed.verdict).toBe('known');
    expect(same.modes).toMatchObject({ state: 'same', changes: [] });
    expect(same.verdict).toBe('agree');
    expect(m.modes).toEqual(['iptables', 'nftables']);
    expect(m.modeTotals).toEqual({ same: 1, stated: 1, unstated: 0, stale: 0, unchecked: 0 });
    expect(m.exitCode).toBe(0);

    const text = renderCompareConsole(m, { color: false, cwd });
    expect(text).toContain('svclab compare · runs sim/iptables, sim/nftables · modes iptables → nftables');
    expect(text).toMatch(/1 10 curls to CIP:81 from pod client timeout 500ms +pass +pass +changes/);
    expect(text).toContain('What changes moving from iptables to nftables mode');
    expect(text).toContain('sim: outcome: timeout×10 → refused×10');
    expect(text).toContain('why: nftables mode rejects unserved ports of an active ClusterIP');
    expect(text).toContain('1 step(s) change as stated, 0 change unstated, 0 stale modes: block(s), 1 the same');

    const page = renderCompareHtml(m);
    expect(page).toContain('Moving from iptables to nftables mode: what changes for you');
    expect(page).toContain('<td>outcome</td><td>timeout×10</td><td>refused×10</td>');
    expect(page).toContain('<strong>Why:</strong> nftables mode rejects unserved ports of an active ClusterIP');
    expect(page).toContain('href="https://github.com/kubernetes/kubernetes/blob/v1.37.2/pkg/proxy/nftables/proxier_test.go"');
    expect(page).toContain('href="sim-nftables/index.html"');
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);

    const json = JSON.parse(renderCompareJson(m)) as CompareResult;
    expect(json.scenarios[0].steps[0].modes?.state).toBe('stated');
    expect(json.backends.map((b) => [b.name, b.backend, b.mode])).toEqual([
      ['sim/iptables', 'sim', 'iptables'],
      ['sim/nftables', 'sim', 'nftables'],
    ]);
  });

  it('the same change with nothing stated fails: exit 1, flagged as not stated', () => {
    const m = matrix(scenarios.unstated, [run('sim', 'iptables', scenarios.unstated, [timeout, ok]), run('sim', 'nftables', scenarios.unstated, [refused, ok])]);
    const step = m.scenarios[0].steps[0];
    expect(step.modes).toMatchObject({ state: 'unstated', stated: [] });
    expect(step.modes!.note).toContain('add modes: { nftables: { expect, why } }');
    expect(step.verdict).toBe('disagree');
    expect(m.exitCode).toBe(1);
    expect(renderCompareConsole(m, { color: false, cwd })).toContain('UNSTATED: changes between iptables and nftables mode and the step states nothing');
    expect(renderCompareHtml(m)).toContain('<p class="flag">Not stated: ');
  });

  it('a stated block whose expectations fail in a mode does not count as stated: exit 1', () => {
    // nftables mode answers, but not with the refused the step states for it
    const failing: StepPlan = { outcomes: { ok: 10 }, status: 'fail' };
    const m = matrix(scenarios.stated, [run('sim', 'iptables', scenarios.stated, [timeout, ok]), run('sim', 'nftables', scenarios.stated, [failing, ok])]);
    const step = m.scenarios[0].steps[0];
    expect(step.modes).toMatchObject({ state: 'unstated' });
    expect(step.modes!.note).toContain('but they fail on sim in nftables mode: they do not describe the change');
    expect(m.exitCode).toBe(1);
  });

  it('a modes: block on a step that no longer changes is stale: exit 1', () => {
    const m = matrix(scenarios['no-change'], [run('sim', 'iptables', scenarios['no-change'], [ok]), run('sim', 'nftables', scenarios['no-change'], [ok])]);
    expect(m.scenarios[0].steps[0].modes).toMatchObject({ state: 'stale', note: expect.stringContaining('sim behaves the same in iptables and nftables mode') });
    expect(m.scenarios[0].steps[0].verdict).toBe('stale');
    expect(m.exitCode).toBe(1);
  });

  it('a step no backend observed in both modes is unchecked, with the skip reason shown', () => {
    const skipped: StepPlan = { outcomes: {}, status: 'skip', reason: 'unsupported on sim: nftables mode is not modelled' };
    const m = matrix(scenarios.unstated, [run('sim', 'iptables', scenarios.unstated, [timeout, ok]), run('sim', 'nftables', scenarios.unstated, [skipped, skipped])]);
    expect(m.scenarios[0].steps.map((s) => s.modes?.state)).toEqual(['unchecked', 'unchecked']);
    expect(m.exitCode).toBe(0);
    const text = renderCompareConsole(m, { color: false, cwd });
    expect(text).toMatch(/1 10 curls to CIP:81 from pod client timeout 500ms +pass +skip +not compared/);
    expect(text).toContain('skip on sim/nftables: unsupported on sim: nftables mode is not modelled');
  });

  it('backend × mode: backends are still compared within each mode, and each with itself across modes', () => {
    const m = matrix(scenarios.stated, [
      run('sim', 'iptables', scenarios.stated, [timeout, ok]),
      run('sim', 'nftables', scenarios.stated, [refused, ok]),
      run('netns', 'iptables', scenarios.stated, [timeout, ok]),
      run('netns', 'nftables', scenarios.stated, [timeout, ok]),
    ]);
    const step = m.scenarios[0].steps[0];
    // in nftables mode netns answers differently from sim: a disagreement between backends
    expect(step.differences.map((d) => [d.backend, d.against])).toEqual([['netns/nftables', 'sim/nftables']]);
    expect(step.reference).toEqual(['sim/iptables', 'netns/iptables', 'sim/nftables']);
    // across modes only sim changes; netns's own expectations pass in both, so the block still counts as stated
    expect(step.modes).toMatchObject({ state: 'stated', compared: ['sim', 'netns'] });
    expect(step.modes!.changes.map((c) => c.backend)).toEqual(['sim']);
    expect(step.verdict).toBe('disagree');
    expect(m.exitCode).toBe(1);
  });
});
