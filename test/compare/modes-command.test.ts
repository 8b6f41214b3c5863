/**
 * `svclab compare --modes` and `--mode`, and `svclab run --mode`: what reaches each child run, the
 * folders and columns, the usage errors (ipvs refused with its reason), and which mode a run
 * reports. Child runs are swapped out where the flow is tested; the run tests use the built CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendRunOutcome, BackendRunRequest } from '../../src/compare/backend-run.js';
import { childArgs } from '../../src/compare/backend-run.js';
import { compareWith, parseCompareArgs } from '../../src/cli/commands/compare.js';
import type { CompareDeps } from '../../src/cli/commands/compare.js';
import type { CompareResult } from '../../src/compare/model.js';
import { discoverScenarioFiles, loadScenarioFile } from '../../src/dsl/load.js';
import type { RunResult } from '../../src/report/result.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = 'test/compare/modes-fixtures';
let out: string;

beforeAll(() => {
  if (!existsSync(path.join(repo, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) before these tests');
  out = mkdtempSync(path.join(tmpdir(), 'svclab-compare-modes-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

function svclab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !['FORCE_COLOR', 'NO_COLOR'].includes(k)) env[k] = v;
  const r = spawnSync(process.execPath, [path.join(repo, 'dist/cli/main.js'), ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000, env: { ...env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function emptyRun(backend: string, mode?: string): RunResult {
  return { tool: { name: 'svclab', version: 't' }, backend, ...(mode ? { mode } : {}), seed: 1, startedAt: '', durationMs: 1, node: '', platform: '', scenarios: [], totals: { passed: 0, failed: 0, skipped: 0, errors: 0 } };
}

function deps(): { deps: CompareDeps; requests: BackendRunRequest[]; stdout: () => string } {
  let text = '';
  const requests: BackendRunRequest[] = [];
  const d: CompareDeps = {
    discoverScenarioFiles,
    loadScenarioFile,
    runBackend: async (req): Promise<BackendRunOutcome> => {
      requests.push(req);
      return { run: { name: req.backend, state: 'ran', result: emptyRun(req.backend, req.mode) }, interrupted: false };
    },
    stdout: { write: (t: string) => (text += t) },
    stderr: { write: () => true },
    env: { NO_COLOR: '1' },
    cwd: repo,
    onInterrupt: () => () => undefined,
    quitNow: () => undefined,
  };
  return { deps: d, requests, stdout: () => text };
}

describe('svclab compare --modes (command flow)', () => {
  it('runs each backend in each mode, one folder and one column per run, --mode passed to every child', async () => {
    const dir = path.join(out, 'flow');
    const f = deps();
    const code = await compareWith(parseCompareArgs([`${fixtures}/stated.yaml`, '--backends', 'sim,netns', '--modes', 'iptables,nftables', '--out', dir]), f.deps);
    // the swapped-in runs return no step results, which the matrix counts as errors
    expect(code).toBe(1);
    expect(f.requests.map((r) => [r.backend, r.mode, path.relative(dir, r.out)])).toEqual([
      ['sim', 'iptables', 'sim-iptables'],
      ['sim', 'nftables', 'sim-nftables'],
      ['netns', 'iptables', 'netns-iptables'],
      ['netns', 'nftables', 'netns-nftables'],
    ]);
    expect(childArgs(f.requests[1]).slice(1, 12)).toEqual([
      'run', `${fixtures}/stated.yaml`, '--backend', 'sim', '--reporter', 'json,html', '--out', path.join(dir, 'sim-nftables'), '--no-color', '--mode', 'nftables',
    ]);
    const m = JSON.parse(readFileSync(path.join(dir, 'compare.json'), 'utf8')) as CompareResult;
    expect(m.modes).toEqual(['iptables', 'nftables']);
    expect(m.backends.map((b) => [b.name, b.backend, b.mode, b.report])).toEqual([
      ['sim/iptables', 'sim', 'iptables', 'sim-iptables/index.html'],
      ['sim/nftables', 'sim', 'nftables', 'sim-nftables/index.html'],
      ['netns/iptables', 'netns', 'iptables', 'netns-iptables/index.html'],
      ['netns/nftables', 'netns', 'nftables', 'netns-nftables/index.html'],
    ]);
    expect(f.stdout()).toContain('svclab compare · runs sim/iptables, sim/nftables, netns/iptables, netns/nftables · modes iptables → nftables');
  });

  it('one backend is enough with two modes; --mode alone forces one mode on a backend comparison', async () => {
    const f = deps();
    await compareWith(parseCompareArgs([`${fixtures}/stated.yaml`, '--backends', 'sim', '--modes', 'nftables,iptables', '--out', path.join(out, 'one')]), f.deps);
    expect(f.requests.map((r) => `${r.backend}/${r.mode}`)).toEqual(['sim/nftables', 'sim/iptables']);
    const g = deps();
    await compareWith(parseCompareArgs([`${fixtures}/stated.yaml`, '--backends', 'sim,proxy', '--mode', 'nftables', '--out', path.join(out, 'forced')]), g.deps);
    expect(g.requests.map((r) => [r.backend, r.mode, path.basename(r.out)])).toEqual([
      ['sim', 'nftables', 'sim'],
      ['proxy', 'nftables', 'proxy'],
    ]);
  });
});

describe('mode usage errors: exit 2 with the reason, no stack trace', () => {
  it.each([
    [['compare', '--backends', 'sim', '--modes', 'iptables,ipvs'], "--modes: kube-proxy's IPVS mode is deprecated upstream"],
    [['compare', '--backends', 'sim,proxy', '--mode', 'ipvs'], "--mode: kube-proxy's IPVS mode is deprecated upstream"],
    [['compare', '--backends', 'sim', '--modes', 'nftables,nftables'], '--modes names a mode twice'],
    [['compare', '--backends', 'sim', '--modes', 'nftables'], 'needs at least two backends to compare, or --modes two modes'],
    [['compare', '--backends', 'sim,proxy', '--mode', 'nftables', '--modes', 'iptables,nftables'], 'not both'],
    [['compare', '--modes', 'userspace,iptables'], "--modes must be one of iptables, nftables (got 'userspace')"],
    [['run', fixtures, '--mode', 'ipvs'], "--mode: kube-proxy's IPVS mode is deprecated upstream"],
  ])('%j', (args, message) => {
    const r = svclab(args);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a scenario file asking for ipvs is invalid (exit 3) for validate, run and compare, with the reason', () => {
    for (const cmd of ['validate', 'run', 'compare']) {
      const r = svclab([cmd, 'test/dsl/invalid/70-mode-ipvs.yaml', '--out', path.join(out, `ipvs-${cmd}`)].filter((a, i) => cmd !== 'validate' || i < 2));
      expect(r.code, `${cmd}: ${r.stdout}${r.stderr}`).toBe(3);
      expect(r.stdout + r.stderr).toContain('IPVS mode is deprecated upstream');
    }
  });
});

describe('svclab run: the mode that runs picks the expectations, and reports say which mode ran', () => {
  it('a modes.iptables block is what an iptables run checks (expect holds the nftables answer)', () => {
    const dir = path.join(out, 'run-block');
    const r = svclab(['run', `${fixtures}/iptables-block.yaml`, '--reporter', 'console,json,junit,html', '--out', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('svclab run: 1 scenario on sim, kube-proxy iptables mode, seed 1');
    const json = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as RunResult;
    expect(json.mode).toBeUndefined();
    expect(json.scenarios[0].mode).toBe('iptables');
    expect(json.scenarios[0].steps[0]).toMatchObject({ status: 'pass', modeExpectation: { mode: 'iptables', why: expect.stringContaining('does not intercept') } });
    expect(readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toContain('<property name="kubeProxy.mode" value="iptables"/>');
    const page = readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(page).toContain('<dd data-meta="kube-proxy mode">iptables (as the files say)</dd>');
    expect(page).toContain("Checked against the step's <strong>iptables</strong> expectations");
  });

  it('--mode nftables is recorded in the run and in every scenario, and checks the nftables block', () => {
    const dir = path.join(out, 'run-nft');
    const r = svclab(['run', `${fixtures}/stated.yaml`, '--mode', 'nftables', '--reporter', 'console,json', '--out', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('svclab run: 1 scenario on sim, kube-proxy nftables mode (--mode), seed 1');
    const json = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as RunResult;
    expect(json.mode).toBe('nftables');
    expect(json.scenarios[0].mode).toBe('nftables');
    expect(json.scenarios[0].steps[0]).toMatchObject({ status: 'pass', modeExpectation: { mode: 'nftables' }, traffic: { outcomes: { refused: 10 } } });
    expect(json.scenarios[0].steps[1].modeExpectation).toBeUndefined();
  });

  it('the same file without --mode runs iptables mode and its expect: the step times out and passes', () => {
    const dir = path.join(out, 'run-ipt');
    const r = svclab(['run', `${fixtures}/stated.yaml`, '--reporter', 'json', '--out', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as RunResult;
    expect(json.scenarios[0].steps[0]).toMatchObject({ status: 'pass', traffic: { outcomes: { timeout: 10 } } });
  });

  it('a wrong per-mode answer fails in that mode only', () => {
    // unstated.yaml expects timeout on the unserved port and states nothing for nftables mode
    const r = svclab(['run', `${fixtures}/unstated.yaml`, '--mode', 'nftables', '--reporter', 'console', '--out', path.join(out, 'run-wrong')]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('expected all 10 requests to time out (timeout), got 10 refused');
  });
});
