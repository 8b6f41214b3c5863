/**
 * Helper processes of the benchmarks (the proxy daemon, the echo pods): a built entry point run
 * with this Node.js, ready once its stdout matches a pattern, stopped with a signal and, if it
 * lingers, SIGKILL.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A file under dist/ (e.g. `cli/main.js`), also when this module runs from src/ under a test runner. */
export function builtPath(rel: string): string {
  const root = fileURLToPath(import.meta.url).endsWith('.ts') ? new URL('../../dist/', import.meta.url) : new URL('../', import.meta.url);
  return fileURLToPath(new URL(rel, root));
}

export interface ReadyChild {
  pid: number;
  /** The match of the ready pattern on the child's stdout. */
  match: RegExpExecArray;
  stop: () => Promise<void>;
}

export interface ReadyChildOptions {
  /** Written to the child's stdin, which then stays open (the child may watch it for our exit). */
  input?: string;
  /** Signal that asks the child to stop (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
}

/** Starts `node <entry> ...args` and waits up to 30 s for `ready` on its stdout; stops it again on failure. */
export async function startReadyChild(what: string, entry: string, args: string[], ready: RegExp, opts: ReadyChildOptions = {}): Promise<ReadyChild> {
  if (!existsSync(entry)) throw new Error(`bench: ${entry} is missing (run npm run build)`);
  const child = spawn(process.execPath, [entry, ...args], { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(opts.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    if (opts.input !== undefined) child.stdin!.write(opts.input);
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`bench: ${what} did not start within 30 s:\n${out}${err}`)), 30_000);
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = ready.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`bench: ${what} exited with ${code}:\n${out}${err}`));
      });
    });
    return { pid: child.pid!, match, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
