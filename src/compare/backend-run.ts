/**
 * Runs the scenarios on one backend in its own child process (`svclab run ... --reporter json,html`):
 * the task engine allows one run per process, and a crash or hang of one backend cannot take the
 * comparison down. Reads the child's `result.json`; exit 4 becomes an `unavailable` column.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode } from '../errors.js';
import type { RunResult } from '../report/result.js';
import type { BackendRun } from './matrix.js';

export interface BackendRunRequest {
  /** Path of the CLI entry (`dist/cli/main.js`). */
  cli: string;
  backend: string;
  /** kube-proxy mode forced on the run (--mode), when the comparison sets one. */
  mode?: string;
  paths: string[];
  /** Folder the child writes result.json and index.html into. */
  out: string;
  /** kube-proxy backend only: an older release (--kube-proxy-version). */
  kubeProxyVersion?: string;
  /** Passed as --seed only when the user gave one (else scenarios keep their own seeds). */
  seed?: number;
  grep?: string;
  tags: string[];
  cwd: string;
  /** Registers a handler called on every Ctrl-C: each one is forwarded to the child as one SIGINT. */
  onInterrupt(handler: () => void): () => void;
}

/** What the comparison needs back: the run, plus whether the child was interrupted. */
export interface BackendRunOutcome {
  run: BackendRun;
  interrupted: boolean;
}

/** Keep the last `limit` characters of a stream (enough for an error message). */
function tail(limit: number): { push(chunk: Buffer): void; text(): string } {
  let text = '';
  return {
    push(chunk) {
      text = (text + chunk.toString('utf8')).slice(-limit);
    },
    text: () => text,
  };
}

export function childArgs(req: BackendRunRequest): string[] {
  const args = [req.cli, 'run', ...req.paths, '--backend', req.backend, '--reporter', 'json,html', '--out', req.out, '--no-color'];
  if (req.mode !== undefined) args.push('--mode', req.mode);
  if (req.seed !== undefined) args.push('--seed', String(req.seed));
  if (req.kubeProxyVersion !== undefined) args.push('--kube-proxy-version', req.kubeProxyVersion);
  if (req.grep !== undefined) args.push('--grep', req.grep);
  for (const t of req.tags) args.push('--tag', t);
  return args;
}

export async function runBackendInChild(req: BackendRunRequest): Promise<BackendRunOutcome> {
  const stderr = tail(16_384);
  // Own process group: a terminal Ctrl-C reaches only us, and we forward exactly one SIGINT per
  // Ctrl-C (the run command treats a second one as "quit now, skip cleanup").
  const child = spawn(process.execPath, childArgs(req), { cwd: req.cwd, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  let interrupts = 0;
  const stop = req.onInterrupt(() => {
    interrupts++;
    child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(c ?? (signal !== null ? ExitCode.interrupted : null)));
  }).finally(stop);
  const message = stderr.text().trim();
  const name = req.backend;
  if (code === ExitCode.backendUnavailable) {
    return { run: { name, state: 'unavailable', reason: message.split('\n').filter((l) => l.trim() !== '').join(' ') || 'exit 4' }, interrupted: false };
  }
  const interrupted = code === ExitCode.interrupted || interrupts > 0;
  if (code === ExitCode.ok || code === ExitCode.failed || code === ExitCode.interrupted) {
    try {
      const result = JSON.parse(await readFile(path.join(req.out, 'result.json'), 'utf8')) as RunResult;
      return { run: { name, state: 'ran', result }, interrupted };
    } catch (err) {
      return { run: { name, state: 'failed', reason: `svclab run --backend ${name} wrote no readable result.json: ${(err as Error).message}` }, interrupted };
    }
  }
  return { run: { name, state: 'failed', reason: `svclab run --backend ${name} exited with ${code ?? 'no code'}${message ? `: ${message}` : ''}` }, interrupted };
}
