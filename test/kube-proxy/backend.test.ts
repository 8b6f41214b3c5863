/**
 * `--backend kube-proxy` end to end: upstream kube-proxy (kube-proxy-host, built by .ci/run with
 * `npm run build:kube-proxy`) writes the rules in every node namespace, the kernel moves the
 * packets, and the library's scenarios pass on it in both modes (iptables mode through `compare`
 * against the simulator, so every step must also agree). Without root or the built
 * program these skip with the reason; a missing program is exit 4 with the command that builds it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hostBinaryPath } from '../../src/backends/kube-proxy/binary.js';
import { kernelSkipReason } from '../netns/fixtures.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repo, 'dist/cli/main.js');
const kernelSkip = await kernelSkipReason();
const skip = kernelSkip ?? (existsSync(hostBinaryPath()) ? undefined : `${hostBinaryPath()} is not built (npm run build:kube-proxy)`);
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);
const out = mkdtempSync(join(tmpdir(), 'svclab-kube-proxy-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function svclab(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 600_000, env: { ...env, NO_COLOR: '1' } });
}

describe('kube-proxy backend', () => {
  it('without the built program: exit 4 naming it and the command that builds it', () => {
    const r = svclab(['run', join(repo, 'scenarios/labs/004-kans-nodeport.yaml'), '--backend', 'kube-proxy', '--out', join(out, 'missing')], {
      ...process.env,
      SVCLAB_KUBE_PROXY_HOST: join(out, 'no-such-kube-proxy-host'),
    });
    expect(r.status).toBe(4);
    expect(r.stderr + r.stdout).toMatch(/kube-proxy backend.*(no-such-kube-proxy-host is not built|needs root)/);
    if (!kernelSkip) expect(r.stderr + r.stdout).toMatch(/npm run build:kube-proxy/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  /** The kube-proxy run's result.json: no failure or error, every skip with its reason. */
  function expectLibraryPassed(resultFile: string): void {
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as { scenarios: { steps: { status: string; reason?: string }[] }[] };
    const steps = result.scenarios.flatMap((s) => s.steps);
    expect(steps.filter((s) => s.status === 'fail' || s.status === 'error')).toEqual([]);
    expect(steps.filter((s) => s.status === 'pass').length).toBeGreaterThan(100);
    for (const s of steps.filter((x) => x.status === 'skip')) expect(s.reason ?? '').not.toBe('');
  }

  // iptables mode goes through `compare`, which runs the library on kube-proxy and on the
  // simulator and must find every step the same (or a stated divergence).
  it.skipIf(skip)(title('compare --backends sim,kube-proxy: the library passes on upstream kube-proxy and every step agrees with the simulator'), { timeout: 900_000 }, () => {
    const dir = join(out, 'compare');
    const r = svclab(['compare', join(repo, 'scenarios'), '--backends', 'sim,kube-proxy', '--out', dir]);
    expect(r.status, r.stdout.split('\n').slice(-6).join('\n')).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as { totals: Record<string, number> };
    expect(report.totals).toMatchObject({ disagree: 0, error: 0, stale: 0 });
    expect(report.totals.agree).toBeGreaterThan(150);
    expectLibraryPassed(join(dir, 'kube-proxy', 'result.json'));
  });

  it.skipIf(skip)(title('the conformance library passes with upstream kube-proxy in nftables mode'), { timeout: 900_000 }, () => {
    const dir = join(out, 'nftables');
    const r = svclab(['run', join(repo, 'scenarios'), '--backend', 'kube-proxy', '--mode', 'nftables', '--reporter', 'console,json', '--out', dir]);
    const summary = r.stdout.split('\n').filter((l) => /passed|✗|error/.test(l)).join('\n');
    expect(r.status, summary).toBe(0);
    expectLibraryPassed(join(dir, 'result.json'));
  });
});
