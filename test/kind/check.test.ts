import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPrerequisites } from '../../src/backends/kind/check.js';
import { BackendUnavailableError } from '../../src/errors.js';
import { FakeKind } from './fakeCluster.js';
import { repo } from './helpers.js';

describe('kind backend prerequisites', () => {
  it('names every missing piece at once', async () => {
    const fake = new FakeKind();
    fake.missing = new Set(['docker', 'kind', 'kubectl']);
    const err = await checkPrerequisites(fake, { needKind: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toBe(
      'kind backend unavailable: `docker` binary not found on PATH (install Docker Engine or Docker Desktop); `kind` not found on PATH (https://kind.sigs.k8s.io/docs/user/quick-start/#installation); `kubectl` not found on PATH (https://kubernetes.io/docs/tasks/tools/)',
    );
  });

  it('tells a docker binary without a reachable daemon apart', async () => {
    const fake = new FakeKind();
    fake.daemonDown = true;
    await expect(checkPrerequisites(fake, { needKind: true })).rejects.toThrow(
      'kind backend unavailable: docker daemon not reachable (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?)',
    );
  });

  it('passes with everything there; kind is not needed for a kubeconfig-only run', async () => {
    await expect(checkPrerequisites(new FakeKind(), { needKind: true })).resolves.toBeUndefined();
    const fake = new FakeKind();
    fake.missing = new Set(['kind']);
    await expect(checkPrerequisites(fake, { needKind: false })).resolves.toBeUndefined();
    await expect(checkPrerequisites(fake, { needKind: true })).rejects.toThrow(/`kind` not found on PATH/);
    expect(fake.history).toContainEqual(['docker', 'version', '--format', '{{.Server.Version}}']);
    expect(fake.history).toContainEqual(['kubectl', 'version', '--client']);
  });

  it('with --kubeconfig alone, the cluster must answer', async () => {
    const fake = new FakeKind();
    fake.missing = new Set(['kind']);
    await expect(checkPrerequisites(fake, { needKind: false, kubeconfig: '/ci/kubeconfig' })).resolves.toBeUndefined();
    expect(fake.history).toContainEqual(['kubectl', '--kubeconfig', '/ci/kubeconfig', 'get', '--raw', '/readyz']);
    fake.unreachable = true;
    await expect(checkPrerequisites(fake, { needKind: false, kubeconfig: '/ci/kubeconfig' })).rejects.toThrow(
      'kind backend unavailable: the cluster of --kubeconfig /ci/kubeconfig is not reachable (The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?)',
    );
  });
});

describe('svclab run --backend kind without docker (built CLI)', () => {
  const built = existsSync(join(repo, 'dist/cli/main.js')) && existsSync(join(repo, 'dist/backends/kind/index.js'));
  const bin = mkdtempSync(join(tmpdir(), 'svclab-kind-path-'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  function svclab(args: string[], path: string): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), ...args], { cwd: repo, encoding: 'utf8', timeout: 30_000, env: { ...process.env, PATH: path, CI: '1' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it.skipIf(!built)('exits 4 naming docker, kind and kubectl when none is on PATH', () => {
    const r = svclab(['run', 'scenarios/labs/004-kans-nodeport.yaml', '--backend', 'kind', '--reporter', 'console'], bin);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('kind backend unavailable: `docker` binary not found on PATH');
    expect(r.stderr).toContain('`kind` not found on PATH');
    expect(r.stderr).toContain('`kubectl` not found on PATH');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.skipIf(!built)('exits 4 saying the docker daemon is not reachable when only the client is there', () => {
    const docker = join(bin, 'docker');
    writeFileSync(docker, '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n');
    chmodSync(docker, 0o755);
    const r = svclab(['run', 'scenarios/labs/004-kans-nodeport.yaml', '--backend', 'kind', '--reporter', 'console'], `${bin}:/bin`);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('docker daemon not reachable (Cannot connect to the Docker daemon');
    rmSync(docker);
  });

  it.skipIf(!built)('--kind-cluster is validated (exit 2) and kind-only flags are refused on other backends', () => {
    // --out into the test's own folder: the repository's reports/ may hold anything.
    const bad = svclab(['run', 'scenarios/labs/004-kans-nodeport.yaml', '--backend', 'kind', '--kind-cluster', 'Bad_Name', '--out', join(bin, 'reports')], bin);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--kind-cluster must be lowercase letters, digits, '-' or '.'");
    const other = svclab(['run', '--backend', 'sim', '--keep'], bin);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--kind-cluster, --kubeconfig and --keep only apply to --backend kind');
  });
});
