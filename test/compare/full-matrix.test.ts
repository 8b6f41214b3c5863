/**
 * The whole scenario catalogue on all three local data planes: `svclab compare scenarios
 * --backends sim,proxy,netns` (the built CLI, as a user runs it) must find no unexplained
 * difference. netns needs root and kernel support; without them this is skipped with the reason
 * the netns backend's own check() gives.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backends/netns/index.js';
import { discoverScenarioFiles } from '../../src/dsl/load.js';
import type { CompareResult } from '../../src/compare/model.js';

const repo = join(import.meta.dirname, '../..');
const BACKENDS = ['sim', 'proxy', 'netns'];
/** The full run takes about 2-3 minutes on a quiet 2-core machine; this bounds a stuck one. */
const RUN_LIMIT_MS = 8 * 60_000;

async function netnsSkipReason(): Promise<string | undefined> {
  try {
    await createBackend().check();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const skip = await netnsSkipReason();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Run the built CLI; on the time limit it gets SIGINT, so the netns run tears its lab down. */
function svclab(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !['FORCE_COLOR', 'NO_COLOR'].includes(k)) env[k] = v;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(repo, 'dist/cli/main.js'), ...args], {
      cwd: repo,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: RUN_LIMIT_MS,
      killSignal: 'SIGINT',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

describe('svclab compare scenarios --backends sim,proxy,netns (the full matrix)', () => {
  it.skipIf(skip !== undefined)(
    skip ? `every scenario agrees on sim, proxy and netns [skipped: ${skip}]` : 'every scenario agrees on sim, proxy and netns, or differs as a diverges: annotation states',
    async () => {
      if (!existsSync(join(repo, 'dist/cli/commands/compare.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` before this test');
      const out = mkdtempSync(join(tmpdir(), 'svclab-full-matrix-'));
      dirs.push(out);
      const r = await svclab(['compare', 'scenarios', '--backends', BACKENDS.join(','), '--out', out]);
      const tail = `\n--- stdout (end) ---\n${r.stdout.slice(-6000)}\n--- stderr (end) ---\n${r.stderr.slice(-3000)}`;
      expect(r.signal, `compare was stopped after ${RUN_LIMIT_MS / 60_000} min${tail}`).toBeNull();
      expect(r.code, `compare exit code${tail}`).toBe(0);

      const m = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as CompareResult;
      expect(m.exitCode).toBe(0);
      expect(m.backends.map((b) => [b.name, b.state])).toEqual(BACKENDS.map((b) => [b, 'ran']));
      for (const b of m.backends) expect(b.totals?.errors, `${b.name} errors`).toBe(0);

      // Every scenario of the catalogue, each step with a cell from each backend.
      const expected = (await discoverScenarioFiles([join(repo, 'scenarios')])).map((f) => relative(repo, resolve(repo, f))).sort();
      expect(m.scenarios.map((s) => relative(repo, resolve(repo, s.file))).sort()).toEqual(expected);
      for (const s of m.scenarios) {
        expect(s.errors, `${s.name}: scenario-level errors`).toEqual({});
        expect(s.steps.length, `${s.name}: steps`).toBeGreaterThan(0);
        for (const step of s.steps) {
          const where = `${s.name} step ${step.index + 1} (${step.title})`;
          expect(Object.keys(step.cells).sort(), where).toEqual([...BACKENDS].sort());
          for (const b of BACKENDS) expect(['pass', 'fail', 'skip'], `${where} on ${b}: ${step.cells[b].status} ${step.cells[b].reason ?? ''}`).toContain(step.cells[b].status);
          // No unexplained difference: agreement, or differences each stated in `diverges:`.
          expect(['agree', 'known'], `${where}: ${JSON.stringify(step.differences)}`).toContain(step.verdict);
          for (const d of step.differences) expect(d.known, `${where}: ${d.backend} differs from ${d.against} without an annotation`).toBe(true);
          for (const c of step.divergences) expect(c.state, `${where}: annotation for ${c.backend}`).not.toBe('stale');
        }
      }
      expect(m.totals.disagree + m.totals.stale + m.totals.error).toBe(0);
    },
    RUN_LIMIT_MS + 60_000,
  );
});
