/**
 * `svclab compare` and `svclab run` with `diverges:` annotations, run as a user runs them: the built
 * CLI, real sim and proxy backends (proxy: loopback only), over the small fixture scenarios.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../src/compare/model.js';
import type { RunResult } from '../../src/report/result.js';

const repo = join(import.meta.dirname, '../..');
const fixtures = 'test/compare/fixtures';
let out: string;

beforeAll(() => {
  if (!existsSync(join(repo, 'dist/cli/commands/compare.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) before these tests');
  out = mkdtempSync(join(tmpdir(), 'svclab-compare-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

function svclab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !['FORCE_COLOR', 'NO_COLOR'].includes(k)) env[k] = v;
  const r = spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000, env: { ...env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readCompare(dir: string): CompareResult {
  return JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as CompareResult;
}

describe('svclab compare on sim and proxy (built CLI)', () => {
  it('a stated divergence shows as known, the rest as same: exit 0, with console, JSON and HTML', () => {
    const dir = join(out, 'known');
    const r = svclab(['compare', `${fixtures}/known.yaml`, '--backends', 'sim,proxy', '--out', dir, '--seed', '7']);
    expect(r.stderr).toContain('running 1 scenario(s) on proxy');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 10 curls to 192\.168\.9\.3:30080 from mypc timeout 5s +pass +skip +known/);
    expect(r.stdout).toContain('known on proxy: answers on a node address --nodeport-addresses excludes');
    const m = readCompare(dir);
    expect(m.seed).toBe(7);
    expect(m.backends.map((b) => [b.name, b.state, b.report])).toEqual([
      ['sim', 'ran', 'sim/index.html'],
      ['proxy', 'ran', 'proxy/index.html'],
    ]);
    const steps = m.scenarios[0].steps;
    expect(steps.map((s) => s.verdict)).toEqual(['agree', 'known']);
    expect(steps[1].cells.sim.observed?.outcomes).toEqual({ refused: 10 });
    expect(steps[1].cells.proxy.observed?.outcomes).toEqual({ ok: 10 });
    expect(steps[1].cells.proxy.status).toBe('skip');
    const page = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(page).toContain('http-equiv="Content-Security-Policy"');
    expect(page).toContain('href="proxy/index.html"');
    // each scenario links to its article in every backend's own report
    expect(page).toContain('href="proxy/index.html#s1-compare-known"');
    expect(readFileSync(join(dir, 'proxy/index.html'), 'utf8')).toContain('id="s1-compare-known"');
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
    expect(existsSync(join(dir, 'proxy/index.html'))).toBe(true);
    expect(existsSync(join(dir, 'sim/result.json'))).toBe(true);
  });

  it('the same difference without an annotation exits 1 and shows both sides', () => {
    const dir = join(out, 'unexplained');
    const r = svclab(['compare', `${fixtures}/unexplained.yaml`, '--backends', 'sim,proxy', '--out', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('outcomes: sim: refused×10 | proxy: ok×10');
    expect(r.stdout).toContain('backends disagree outside the stated divergences');
    expect(readCompare(dir).totals).toMatchObject({ agree: 1, disagree: 1 });
  });

  it('a stale annotation (the backends agree now) fails: exit 1', () => {
    const dir = join(out, 'stale');
    const r = svclab(['compare', fixtures, '--grep', 'stale', '--backends', 'sim,proxy', '--out', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/stale annotation \(test\/compare\/fixtures\/stale\.yaml:\d+\): proxy now agrees with sim: remove this annotation/);
    expect(readCompare(dir).scenarios.map((s) => s.name)).toEqual(['compare-stale']);
  });

  it('a backend that cannot run here is a column of its reason', () => {
    const dir = join(out, 'kind');
    // No kind binary and no docker daemon in the test environment's PATH.
    const r = spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), 'compare', `${fixtures}/known.yaml`, '--backends', 'sim,proxy,kind', '--out', dir], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 120_000,
      env: { PATH: '/nonexistent', NO_COLOR: '1', HOME: process.env.HOME ?? '/root', DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const kind = readCompare(dir).backends[2];
    expect(kind.state).toBe('unavailable');
    expect(kind.reason).toMatch(/kind/);
    expect(r.stdout).toMatch(/kind: unavailable: /);
  });
});

describe('svclab run honours annotations for its own backend only', () => {
  it('on proxy the annotated step is skipped with the annotation as the reason (exit 0)', () => {
    const dir = join(out, 'run-proxy');
    const r = svclab(['run', `${fixtures}/known.yaml`, '--backend', 'proxy', '--reporter', 'console,json', '--out', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('skipped: known divergence on proxy: answers on a node address --nodeport-addresses excludes');
    const step = (JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult).scenarios[0].steps[1];
    expect(step.status).toBe('skip');
    expect(step.traffic?.outcomes).toEqual({ ok: 10 });
  });

  it('on sim, whose behaviour the annotation does not cover, the step runs and passes as usual', () => {
    const r = svclab(['run', `${fixtures}/known.yaml`, '--backend', 'sim', '--reporter', 'console', '--out', join(out, 'run-sim')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('1 passed, 0 failed');
  });

  it('an un-annotated failure on proxy still fails', () => {
    const r = svclab(['run', `${fixtures}/unexplained.yaml`, '--backend', 'proxy', '--reporter', 'console', '--out', join(out, 'run-fail')]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
  });
});

describe('svclab compare usage errors', () => {
  it.each([
    [['compare', '--backends', 'sim'], 'needs at least two backends'],
    [['compare', '--backends', 'sim,docker'], "unknown backend 'docker'"],
    [['compare', '--backends', 'sim,sim'], 'names a backend twice'],
    [['compare', '--nope'], "Unknown option '--nope'"],
  ])('%j exits 2 with a message and no stack trace', (args, message) => {
    const r = svclab(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an invalid scenario exits 3 before any backend runs', () => {
    const r = svclab(['compare', 'test/dsl/invalid/62-diverges-duplicate-backend.yaml', '--out', join(out, 'invalid')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("backend 'proxy' already has a divergence on this step");
    expect(r.stderr).not.toContain('running');
  });

  it('--help lists the options and exits 0', () => {
    const r = svclab(['compare', '--help']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('--backends LIST');
  });
});
