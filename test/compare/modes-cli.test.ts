/**
 * The migration report as a user runs it: the built CLI, `svclab compare --modes iptables,nftables`
 * over the modes fixtures on real data planes, and its exit codes: 0 when every change between the
 * modes is stated in the step's `modes:` block, 1 on an unstated change and on a block with no change
 * left. The kernel runs need root and nft; without them those tests are skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../src/compare/model.js';
import { checkNftPrerequisites } from '../../src/backends/netns/check.js';
import { kernelSkipReason } from '../netns/fixtures.js';

const repo = join(import.meta.dirname, '../..');
const fixtures = 'test/compare/modes-fixtures';
const kernelSkip = (await kernelSkipReason()) ?? (await checkNftPrerequisites());
let out: string;

beforeAll(() => {
  if (!existsSync(join(repo, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) before these tests');
  out = mkdtempSync(join(tmpdir(), 'svclab-modes-cli-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

function compare(file: string, backends: string, dir: string): { code: number | null; stdout: string; stderr: string; matrix: CompareResult } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !['FORCE_COLOR', 'NO_COLOR'].includes(k)) env[k] = v;
  const r = spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), 'compare', `${fixtures}/${file}`, '--backends', backends, '--modes', 'iptables,nftables', '--out', dir], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, matrix: JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as CompareResult };
}

describe('compare --modes on the simulator', () => {
  it('stated: exit 0; unstated: exit 1; a block with no change: exit 1', () => {
    const stated = compare('stated.yaml', 'sim', join(out, 'sim-stated'));
    expect(stated.code, stated.stdout + stated.stderr).toBe(0);
    expect(stated.stdout).toContain('sim: outcome: timeout×10 → refused×10');
    const unstated = compare('unstated.yaml', 'sim', join(out, 'sim-unstated'));
    expect(unstated.code, unstated.stdout + unstated.stderr).toBe(1);
    expect(unstated.matrix.scenarios[0].steps[0].modes?.state).toBe('unstated');
    const stale = compare('no-change.yaml', 'sim', join(out, 'sim-no-change'));
    expect(stale.code, stale.stdout + stale.stderr).toBe(1);
    expect(stale.matrix.scenarios[0].steps[0].modes?.state).toBe('stale');
  });

  it('the library: every change between the modes is stated (exit 0)', () => {
    const r = compare('../../../scenarios', 'sim', join(out, 'sim-library'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.matrix.modeTotals?.unstated).toBe(0);
    expect(r.matrix.modeTotals?.stated).toBeGreaterThanOrEqual(7);
  });
});

describe.skipIf(kernelSkip !== undefined)(`compare --modes on the kernel (netns)${kernelSkip ? ` [skipped: ${kernelSkip}]` : ''}`, () => {
  it('a stated change: exit 0; the console lists it with before, after and why', () => {
    const r = compare('stated.yaml', 'netns', join(out, 'stated'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('netns: outcome: timeout×10 → refused×10');
    expect(r.stdout).toContain('why: nftables mode rejects unserved ports of an active ClusterIP');
    expect(r.matrix.modeTotals).toEqual({ same: 1, stated: 1, unstated: 0, stale: 0, unchecked: 0 });
    expect(readFileSync(join(out, 'stated', 'index.html'), 'utf8')).toContain('what changes for you');
  });

  it('the same change stated nowhere: exit 1', () => {
    const r = compare('unstated.yaml', 'netns', join(out, 'unstated'));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('UNSTATED: changes between iptables and nftables mode and the step states nothing');
    expect(r.matrix.scenarios[0].steps.map((s) => s.modes?.state)).toEqual(['unstated', 'same']);
  });

  it('a modes: block on a step that does not change: exit 1 (stale)', () => {
    const r = compare('no-change.yaml', 'netns', join(out, 'no-change'));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.matrix.scenarios[0].steps[0].modes?.state).toBe('stale');
  });
});
