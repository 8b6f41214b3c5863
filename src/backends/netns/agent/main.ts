/**
 * The sandbox agent. svclab starts it as
 *   unshare --mount --net --pid --fork --kill-child --propagation private -- node main.js --parent <pid>
 * so it runs as PID 1 of a fresh PID namespace, in a fresh network and mount namespace. It mounts a
 * private tmpfs on /run (so `ip netns` names live only here), then runs the commands and workers
 * svclab asks for over stdin/stdout JSON lines. When it ends, for whatever reason, the kernel kills
 * every process of its PID namespace and every lab namespace goes with them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { onJsonLines } from './json-lines.js';
import type { AgentRequest, AgentResponse, WorkerResponse } from './protocol.js';

const workerScript = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');

function send(res: AgentResponse): void {
  process.stdout.write(JSON.stringify(res) + '\n');
}

function die(message: string): never {
  process.stderr.write(`svclab netns agent: ${message}\n`);
  process.exit(1);
}

function run(argv: string[], input: string | undefined, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\nkilled after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

interface Worker {
  child: ChildProcess;
  pending: Map<number, (res: WorkerResponse) => void>;
  nextId: number;
  stderr: string;
}

const workers = new Map<string, Worker>();

function startWorker(key: string, ns: string, argv?: string[]): Promise<void> {
  if (workers.has(key)) return Promise.reject(new Error(`worker ${key} already runs`));
  const program = argv ?? [process.execPath, workerScript];
  const child = spawn('ip', ['netns', 'exec', ns, ...program], { stdio: ['pipe', 'pipe', 'pipe'] });
  const worker: Worker = { child, pending: new Map(), nextId: 1, stderr: '' };
  workers.set(key, worker);
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (worker.stderr = (worker.stderr + d).slice(-2000)));
  child.stdin!.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    let ready = false;
    onJsonLines<WorkerResponse>(child.stdout!, (res) => {
      if (res.id === 0) {
        ready = true;
        resolve();
        return;
      }
      worker.pending.get(res.id)?.(res);
      worker.pending.delete(res.id);
    });
    child.on('close', (code) => {
      workers.delete(key);
      const error = `worker in ${ns} exited (${code}): ${worker.stderr.trim()}`;
      for (const done of worker.pending.values()) done({ id: -1, ok: false, error });
      if (!ready) reject(new Error(error));
    });
  });
}

function callWorker<R = WorkerResponse>(key: string, request: object): Promise<R> {
  const worker = workers.get(key);
  if (!worker) return Promise.reject(new Error(`no worker ${key}`));
  const id = worker.nextId++;
  return new Promise((resolve) => {
    worker.pending.set(id, resolve as (res: WorkerResponse) => void);
    worker.child.stdin!.write(JSON.stringify({ ...request, id }) + '\n');
  });
}

function stopWorker(key: string): Promise<void> {
  const worker = workers.get(key);
  if (!worker) return Promise.resolve();
  return new Promise((resolve) => {
    worker.child.once('close', () => resolve());
    worker.child.kill('SIGKILL');
  });
}

async function handle(req: AgentRequest): Promise<AgentResponse> {
  try {
    switch (req.op) {
      case 'exec':
        return { id: req.id, ok: true, ...(await run(req.argv, req.input, req.timeoutMs)) };
      case 'startWorker':
        await startWorker(req.key, req.ns, req.argv);
        return { id: req.id, ok: true };
      case 'stopWorker':
        await stopWorker(req.key);
        return { id: req.id, ok: true };
      case 'worker':
        return { id: req.id, ok: true, response: await callWorker(req.key, req.request) };
      case 'call':
        return { id: req.id, ok: true, reply: await callWorker<Record<string, unknown>>(req.key, req.request) };
    }
  } catch (err) {
    return { id: req.id, ok: false, error: (err as Error).message };
  }
}

function shutdown(code: number): never {
  for (const w of workers.values()) w.child.kill('SIGKILL');
  process.exit(code);
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--parent');
  const parent = Number(process.argv[i + 1]);
  if (i < 0 || !Number.isInteger(parent) || parent <= 1) die('usage: main.js --parent <pid>');
  // Refuse to run anywhere but in a namespace of our own: the host's network is never touched.
  let own: string;
  try {
    own = readlinkSync('/proc/self/ns/net');
    if (own === readlinkSync(`/proc/${parent}/ns/net`)) die('not in a private network namespace; refusing to run');
  } catch (err) {
    die(`cannot compare network namespaces: ${(err as Error).message}`);
  }
  const mounted = await run(['mount', '-t', 'tmpfs', '-o', 'mode=0755,size=16m', 'svclab-run', '/run'], undefined, 10_000);
  if (mounted.code !== 0) die(`cannot mount a private /run: ${mounted.stderr.trim()}`);
  mkdirSync('/run/netns', { recursive: true });

  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => shutdown(0));
  // svclab gone (even by SIGKILL): stop. stdin EOF covers most cases, the poll the rest.
  // (kill(pid, 0) cannot see the parent from inside the new PID namespace; the host's /proc can.)
  setInterval(() => {
    if (!existsSync(`/proc/${parent}`)) shutdown(0);
  }, 500).unref();

  onJsonLines<AgentRequest>(process.stdin, (req) => void handle(req).then(send)).on('close', () => shutdown(0));
  send({ id: 0, ok: true, ready: true, pid: process.pid });
}

void main();
