/**
 * `svclab proxyd` as a learner uses it: start it as its own process, paste what it prints into a
 * shell, and see the seed 004 lab's behaviour with real curl. Ctrl-C (SIGINT) cleans up.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODES, NPORT, PODS, lab004 } from './fixtures.js';
import { ProxyLab } from '../../src/backends/proxy/lab.js';
import { desiredStates } from '../../src/backends/proxy/buildDesired.js';
import { controlRequest } from '../../src/backends/proxy/controlApi.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');

const LAB = path.join(root, 'scenarios/labs/004-kans-nodeport.yaml');

interface Proxyd {
  child: ChildProcess;
  banner: string;
  vars: Record<string, string>;
  /** Pod names from the printed address map. */
  pods: string[];
}

const started: Proxyd[] = [];
let dir = '';

async function ensureCurl(): Promise<void> {
  try {
    await run('curl', ['--version']);
  } catch {
    await run('apt-get', ['install', '-y', 'curl']);
  }
}

async function newestMtime(dirPath: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dirPath, { withFileTypes: true })) {
    const full = path.join(dirPath, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, (await stat(full)).mtimeMs);
  }
  return newest;
}

async function distIsStale(): Promise<boolean> {
  const built = path.join(root, 'dist/cli/commands/proxyd.js');
  if (!existsSync(built)) return true;
  return (await newestMtime(path.join(root, 'src'))) > (await stat(built)).mtimeMs;
}

async function startProxyd(args: string[]): Promise<Proxyd> {
  const child = spawn(process.execPath, [cli, 'proxyd', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const banner = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`proxyd did not come up:\n${out}\n${stderr}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ctrl-C stops')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.once('exit', (code) => reject(new Error(`proxyd exited with ${code}:\n${out}\n${stderr}`)));
  });
  const line = banner.split('\n').find((l) => l.trim().startsWith('CNODE='))!;
  const vars = Object.fromEntries(line.trim().split(/\s+/).map((kv) => kv.replace(/'/g, '').split('=') as [string, string]));
  const pods = [...banner.matchAll(/^  pod\s+(\S+)\s/gm)].map((m) => m[1]);
  const p = { child, banner, vars, pods };
  started.push(p);
  return p;
}

async function stopProxyd(p: Proxyd): Promise<number | null> {
  if (p.child.exitCode !== null) return p.child.exitCode;
  const exited = new Promise<number | null>((r) => p.child.once('exit', r));
  p.child.kill('SIGINT');
  return exited;
}

beforeAll(async () => {
  await ensureCurl();
  // The CLI runs from dist/ (`npm test` builds first); rebuild only when a source is newer
  // (type errors elsewhere do not stop tsc from emitting).
  if (await distIsStale()) await run('npx', ['tsc', '-p', root], { cwd: root }).catch(() => undefined);
  expect(existsSync(path.join(root, 'dist/cli/commands/proxyd.js'))).toBe(true);
  dir = await mkdtemp(path.join(os.tmpdir(), 'svclab-proxyd-test-'));
}, 300_000);

afterAll(async () => {
  for (const p of started) await stopProxyd(p);
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

describe('svclab proxyd --scenario (seed 004 lab)', () => {
  let lab: Proxyd;
  beforeAll(async () => {
    lab = await startProxyd(['--scenario', LAB, '--seed', '4', '--hold-ms', '3000']);
  });

  it('prints the address map and the lab variables', () => {
    expect(lab.banner).toMatch(/node\s+myk8s-control-plane\s+172\.18\.0\.4\s+-> 127\.\d+\.1\.\d+/);
    expect(Object.keys(lab.vars)).toEqual(expect.arrayContaining(['CNODE', 'NODE1', 'NODE2', 'NODE3', 'NPORT', 'CIP', 'CIPPORT', 'SVCLAB_MYPC']));
    expect(lab.vars.NPORT).toBe(String(NPORT));
    expect(lab.pods).toHaveLength(3);
    expect(lab.banner).toContain('for i in {1..100}; do curl -s $CNODE:$NPORT/hostname; echo; done | sort | uniq -c');
  });

  it('answers from all three pods through every node port, as real curl sees it', async () => {
    for (const node of ['CNODE', 'NODE1', 'NODE2', 'NODE3']) {
      const seen = new Set<string>();
      for (let i = 0; i < 60 && seen.size < 3; i++) {
        const r = await curl(`http://${lab.vars[node]}:${lab.vars.NPORT}/hostname`);
        expect(r.code).toBe(0);
        seen.add(r.out);
      }
      expect(seen).toEqual(new Set(lab.pods));
    }
  });

  it('runs the seed loop pasted into bash', async () => {
    const varsLine = lab.banner.split('\n').find((l) => l.trim().startsWith('CNODE='))!.trim();
    const loop = 'for i in {1..100}; do curl -s $CNODE:$NPORT/hostname; echo; done | sort | uniq -c';
    const { stdout } = await run('bash', ['-c', `${varsLine}\n${loop}`]);
    const counts = stdout.trim().split('\n').map((l) => l.trim().split(/\s+/) as [string, string]);
    expect(counts.map(([, pod]) => pod).sort()).toEqual([...lab.pods].sort());
    expect(counts.reduce((a, [n]) => a + Number(n), 0)).toBe(100);
  });

  it('shows SNAT to the ingress node for a client, and no route to the ClusterIP from outside', async () => {
    // NODE2 (myk8s-worker2, pod CIDR 10.10.1.0/24) runs one of the pods: toward it the source is
    // the node's pod gateway, toward the others the node's address.
    const seen = await curl(`http://${lab.vars.NODE2}:${lab.vars.NPORT}/`, ['--interface', lab.vars.SVCLAB_MYPC]);
    const answer = JSON.parse(seen.out) as { node: string; clientip: string };
    expect(answer.clientip).toMatch(answer.node === 'myk8s-worker2' ? /^10\.10\.1\.1:\d+$/ : /^172\.18\.0\.2:\d+$/);
    const cip = await curl(`http://${lab.vars.CIP}:${lab.vars.CIPPORT}/hostname`, ['-m', '1', '--interface', lab.vars.SVCLAB_MYPC]);
    expect(cip.code).toBe(28); // curl: operation timed out
  });

  it('stops everything on Ctrl-C', async () => {
    expect(await stopProxyd(lab)).toBe(130);
    const after = await curl(`http://${lab.vars.CNODE}:${lab.vars.NPORT}/hostname`);
    expect(after.code).toBe(7); // curl: failed to connect (refused)
  });
});

describe('svclab proxyd --at-step (externalTrafficPolicy Local, 2 pods)', () => {
  it('drops on the pod-less node and keeps the client address on a node with a pod', async () => {
    const lab = await startProxyd(['--scenario', LAB, '--at-step', '9', '--hold-ms', '3000']);
    expect(lab.banner).toMatch(/at step 9/);
    const drop = await curl(`http://${lab.vars.CNODE}:${lab.vars.NPORT}/hostname`, ['-m', '1', '--interface', lab.vars.SVCLAB_MYPC]);
    expect(drop.code).toBe(28);
    const names = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = await curl(`http://${lab.vars.NODE1}:${lab.vars.NPORT}/hostname`, ['--interface', lab.vars.SVCLAB_MYPC]);
      names.add(r.out);
    }
    expect(names.size).toBe(1);
    const seen = await curl(`http://${lab.vars.NODE1}:${lab.vars.NPORT}/clientip`, ['--interface', lab.vars.SVCLAB_MYPC]);
    expect(seen.out).toMatch(/^172\.18\.0\.100:\d+$/);
    expect(await stopProxyd(lab)).toBe(130);
  });
});

describe('svclab proxyd --state', () => {
  it('brings up a ClusterState given as JSON', async () => {
    const stateFile = path.join(dir, 'lab004.json');
    await writeFile(stateFile, JSON.stringify(lab004()));
    const lab = await startProxyd(['--state', stateFile]);
    const r = await curl(`http://${lab.vars.NODE1}:${lab.vars.NPORT}/hostname`);
    expect(PODS.map((p) => p.name)).toContain(r.out);
    expect(await stopProxyd(lab)).toBe(130);
  });

  it('rejects bad usage with exit code 2 and a message', async () => {
    const bad = await run(process.execPath, [cli, 'proxyd', '--at-step', 'x', '--scenario', LAB]).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--at-step must be an integer') });
  });
});

describe('svclab proxyd --daemon', () => {
  it('runs one bare daemon that takes its state over the control API', async () => {
    const lab = await ProxyLab.start(lab004(), { seed: 2, withoutDaemons: true });
    try {
      const child = spawn(process.execPath, [cli, 'proxyd', '--daemon'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const p: Proxyd = { child, banner: '', vars: {}, pods: [] };
      started.push(p);
      const socketPath = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /control socket (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`proxyd --daemon exited with ${code}: ${out}`)));
      });
      const desired = desiredStates(lab004(), lab.map)[1];
      const bad = await controlRequest(socketPath, 'PUT', '/state', JSON.stringify({ ...desired, node: 7 }));
      expect(bad.status).toBe(400);
      const ok = await controlRequest(socketPath, 'PUT', '/state', JSON.stringify(desired));
      expect(ok.status).toBe(200);
      const r = await curl(`http://${lab.map.loopback(NODES[1].ip)}:${NPORT}/hostname`);
      expect(PODS.map((x) => x.name)).toContain(r.out);
      expect(await stopProxyd(p)).toBe(130);
    } finally {
      await lab.close();
    }
  });
});

