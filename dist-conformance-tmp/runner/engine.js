/**
 * The adapter to the task engine, `@vitest/runner` (pinned ~4.1; frozen upstream). This is the
 * only module that imports it: everything else speaks in EngineSuite/EngineTest and reads plain
 * EngineTaskResult records, so the engine can be replaced without touching the runner.
 *
 * The engine keeps module-global state (concurrency limiters are cached from the first run), so
 * a process runs it once: `runEngine` refuses a second call.
 */
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, startTests, test } from '@vitest/runner';
const VIRTUAL_FILE = 'svclab-scenarios';
let started = false;
function taskState(task) {
    // Skipped and todo tests have no result at all; their mode says what they are.
    const state = task.result?.state ?? task.mode;
    if (state === 'pass')
        return 'pass';
    if (state === 'fail')
        return 'fail';
    return 'skip';
}
function errorsOf(task) {
    return (task.result?.errors ?? []).map((e) => stripVTControlCharacters(e.message ?? String(e)));
}
function toResult(task) {
    // The engine stores skip notes on the result at run time; its public type omits them.
    const note = task.result?.note;
    const r = { state: taskState(task), errors: errorsOf(task), durationMs: task.result?.duration ?? 0 };
    return note === undefined ? r : { ...r, note };
}
function config(root, maxConcurrency) {
    return {
        root,
        setupFiles: [],
        name: 'svclab',
        passWithNoTests: true,
        testNamePattern: undefined,
        allowOnly: false,
        sequence: { shuffle: false, concurrent: false, seed: 0, hooks: 'stack', setupFiles: 'list' },
        chaiConfig: undefined,
        maxConcurrency,
        // Time limits are the runner's (per scenario, via the abort signal), not per test.
        testTimeout: 0,
        hookTimeout: 0,
        retry: 0,
        includeTaskLocation: false,
        tags: [],
        tagsFilter: undefined,
        strictTags: false,
    };
}
/** Run suites concurrently (up to `concurrency` at once), each suite's tests in order. */
export function runEngine(suites, options) {
    if (started)
        throw new Error('the task engine runs once per process');
    started = true;
    const hooks = options.hooks ?? {};
    const suiteIndex = new WeakMap();
    const testIndex = new WeakMap();
    const runner = {
        config: config(options.root, Math.max(1, options.concurrency)),
        importFile(_filepath, source) {
            if (source !== 'collect')
                return;
            for (const s of suites) {
                // Suites (scenarios) run concurrently with each other...
                describe(s.name, { concurrent: true }, () => {
                    beforeAll(() => s.setup());
                    afterAll(() => s.teardown());
                    for (const t of s.tests) {
                        // ...but the tests (steps) of one suite never overlap: opt out of the inherited flag.
                        test(t.name, { concurrent: false }, async (ctx) => {
                            const verdict = await t.run(ctx.signal);
                            if (verdict.skip !== undefined)
                                ctx.skip(verdict.skip);
                        });
                    }
                });
            }
        },
        onCollected(files) {
            for (const file of files) {
                file.tasks.forEach((suite, si) => {
                    suiteIndex.set(suite, si);
                    if (suite.type === 'suite')
                        suite.tasks.forEach((t, ti) => testIndex.set(t, [si, ti]));
                });
            }
        },
        onBeforeRunTask(task) {
            const at = testIndex.get(task);
            if (at !== undefined)
                hooks.onTestStart?.(at[0], at[1]);
        },
        onAfterRunTask(task) {
            const at = testIndex.get(task);
            if (at !== undefined)
                hooks.onTestEnd?.(at[0], at[1], toResult(task));
        },
        async onAfterRunSuite(suite) {
            const si = suiteIndex.get(suite);
            if (si === undefined)
                return;
            await hooks.onSuiteEnd?.(si, suite.tasks.map(toResult), errorsOf(suite));
        },
    };
    const done = startTests([VIRTUAL_FILE], runner).then((files) => {
        const file = files[0];
        if (file?.result?.state === 'fail' && file.tasks.length === 0) {
            throw new Error(`task engine failed to collect: ${errorsOf(file).join('; ')}`);
        }
        const tasks = file?.tasks ?? [];
        return {
            tests: suites.map((_, si) => {
                const t = tasks[si];
                return t?.type === 'suite' ? t.tasks.map(toResult) : [];
            }),
            setupErrors: suites.map((_, si) => (tasks[si] === undefined ? [] : errorsOf(tasks[si]))),
        };
    });
    return {
        done,
        cancel() {
            void runner.cancel?.('keyboard-input');
        },
    };
}
//# sourceMappingURL=engine.js.map