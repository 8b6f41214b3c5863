/**
 * The matrix and its verdicts: who is the reference, when a difference is unexplained, known or a
 * stale annotation, and what unavailable or failed backends look like. Built from fake RunResults
 * over the fixture scenarios (their `diverges:` annotations are real, loaded by the DSL).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMatrix } from '../../src/compare/matrix.js';
import type { BackendRun } from '../../src/compare/matrix.js';
import { loadScenarioFile } from '../../src/dsl/load.js';
import type { CompiledScenario } from '../../src/model/scenario.js';
import type { RunResult, Status, StepResult } from '../../src/report/result.js';

const here = fileURLToPath(new URL('./fixtures/', import.meta.url));
const cwd = fileURLToPath(new URL('../../', import.meta.url));
let known: CompiledScenario;
let stale: CompiledScenario;

beforeAll(async () => {
  known = await loadScenarioFile(path.join(here, 'known.yaml'));
  stale = await loadScenarioFile(path.join(here, 'stale.yaml'));
});

/** Per step: [outcomes, status]; pods and sources are fixed (web, seen from 172.18.0.3). */
type StepPlan = { outcomes: Record<string, number>; status?: Status; reason?: string; traffic?: boolean };

function result(backend: string, scenario: CompiledScenario, plan: StepPlan[]): BackendRun {
  const steps: StepResult[] = plan.map((p, i) => {
    const step = scenario.steps[i];
    const r: StepResult = { index: i, kind: step.kind, title: step.title, loc: step.loc, status: p.status ?? 'pass', durationMs: 1, assertions: [] };
    if (p.reason !== undefined) r.reason = p.reason;
    if (p.traffic !== false) {
      const ok = p.outcomes.ok ?? 0;
      r.traffic = { count: 10, from: 'mypc', to: 'x', targetText: 'x', protocol: 'TCP', outcomes: p.outcomes, pods: ok ? { web: ok } : {}, nodes: {}, sourcesSeen: ok ? { '172.18.0.3': ok } : {} };
      r.assertions = [{ kind: 'outcome', passed: (p.status ?? 'pass') === 'pass', message: '', loc: step.loc }];
    }
    return r;
  });
  const run: RunResult = {
    tool: { name: 'svclab', version: 'test' },
    backend,
    seed: 1,
    startedAt: '2026-11-22T00:00:00.000Z',
    durationMs: 5,
    node: 'v20',
    platform: 'linux x64',
    scenarios: [{ name: scenario.name, file: path.relative(cwd, scenario.file), tags: [], status: 'pass', seed: 1, durationMs: 5, steps }],
    totals: { passed: 1, failed: 0, skipped: 0, errors: 0 },
  };
  return { name: backend, state: 'ran', result: run };
}

function matrix(scenario: CompiledScenario, runs: BackendRun[]) {
  return buildMatrix({ scenarios: [scenario], runs, seed: 1, startedAt: '', durationMs: 0, cwd });
}

const agreeing: StepPlan = { outcomes: { ok: 10 } };
const refused: StepPlan = { outcomes: { refused: 10 } };
const answered: StepPlan = { outcomes: { ok: 10 }, status: 'skip', reason: 'known divergence on proxy: ...' };

describe('verdicts', () => {
  it('backends that saw the same everywhere agree; exit code 0', () => {
    const m = matrix(known, [result('sim', known, [agreeing, refused]), result('netns', known, [agreeing, refused])]);
    expect(m.scenarios[0].steps.map((s) => s.verdict)).toEqual(['agree', 'agree']);
    expect(m.scenarios[0].steps[1].divergences[0]).toMatchObject({ backend: 'proxy', state: 'unchecked' });
    expect(m.exitCode).toBe(0);
  });

  it('a stated divergence that is there shows as known; exit code 0', () => {
    const m = matrix(known, [result('sim', known, [agreeing, refused]), result('proxy', known, [agreeing, answered])]);
    const step = m.scenarios[0].steps[1];
    expect(step.verdict).toBe('known');
    expect(step.divergences[0]).toMatchObject({ backend: 'proxy', state: 'known', why: expect.stringContaining('nodePortAddresses') });
    expect(step.differences[0]).toMatchObject({ backend: 'proxy', against: 'sim', known: true });
    expect(step.differences[0].differences.find((d) => d.aspect === 'outcomes')?.detail).toBe('sim: refused×10 | proxy: ok×10');
    expect(m.totals).toMatchObject({ agree: 1, known: 1, disagree: 0, stale: 0 });
    expect(m.exitCode).toBe(0);
  });

  it('the annotated backend listed first still is not taken as the reference', () => {
    const m = matrix(known, [result('proxy', known, [agreeing, answered]), result('sim', known, [agreeing, refused])]);
    expect(m.scenarios[0].steps[1]).toMatchObject({ verdict: 'known', reference: ['sim'] });
    expect(m.exitCode).toBe(0);
  });

  it('a stale annotation fails: the backend agrees again; exit code 1', () => {
    const m = matrix(stale, [result('sim', stale, [agreeing]), result('proxy', stale, [agreeing])]);
    const step = m.scenarios[0].steps[0];
    expect(step.verdict).toBe('stale');
    expect(step.divergences[0].state).toBe('stale');
    expect(step.divergences[0].note).toMatch(/proxy now agrees with sim: remove this annotation/);
    expect(m.exitCode).toBe(1);
  });

  it('a difference nobody stated is a disagreement; the odd one out of three is named', () => {
    const m = matrix(known, [result('sim', known, [agreeing, refused]), result('netns', known, [refused, refused]), result('kind', known, [agreeing, refused])]);
    const step = m.scenarios[0].steps[0];
    expect(step.verdict).toBe('disagree');
    expect(step.reference).toEqual(['sim', 'kind']);
    expect(step.differences.map((d) => [d.backend, d.known])).toEqual([['netns', false]]);
    expect(m.exitCode).toBe(1);
  });

  it('an unsupported skip is shown with its reason and is not a disagreement', () => {
    const skip: StepPlan = { outcomes: {}, status: 'skip', reason: 'unsupported on proxy: UDP', traffic: false };
    const m = matrix(known, [result('sim', known, [agreeing, refused]), result('proxy', known, [skip, skip])]);
    expect(m.scenarios[0].steps[0]).toMatchObject({ verdict: 'agree', compared: 1 });
    expect(m.scenarios[0].steps[0].cells.proxy).toEqual({ status: 'skip', reason: 'unsupported on proxy: UDP' });
    expect(m.scenarios[0].steps[1].divergences[0]).toMatchObject({ state: 'unchecked', note: expect.stringContaining('observed nothing: skip') });
    expect(m.exitCode).toBe(0);
  });

  it('an unavailable backend is a column of its reason, not a failure', () => {
    const m = matrix(known, [result('sim', known, [agreeing, refused]), result('netns', known, [agreeing, refused]), { name: 'kind', state: 'unavailable', reason: 'docker not reachable' }]);
    expect(m.backends[2]).toEqual({ name: 'kind', state: 'unavailable', reason: 'docker not reachable' });
    expect(m.scenarios[0].steps[0].cells.kind).toEqual({ status: 'unavailable', reason: 'docker not reachable' });
    expect(m.exitCode).toBe(0);
  });

  it('a backend that crashed makes every step an error; exit code 1', () => {
    const m = matrix(known, [result('sim', known, [agreeing, refused]), { name: 'proxy', state: 'failed', reason: 'exited with 9' }]);
    expect(m.scenarios[0].steps.map((s) => s.verdict)).toEqual(['error', 'error']);
    expect(m.exitCode).toBe(1);
  });
});
