import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { plainEnv, repo, requireBuild } from './harness.js';

beforeAll(requireBuild);

function svclab(args: string[], cwd = repo): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...plainEnv(), CI: '1' } });
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
    [['run', '--backend', 'docker'], "--backend must be one of sim, proxy, netns, kube-proxy, kind (got 'docker')"],
    [['run', '--shard', '0/3'], '--shard <index> must be a positive number'],
    [['run', '--nope'], "Unknown option '--nope'"],
  ])('%j exits 2 with a message and no stack trace', (args, message) => {
    const r = svclab(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  const simBuilt = existsSync(join(repo, 'dist/dsl/load.js')) && existsSync(join(repo, 'dist/backends/sim/index.js'));

  const scenario = (expect: string) => `name: tiny
cluster:
  nodes:
    - { name: cp, role: control-plane, ip: 172.18.0.2 }
    - { name: w1, ip: 172.18.0.3 }
    - { name: w2, ip: 172.18.0.4 }
resources:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 2
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec: { containers: [{ name: web, image: agnhost, ports: [{ containerPort: 8080 }] }] }
  - apiVersion: v1
    kind: Service
    metadata: { name: web }
    spec:
      selector: { app: web }
      ports: [{ port: 80, targetPort: 8080 }]
placement:
  web: [w1, w2]
steps:
  - send: 100 curls to CIP:CIPPORT from node cp
    expect: ${expect}
`;

  function lab(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'svclab-cli-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  it.runIf(simBuilt)('a correct scenario passes on sim: exit 0, reports in --out', () => {
    const dir = lab({ 'tiny.yaml': scenario('{ outcome: ok, distribution: uniform }') });
    const r = svclab(['run', 'tiny.yaml', '--out', 'out'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 0 failed');
    expect(existsSync(join(dir, 'out/junit.xml'))).toBe(true);
    expect(existsSync(join(dir, 'out/index.html'))).toBe(true);
    expect(existsSync(join(dir, 'out/result.json'))).toBe(false);
  });

  it.runIf(simBuilt)('a wrong expectation exits 1 naming file:line and showing the numbers', () => {
    const dir = lab({ 'tiny.yaml': scenario('{ outcome: timeout, distribution: { weights: { web-1: 9, web-2: 1 }, method: exact } }') });
    const r = svclab(['run', 'tiny.yaml', '--reporter', 'console'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('tiny.yaml:27:24: expected all 100 requests to time out (timeout), got 100 ok');
    expect(r.stdout).toMatch(/tiny\.yaml:27:\d+: exact probabilities from the rules are not split by the given weights: web-1 expected 90%, rules give 50%; web-2 expected 10%, rules give 50%/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
    expect(existsSync(join(dir, 'reports'))).toBe(false);
  });

  it.runIf(simBuilt)('an invalid scenario file exits 3, names the file, and runs nothing', () => {
    const dir = lab({ 'good.yaml': scenario('{ outcome: ok }'), 'bad.yaml': 'name: bad\nsteps: 42\n' });
    const r = svclab(['run', '.', '--out', 'out'], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('bad.yaml:');
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
