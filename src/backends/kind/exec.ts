/**
 * The one place the kind backend starts programs: always an argument array (never a shell
 * string), with a time limit, an optional abort signal, and a record of every command line so
 * tests can pin exactly what would run. Tests swap in a fake `CommandRunner`.
 */
import { spawn } from 'node:child_process';

/** What one finished command produced. `code` is null when it was killed (timeout or abort). */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the time limit killed it. */
  timedOut: boolean;
}

export interface CommandOptions {
  /** Written to stdin, then stdin is closed (used for `kubectl apply -f -`). */
  input?: string;
  /** Kill after this long (default 120 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Extra environment (e.g. KUBECONFIG). */
  env?: Record<string, string>;
  /** Called with each non-empty line the program writes to stderr, as it comes (progress). */
  onStderrLine?: (line: string) => void;
}

/** Starts one program with an argument array. */
export interface CommandRunner {
  run(file: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult>;
}

/** A command as it would be typed, for logs and error messages (quoting only what needs it). */
export function formatCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

const DEFAULT_TIMEOUT_MS = 120_000;
/** Output kept per stream; kubectl get -o json of a busy namespace stays far below this. */
const MAX_OUTPUT = 32 * 1024 * 1024;

/** Runs real programs with `spawn` (no shell) and keeps the command lines it ran. */
export class ProcessRunner implements CommandRunner {
  /** Every command line started, in order (argument arrays, file first). */
  readonly history: string[][] = [];

  run(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    this.history.push([file, ...args]);
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        resolve({ code: null, stdout: '', stderr: 'aborted before start', timedOut: false });
        return;
      }
      const child = spawn(file, [...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: options.env ? { ...process.env, ...options.env } : process.env,
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        if (stdout.length < MAX_OUTPUT) stdout += d;
      });
      let partial = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < MAX_OUTPUT) stderr += d;
        if (options.onStderrLine) {
          // kind redraws its spinner with \r; every \r or \n ends a line worth showing.
          const parts = (partial + d).split(/[\r\n]/);
          partial = parts.pop() ?? '';
          for (const p of parts) if (p.trim() !== '') options.onStderrLine(p.trim());
        }
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const onAbort = (): void => {
        child.kill('SIGTERM');
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (err) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(err);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ code, stdout, stderr, timedOut });
      });
      child.stdin.on('error', () => {
        // The program may exit before reading stdin; its exit status tells what happened.
      });
      child.stdin.end(options.input ?? '');
    });
  }
}

/** Thrown when a command a step depends on fails; the message carries the command and its stderr. */
export class CommandFailedError extends Error {
  constructor(
    readonly command: string,
    readonly result: CommandResult,
  ) {
    const why = result.timedOut ? 'timed out' : result.code === null ? 'was stopped' : `exited ${result.code}`;
    const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
    super(`kind backend: \`${command}\` ${why}${tail ? `:\n${tail}` : ''}`);
    this.name = 'CommandFailedError';
  }
}

/** Run and require exit 0; returns stdout. */
export async function runChecked(runner: CommandRunner, file: string, args: readonly string[], options?: CommandOptions): Promise<string> {
  const result = await runner.run(file, args, options);
  if (result.code !== 0) throw new CommandFailedError(formatCommand(file, args), result);
  return result.stdout;
}
