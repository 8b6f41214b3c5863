/**
 * svclab's side of the sandbox: starts the agent under `unshare` in fresh mount, network and PID
 * namespaces, talks to it over JSON lines, and makes sure nothing survives svclab. A pidfile per
 * sandbox in the run dir lets the next run kill sandboxes whose svclab died by SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '../../errors.js';
import { onJsonLines } from './agent/json-lines.js';
import type { AgentCall, AgentResponse, ProbeRequest, ProbeResult, ServeRequest } from './agent/protocol.js';

/** Where pidfiles of running sandboxes live. */
export const runDir = join(tmpdir(), 'svclab-netns');

/** The built agent script (tests run from src/, the agent always runs from dist/). */
export function agentScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const direct = join(here, 'agent', 'main.js');
  if (existsSync(direct)) return direct;
  const built = join(here.replace(/([/\\])src([/\\]backends[/\\]netns)$/, '$1dist$2'), 'agent', 'main.js');
  if (existsSync(built)) return built;
  throw new BackendUnavailableError(`netns backend: agent not built (${direct}); run \`npm run build\` first`);
}

interface PidFile {
  /** The `unshare` process. */
  pid: number;
  /** The svclab process that owns it. */
  owner: number;
  agent: string;
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Kills sandboxes whose svclab is gone (killed before it could close them). Returns how many. */
export function sweepStale(): number {
  if (!existsSync(runDir)) return 0;
  let killed = 0;
  for (const file of readdirSync(runDir)) {
    if (!/^\d+\.json$/.test(file)) continue;
    const path = join(runDir, file);
    let entry: PidFile;
    try {
      entry = JSON.parse(readFileSync(path, 'utf8')) as PidFile;
    } catch {
      rmSync(path, { force: true });
      continue;
    }
    // A live owner (this process included: scenarios run side by side) still needs its sandbox.
    if (alive(entry.owner)) continue;
    const cmd = cmdline(entry.pid);
    // Only our own unshare+agent pair, never whatever process reuses the pid.
    if (cmd.startsWith('unshare ') && cmd.includes(entry.agent)) {
      try {
        process.kill(entry.pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    rmSync(path, { force: true });
  }
  return killed;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running sandbox: one agent, its namespaces and workers. */
export class Sandbox {
  private nextId = 1;
  private readonly pending = new Map<number, (res: AgentResponse) => void>();
  private closed = false;
  private readonly exited: Promise<void>;
  private readonly killOnExit = () => this.child.kill('SIGKILL');
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly pidFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    process.once('exit', this.killOnExit);
  }

  /** The host pid of the `unshare` process holding the sandbox. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Starts a sandbox (after sweeping stale ones) and waits until the agent is ready. */
  static async open(): Promise<Sandbox> {
    sweepStale();
    const agent = agentScript();
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    const child = spawn(
      'unshare',
      ['--mount', '--net', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--', process.execPath, agent, '--parent', String(process.pid)],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const pidFile = join(runDir, `${child.pid}.json`);
    if (child.pid !== undefined) writeFileSync(pidFile, JSON.stringify({ pid: child.pid, owner: process.pid, agent } satisfies PidFile));
    const sandbox = new Sandbox(child, pidFile);
    await sandbox.ready();
    return sandbox;
  }

  private ready(): Promise<void> {
    const child = this.child;
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    child.stdin!.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      let ready = false;
      onJsonLines<AgentResponse>(child.stdout!, (res) => {
        if (res.id === 0) {
          ready = true;
          resolve();
          return;
        }
        this.pending.get(res.id)?.(res);
        this.pending.delete(res.id);
      });
      child.once('error', (err) => reject(new BackendUnavailableError(`netns backend: cannot start unshare: ${err.message}`)));
      child.once('close', (code) => {
        this.cleanupFiles();
        const error = `netns sandbox exited (${code})${this.stderr ? `: ${this.stderr.trim()}` : ''}`;
        for (const done of this.pending.values()) done({ id: -1, ok: false, error });
        this.pending.clear();
        if (!ready) reject(new BackendUnavailableError(error));
      });
    });
  }

  private request(req: AgentCall): Promise<AgentResponse & { ok: true }> {
    if (this.closed) return Promise.reject(new Error('netns sandbox is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (res) => (res.ok ? resolve(res) : reject(new Error(res.error))));
      this.child.stdin!.write(JSON.stringify({ ...req, id }) + '\n');
    });
  }

  /** Runs a command (argument array) inside the sandbox. */
  async exec(argv: string[], input?: string, timeoutMs = 30_000): Promise<ExecResult> {
    const res = await this.request({ op: 'exec', argv, input, timeoutMs });
    return { code: res.code ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
  }

  /** Like exec, but a non-zero exit throws with the command and its stderr. */
  async execOk(argv: string[], input?: string, timeoutMs?: number): Promise<string> {
    const res = await this.exec(argv, input, timeoutMs);
    if (res.code !== 0) {
      throw new Error(`netns: \`${argv.join(' ')}\` failed (${res.code}): ${res.stderr.trim() || res.stdout.trim()}`);
    }
    return res.stdout;
  }

  async startWorker(key: string, ns: string): Promise<void> {
    await this.request({ op: 'startWorker', key, ns });
  }

  /** Starts `argv` (a program speaking id'd JSON lines, ready line first) inside namespace `ns`. */
  async startProgram(key: string, ns: string, argv: string[]): Promise<void> {
    await this.request({ op: 'startWorker', key, ns, argv });
  }

  /** One request to a program started with startProgram; its reply as it sent it. */
  async call(key: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await this.request({ op: 'call', key, request });
    return res.reply ?? {};
  }

  async stopWorker(key: string): Promise<void> {
    await this.request({ op: 'stopWorker', key });
  }

  async serve(key: string, request: Omit<ServeRequest, 'id' | 'op'>): Promise<void> {
    const res = await this.request({ op: 'worker', key, request: { op: 'serve', ...request } });
    if (res.response && !res.response.ok) throw new Error(`netns: echo server in ${key}: ${res.response.error}`);
  }

  async probe(key: string, request: Omit<ProbeRequest, 'id' | 'op'>): Promise<ProbeResult[]> {
    const res = await this.request({ op: 'worker', key, request: { op: 'probe', ...request } });
    if (!res.response?.ok) throw new Error(`netns: probe from ${key}: ${res.response && !res.response.ok ? res.response.error : 'no answer'}`);
    return res.response.results ?? [];
  }

  private cleanupFiles(): void {
    rmSync(this.pidFile, { force: true });
    process.removeListener('exit', this.killOnExit);
  }

  /** Ends the agent (and with it every namespace and process). Safe to call twice. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.child.stdin!.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
    this.cleanupFiles();
  }
}
