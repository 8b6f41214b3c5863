/**
 * `svclab proxyd` as a learner uses it: start it as its own process, paste what it prints into a
 * shell, and see the seed 004 lab's behaviour with real curl. Ctrl-C (SIGINT) cleans up.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPORT, PODS, lab004 } from './fixtures.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');

let child: ChildProcess | undefined;
let dir = '';
let banner = '';
let vars: Record<string, string> = {};

async function ensureCurl(): Promise<void> {
  try {
    await run('curl', ['--version']);
  } catch {
    await run('apt-get', ['install', '-y', 'curl']);
  }
}

beforeAll(async () => {
  await ensureCurl();
  // The CLI runs from dist/; build it (type errors elsewhere do not stop tsc from emitting).
  await run('npx', ['tsc', '-p', root], { cwd: root }).catch(() => undefined);
  expect(existsSync(path.join(root, 'dist/cli/commands/proxyd.js'))).toBe(true);
  dir = await mkdtemp(path.join(os.tmpdir(), 'svclab-proxyd-test-'));
  const stateFile = path.join(dir, 'lab004.json');
  await writeFile(stateFile, JSON.stringify(lab004()));
  child = spawn(process.execPath, [cli, 'proxyd', '--state', stateFile, '--seed', '4', '--hold-ms', '3000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  banner = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`proxyd did not come up:\n${out}\n${stderr}`)), 60_000);
    child!.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ctrl-C stops')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child!.once('exit', (code) => reject(new Error(`proxyd exited with ${code}:\n${out}\n${stderr}`)));
  });
  const line = banner.split('\n').find((l) => l.trim().startsWith('CNODE='))!;
  vars = Object.fromEntries(line.trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGINT');
    await new Promise((r) => child!.once('exit', r));
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function curl(url: string, extra: string[] = []): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run('curl', ['-s', '-m', '5', ...extra, url]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: e.stdout ?? '' };
  }
}

describe('svclab proxyd standalone', () => {
  it('prints the address map and the lab variables', () => {
    expect(banner).toMatch(/node\s+myk8s-control-plane\s+172\.18\.0\.4\s+-> 127\.\d+\.1\.\d+/);
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(['CNODE', 'NODE1', 'NODE2', 'NODE3', 'NPORT', 'CIP', 'CIPPORT', 'MYPC']));
    expect(vars.NPORT).toBe(String(NPORT));
    expect(banner).toContain('for i in {1..100}; do curl -s $CNODE:$NPORT/hostname; echo; done | sort | uniq -c');
  });

  it('answers from all three pods through every node port, as real curl sees it', async () => {
    for (const node of ['CNODE', 'NODE1', 'NODE2', 'NODE3']) {
      const seen = new Set<string>();
      for (let i = 0; i < 40 && seen.size < 3; i++) {
        const r = await curl(`http://${vars[node]}:${vars.NPORT}/hostname`);
        expect(r.code).toBe(0);
        seen.add(r.out);
      }
      expect(seen).toEqual(new Set(PODS.map((p) => p.name)));
    }
  });

  it('runs the seed loop pasted into bash', async () => {
    const varsLine = banner.split('\n').find((l) => l.trim().startsWith('CNODE='))!.trim();
    const loop = 'for i in {1..100}; do curl -s $CNODE:$NPORT/hostname; echo; done | sort | uniq -c';
    const { stdout } = await run('bash', ['-c', `${varsLine}\n${loop}`]);
    const counts = stdout.trim().split('\n').map((l) => l.trim().split(/\s+/) as [string, string]);
    expect(counts.map(([, pod]) => pod).sort()).toEqual(PODS.map((p) => p.name).sort());
    expect(counts.reduce((a, [n]) => a + Number(n), 0)).toBe(100);
  });

  it('shows SNAT to the ingress node for a client, and no route to the ClusterIP from outside', async () => {
    const seen = await curl(`http://${vars.NODE2}:${vars.NPORT}/clientip`, ['--interface', vars.MYPC]);
    expect(seen.out).toMatch(/^172\.18\.0\.2:\d+$/);
    const cip = await curl(`http://${vars.CIP}:${vars.CIPPORT}/hostname`, ['-m', '1', '--interface', vars.MYPC]);
    expect(cip.code).toBe(28); // curl: operation timed out
  });

  it('stops everything on Ctrl-C', async () => {
    child!.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child!.once('exit', r));
    expect(code).toBe(130);
    const after = await curl(`http://${vars.CNODE}:${vars.NPORT}/hostname`);
    expect(after.code).toBe(7); // curl: failed to connect (refused)
  });
});
