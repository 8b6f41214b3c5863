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
    timeoutMs;
    constructor(timeoutMs) {
        super(`scenario timed out after ${timeoutMs} ms (--timeout)`);
        this.timeoutMs = timeoutMs;
        this.name = 'ScenarioTimeout';
    }
}
/** Settle with `work`, or reject with the signal's reason as soon as it aborts (the work keeps its own signal). */
export function untilAborted(work, signal) {
    if (signal.aborted) {
        work.catch(() => undefined);
        return Promise.reject(signal.reason);
    }
    return new Promise((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        work.then((value) => {
            signal.removeEventListener('abort', onAbort);
            resolve(value);
        }, (err) => {
            signal.removeEventListener('abort', onAbort);
            reject(err);
        });
    });
}
/** An error's message without stack, whatever was thrown. */
export function messageOf(err) {
    if (err instanceof Error)
        return err.message;
    return String(err);
}
//# sourceMappingURL=abort.js.map