import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repo, requireBuild } from './harness.js';

beforeAll(requireBuild);

function svclab(args: string[], cwd = repo): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, CI: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('svclab run exit codes (built CLI)', () => {
  it('--help prints the options and exits 0', () => {
    const r = svclab(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: svclab run [paths...] [options]');
    expect(r.stdout).toContain('--shard I/N');
  });

  it.each([
    [['run', '--backend', 'docker'], "--backend must be one of sim, proxy, netns, kind (got 'docker')"],
    [['run', '--shard', '0/3'], '--shard <index> must be a positive number'],
    [['run', '--nope'], "Unknown option '--nope'"],
  ])('%j exits 2 with a message and no stack trace', (args, message) => {
    const r = svclab(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  const dslBuilt = existsSync(join(repo, 'dist/dsl/load.js'));
  it.runIf(dslBuilt)('an invalid scenario file exits 3 and names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svclab-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nsteps: 42\n');
    const r = svclab(['run', 'bad.yaml', '--out', join(dir, 'reports')], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('bad.yaml:');
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });
});
