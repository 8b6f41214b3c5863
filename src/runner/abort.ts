/** Abort reasons the runner tells apart, and a way to stop waiting on work that ignores its signal. */

/** The user pressed Ctrl-C. */
export class Interrupted extends Error {
  constructor() {
    super('run interrupted');
    this.name = 'Interrupted';
  }
}

/** The scenario ran longer than --timeout. */
export class ScenarioTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`scenario timed out after ${timeoutMs} ms (--timeout)`);
    this.name = 'ScenarioTimeout';
  }
}

/** Settle with `work`, or reject with the signal's reason as soon as it aborts (the work keeps its own signal). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** An error's message without stack, whatever was thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
