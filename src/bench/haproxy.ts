/**
 * HAProxy beside proxyd: Debian's `haproxy` doing the same forwarding as proxyd (plain TCP, one
 * backend server: the echo pod) on loopback, measured with the same client and load loop as the
 * proxy bench, beside a direct connection to the same echo pod in the same run.
 *
 * HAProxy runs single-threaded (`nbthread 1`), as proxyd is one Node.js thread. Its config lives in
 * a temp dir; the process is killed and the dir removed before `benchHaproxy` returns or throws.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoPodsProcess } from './echo-pods-process.js';
import { measureInterleaved } from './http-load.js';
import type { LoadFigure } from './load-figure.js';
import { syntheticCluster } from './synthetic.js';

/** One measurement of the HAProxy bench: through HAProxy or direct, at one concurrency. */
export type HaproxyLoadFigure = LoadFigure<'haproxy' | 'direct'>;

export interface HaproxyBenchResult {
  version: string;
  figures: HaproxyLoadFigure[];
}

export interface HaproxyBenchOptions {
  concurrencies: number[];
  /** Requests per path and concurrency (at least 4x the concurrency is used). */
  requests: number;
  warmup: number;
  signal?: AbortSignal;
  /** Sees every child process started, so an interrupt can stop it. */
  track: (child: ChildProcess) => void;
  log?: (line: string) => void;
}

/** Runs a command to completion with a time limit; never throws for a non-zero exit. */
export function runCommand(cmd: string, args: string[], opts: { timeoutMs: number; track: (c: ChildProcess) => void; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; out: string; error?: string }> {
  return new Promise((resolve) => {
    let out = '';
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    } catch (err) {
      resolve({ code: null, out: '', error: (err as Error).message });
      return;
    }
    opts.track(child);
    const keep = (d: Buffer): void => {
      out = (out + d.toString('utf8')).slice(-4000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, out, error: err.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/**
 * Makes sure `haproxy` can run, installing Debian's package with apt-get when it is missing.
 * Returns its version line, or throws with the reason it is not available.
 */
export async function ensureHaproxy(track: (c: ChildProcess) => void, log: (line: string) => void): Promise<string> {
  const version = async (): Promise<string | undefined> => {
    const r = await runCommand('haproxy', ['-v'], { timeoutMs: 10_000, track });
    return r.code === 0 ? r.out.split('\n')[0].trim() : undefined;
  };
  const have = await version();
  if (have) return have;
  if (process.getuid?.() !== 0) throw new Error('haproxy is not installed and installing it needs root (apt-get install -y haproxy)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('haproxy missing: apt-get install -y haproxy');
  let install = await runCommand('apt-get', ['install', '-y', '--no-install-recommends', 'haproxy'], { timeoutMs: 240_000, track, env });
  if (install.code !== 0) {
    log('haproxy install failed; apt-get update and retry');
    await runCommand('apt-get', ['update'], { timeoutMs: 180_000, track, env });
    install = await runCommand('apt-get', ['install', '-y', '--no-install-recommends', 'haproxy'], { timeoutMs: 240_000, track, env });
  }
  const after = await version();
  if (after) return after;
  const why = install.error ?? install.out.trim().split('\n').slice(-2).join(' / ');
  throw new Error(`apt-get install -y haproxy failed (exit ${install.code}): ${why}`);
}

/** The HAProxy config: one TCP frontend on `listen`, one server (the echo pod). */
export function haproxyConfig(listen: { host: string; port: number }, server: { host: string; port: number }, maxconn: number): string {
  return [
    'global',
    `  maxconn ${maxconn}`,
    '  nbthread 1',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    'frontend bench',
    `  bind ${listen.host}:${listen.port}`,
    `  maxconn ${maxconn}`,
    '  default_backend pod',
    'backend pod',
    `  server echo ${server.host}:${server.port} maxconn ${maxconn}`,
    '',
  ].join('\n');
}

/** A free TCP port on `host` (the listener is closed again; the kernel will not hand it out soon). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForListener(host: string, port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode}: ${output().trim()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`haproxy did not listen on ${host}:${port} within 10 s: ${output().trim()}`);
}

/** Direct and through-HAProxy load on one echo pod; everything started is stopped before returning. */
export async function benchHaproxy(version: string, opts: HaproxyBenchOptions): Promise<HaproxyBenchResult> {
  const state = syntheticCluster({ nodes: 1, services: 1, endpointsPerService: 1 });
  const pod = state.pods[0];
  // The echo pod in its own process, as in the proxyd bench, so both proxies face the same pod.
  const lab = await startEchoPodsProcess(state);
  const dir = await mkdtemp(join(tmpdir(), 'svclab-bench-haproxy-'));
  let child: ChildProcess | undefined;
  try {
    const localAddress = lab.map.loopback(state.cluster.clients[0].address);
    const direct = { host: lab.map.loopback(pod.ip), port: pod.ports[0].containerPort, localAddress };
    const listen = { host: '127.0.0.1', port: await freePort('127.0.0.1') };
    const maxconn = Math.max(4096, 2 * Math.max(...opts.concurrencies));
    const cfg = join(dir, 'haproxy.cfg');
    await writeFile(cfg, haproxyConfig(listen, direct, maxconn));
    let output = '';
    child = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    opts.track(child);
    const keep = (d: Buffer): void => {
      output = (output + d.toString('utf8')).slice(-2000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitForListener(listen.host, listen.port, child, () => output);
    const viaHaproxy = { ...listen, localAddress };
    const figures: HaproxyLoadFigure[] = [];
    for (const c of opts.concurrencies) {
      const requests = Math.max(opts.requests, c * 4);
      const measured = await measureInterleaved(
        [
          { path: 'direct', target: direct },
          { path: 'haproxy', target: viaHaproxy },
        ] as const,
        c,
        requests,
        { warmup: Math.min(requests, opts.warmup), signal: opts.signal },
      );
      for (const f of measured) {
        opts.log?.(`haproxy bench: ${f.path.padEnd(7)} c=${String(c).padStart(4)}  ${f.requestsPerSecond} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  errors ${f.errors}`);
        figures.push(f);
      }
    }
    return { version, figures };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child!.once('close', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child!.kill('SIGKILL'), 3_000);
      await gone;
      clearTimeout(timer);
    }
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
