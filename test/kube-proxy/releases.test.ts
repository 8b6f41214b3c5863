/**
 * `--kube-proxy-version`: which kube-proxy-host binary runs, how an older release is built, and the
 * messages when it is unknown or not built. Running the older release itself needs its binary
 * (`npm run build:kube-proxy:v1.35.4`, not built by CI): that test skips with the reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostSourceDir, kubeProxyRelease, olderReleases, pinnedRelease } from '../../src/backends/kube-proxy/binary.js';
import { UsageError } from '../../src/errors.js';
import { kernelSkipReason } from '../netns/fixtures.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repo, 'dist/cli/main.js');
const seed004 = join(repo, 'scenarios/labs/004-kans-nodeport.yaml');

describe('kube-proxy releases', () => {
  it('the pinned release is the one go.mod requires; older ones have a module file', () => {
    expect(pinnedRelease()).toMatch(/^v1\.\d+\.\d+$/);
    expect(olderReleases()).toContain('v1.35.4');
    expect(pinnedRelease(hostSourceDir(), 'releases/v1.35.4.mod')).toBe('v1.35.4');
    const pinned = kubeProxyRelease(undefined, {});
    expect(pinned).toMatchObject({ pinned: true, build: 'npm run build:kube-proxy' });
    expect(kubeProxyRelease(pinned.version, {})).toEqual(pinned);
  });

  it('an older release has its own binary and build command (module file and build tag)', () => {
    const old = kubeProxyRelease('v1.35.4', {});
    expect(old.binary.endsWith('kube-proxy-host/bin/kube-proxy-host-v1.35.4')).toBe(true);
    expect(old.build).toBe('go build -C kube-proxy-host -modfile releases/v1.35.4.mod -tags kube_1_35 -trimpath -o bin/kube-proxy-host-v1.35.4 .');
  });

  it('an unknown release, or text that is not a version, is a usage error listing the known ones', () => {
    for (const bad of ['v1.2.3', '../../etc/passwd', 'latest']) {
      expect(() => kubeProxyRelease(bad, {})).toThrow(UsageError);
      expect(() => kubeProxyRelease(bad, {})).toThrow(/known: v1\.\d+\.\d+ \(pinned\), v1\.35\.4/);
    }
    const out = mkdtempSync(join(tmpdir(), 'svclab-releases-'));
    const r = spawnSync(process.execPath, [cli, 'run', seed004, '--backend', 'kube-proxy', '--kube-proxy-version', 'v9.9.9', '--out', out], { encoding: 'utf8' });
    rmSync(out, { recursive: true, force: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'v9.9.9' is not a release svclab can build");
    const wrongBackend = spawnSync(process.execPath, [cli, 'run', seed004, '--backend', 'sim', '--kube-proxy-version', 'v1.35.4'], { encoding: 'utf8' });
    expect(wrongBackend.status).toBe(2);
    expect(wrongBackend.stderr).toContain('--kube-proxy-version only applies to --backend kube-proxy');
  });

  it('an older release that is not built: exit 4 with the command that builds it', () => {
    const r = spawnSync(process.execPath, [cli, 'rules', seed004, '--diff', '--kube-proxy-version', 'v1.35.4'], { encoding: 'utf8' });
    if (existsSync(kubeProxyRelease('v1.35.4').binary)) {
      expect([0, 1]).toContain(r.status);
      return;
    }
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/kube-proxy-host-v1\.35\.4 is not built|needs root/);
    if (!/needs root/.test(r.stderr)) expect(r.stderr).toContain('-modfile releases/v1.35.4.mod -tags kube_1_35');
  });
});

const oldBinary = kubeProxyRelease('v1.35.4').binary;
const kernelSkip = await kernelSkipReason();
const skip = kernelSkip ?? (existsSync(oldBinary) ? undefined : `${oldBinary} is not built (npm run build:kube-proxy:v1.35.4)`);

describe('kube-proxy v1.35.4', () => {
  it.skipIf(skip)(`${skip ? `[skipped: ${skip}] ` : ''}writes seed-004's iptables rules as svclab renders them, and nftables rules that differ (release differences)`, () => {
    const ipt = spawnSync(process.execPath, [cli, 'rules', seed004, '--diff', '--mode', 'iptables', '--kube-proxy-version', 'v1.35.4'], { encoding: 'utf8', timeout: 120_000 });
    expect(ipt.status).toBe(0);
    expect(ipt.stderr).toContain('no difference from kube-proxy v1.35.4 (iptables mode)');
    const nft = spawnSync(process.execPath, [cli, 'rules', seed004, '--diff', '--mode', 'nftables', '--node', 'myk8s-worker', '--kube-proxy-version', 'v1.35.4'], { encoding: 'utf8', timeout: 120_000 });
    expect(nft.status).toBe(1);
    expect(nft.stdout).toContain('--- kube-proxy v1.35.4 (nftables mode)');
    // v1.37 tracks hairpin connections in a set; v1.35 did not have it.
    expect(nft.stdout).toContain('+set hairpin-connections {');
  });
});
