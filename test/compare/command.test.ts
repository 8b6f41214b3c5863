/**
 * The compare command's flow with the backend runs swapped out: what reaches each child run, Ctrl-C
 * (exit 130, the matrix of what ran still written), and the files it writes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendRunOutcome, BackendRunRequest } from '../../src/compare/backend-run.js';
import { childArgs } from '../../src/compare/backend-run.js';
import { compareWith, parseCompareArgs } from '../../src/cli/commands/compare.js';
import type { CompareDeps } from '../../src/cli/commands/compare.js';
import type { CompareResult } from '../../src/compare/model.js';
import { discoverScenarioFiles, loadScenarioFile } from '../../src/dsl/load.js';
import type { RunResult } from '../../src/report/result.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const out = mkdtempSync(path.join(tmpdir(), 'svclab-compare-cmd-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function emptyRun(backend: string): RunResult {
  return { tool: { name: 'svclab', version: 't' }, backend, seed: 1, startedAt: '', durationMs: 1, node: '', platform: '', scenarios: [], totals: { passed: 0, failed: 0, skipped: 0, errors: 0 } };
}

function deps(runBackend: (req: BackendRunRequest, interrupt: () => void) => Promise<BackendRunOutcome>): {
  deps: CompareDeps;
  stdout: () => string;
  requests: BackendRunRequest[];
  events: string[];
} {
  let text = '';
  let handler: (() => void) | undefined;
  const requests: BackendRunRequest[] = [];
  const events: string[] = [];
  const d: CompareDeps = {
    discoverScenarioFiles,
    loadScenarioFile,
    runBackend: (req) => {
      requests.push(req);
      return runBackend(req, () => handler?.());
    },
    stdout: { write: (t: string) => (text += t) },
    stderr: { write: () => true },
    env: { NO_COLOR: '1' },
    cwd: repo,
    onInterrupt: (h) => {
      handler = h;
      return () => (handler = undefined);
    },
    quitNow: (code) => events.push(`quit ${code}`),
  };
  return { deps: d, stdout: () => text, requests, events };
}

describe('svclab compare (command flow)', () => {
  it('passes paths, seed, grep and tags to every backend run, each into its own folder', async () => {
    const dir = path.join(out, 'args');
    const f = deps(async (req) => ({ run: { name: req.backend, state: 'unavailable', reason: `no ${req.backend} here` }, interrupted: false }));
    const args = parseCompareArgs(['test/compare/fixtures', '--backends', 'sim,netns', '--seed', '9', '--grep', 'known', '--tag', 'compare-fixture', '--out', dir]);
    const code = await compareWith(args, f.deps);
    // no backend could run: nothing was compared, which is not a pass
    expect(code).toBe(4);
    expect(f.requests.map((r) => [r.backend, r.out])).toEqual([
      ['sim', path.join(dir, 'sim')],
      ['netns', path.join(dir, 'netns')],
    ]);
    expect(childArgs(f.requests[1]).slice(1)).toEqual(['run', 'test/compare/fixtures', '--backend', 'netns', '--reporter', 'json,html', '--out', path.join(dir, 'netns'), '--no-color', '--seed', '9', '--grep', 'known', '--tag', 'compare-fixture']);
    const m = JSON.parse(readFileSync(path.join(dir, 'compare.json'), 'utf8')) as CompareResult;
    expect(m.scenarios.map((s) => s.name)).toEqual(['compare-known']);
    expect(m.backends.map((b) => b.reason)).toEqual(['no sim here', 'no netns here']);
    expect(f.stdout()).toContain('sim: unavailable: no sim here');
  });

  it('Ctrl-C during the first backend: later backends do not start, the matrix is written, exit 130', async () => {
    const dir = path.join(out, 'interrupt');
    const f = deps(async (req, interrupt) => {
      interrupt();
      return { run: { name: req.backend, state: 'ran', result: emptyRun(req.backend) }, interrupted: true };
    });
    const code = await compareWith(parseCompareArgs(['test/compare/fixtures/known.yaml', '--backends', 'sim,proxy', '--out', dir]), f.deps);
    expect(code).toBe(130);
    expect(f.requests.map((r) => r.backend)).toEqual(['sim']);
    const m = JSON.parse(readFileSync(path.join(dir, 'compare.json'), 'utf8')) as CompareResult;
    expect(m.backends[1]).toMatchObject({ name: 'proxy', state: 'unavailable', reason: 'not run: interrupted' });
    expect(existsSync(path.join(dir, 'index.html'))).toBe(true);
  });

  it('a second Ctrl-C reaches the running child as its second SIGINT (it quits at once), then compare quits with 130', async () => {
    const dir = path.join(out, 'interrupt-twice');
    const f = deps(async (req, interrupt) => {
      const stop = req.onInterrupt(() => f.events.push(`child ${req.backend} SIGINT`));
      interrupt();
      interrupt();
      stop();
      return { run: { name: req.backend, state: 'ran', result: emptyRun(req.backend) }, interrupted: true };
    });
    await compareWith(parseCompareArgs(['test/compare/fixtures/known.yaml', '--backends', 'sim,proxy', '--out', dir]), f.deps);
    expect(f.events).toEqual(['child sim SIGINT', 'child sim SIGINT', 'quit 130']);
    expect(f.requests.map((r) => r.backend)).toEqual(['sim']);
  });

  it('one Ctrl-C does not quit at once: the child is told once and compare finishes its reports', async () => {
    const dir = path.join(out, 'interrupt-once');
    const f = deps(async (req, interrupt) => {
      const stop = req.onInterrupt(() => f.events.push(`child ${req.backend} SIGINT`));
      interrupt();
      stop();
      return { run: { name: req.backend, state: 'ran', result: emptyRun(req.backend) }, interrupted: true };
    });
    expect(await compareWith(parseCompareArgs(['test/compare/fixtures/known.yaml', '--backends', 'sim,proxy', '--out', dir]), f.deps)).toBe(130);
    expect(f.events).toEqual(['child sim SIGINT']);
    expect(existsSync(path.join(dir, 'compare.json'))).toBe(true);
  });
});
