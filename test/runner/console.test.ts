import { describe, expect, it } from 'vitest';
import { ConsoleReporter, decideColor, decideLive, summaryLine } from '../../src/report/console.js';
import type { RunResult, ScenarioResult } from '../../src/report/result.js';

const file = '/labs/scenarios/nodeport.yaml';

function capture(isTTY = false): { out: { write(t: string): void; isTTY: boolean; columns: number }; text: () => string } {
  let buf = '';
  return { out: { write: (t: string) => void (buf += t), isTTY, columns: 60 }, text: () => buf };
}

const passed: ScenarioResult = {
  name: 'nodeport-basic',
  file: 'scenarios/nodeport.yaml',
  tags: [],
  status: 'pass',
  seed: 1,
  durationMs: 1234,
  steps: [{ index: 0, kind: 'send', title: '100 curls to CNODE:NPORT from mypc', loc: { file, line: 20, col: 5 }, status: 'pass', durationMs: 3, assertions: [] }],
};

const failed: ScenarioResult = {
  ...passed,
  name: 'nodeport-local',
  status: 'fail',
  durationMs: 12.4,
  steps: [
    { index: 0, kind: 'change', title: 'patch service/svc', loc: { file, line: 18, col: 5 }, status: 'pass', durationMs: 1, assertions: [] },
    {
      index: 1,
      kind: 'send',
      title: '10 curls to NODE1:NPORT from mypc',
      loc: { file, line: 22, col: 5 },
      status: 'fail',
      durationMs: 2,
      assertions: [
        { kind: 'outcome', passed: true, message: 'all 10 requests ok', loc: { file, line: 23, col: 13 } },
        { kind: 'sourceSeen', passed: false, message: 'scenarios/nodeport.yaml:23:30: expected pods to see the client address', loc: { file, line: 23, col: 30 } },
      ],
    },
  ],
};

const errored: ScenarioResult = {
  ...passed,
  name: 'broken',
  status: 'error',
  error: 'backend sim: boom',
  durationMs: 5,
  steps: [
    { ...passed.steps[0], status: 'error', reason: 'backend sim: boom' },
    { ...passed.steps[0], index: 1, status: 'skip', reason: 'not run: the scenario stopped on an error' },
  ],
};

const skipped: ScenarioResult = {
  ...passed,
  name: 'later',
  status: 'skip',
  durationMs: 0,
  steps: [
    { ...passed.steps[0], status: 'skip', reason: 'not run: --bail stopped the run after a failure' },
    { ...passed.steps[0], index: 1, status: 'skip', reason: 'not run: --bail stopped the run after a failure' },
  ],
};

function run(scenarios: ScenarioResult[], totals: RunResult['totals']): RunResult {
  return { tool: { name: 'svclab', version: '0' }, backend: 'sim', seed: 1, startedAt: '', durationMs: 0, node: '', platform: '', scenarios, totals };
}

describe('console reporter (plain)', () => {
  it('prints a header, one line per scenario, failure details with file:line, and the summary last', () => {
    const { out, text } = capture();
    const reporter = new ConsoleReporter(out, { color: false, live: false, cwd: '/labs' });
    reporter.begin({ backend: 'sim', seed: 1, scenarios: 4, filtered: 2 });
    reporter.progress('nodeport-basic: 100 curls');
    for (const s of [passed, failed, errored, skipped]) reporter.scenario(s);
    reporter.end(run([passed, failed, errored, skipped], { passed: 1, failed: 1, skipped: 1, errors: 1 }), ['reports: reports/junit.xml']);
    expect(text()).toBe(
      [
        'svclab run: 4 scenarios on sim, seed 1 (2 not selected)',
        '✓ nodeport-basic (scenarios/nodeport.yaml, 1.2 s)',
        '✗ nodeport-local (scenarios/nodeport.yaml, 12 ms)',
        '    ✗ step 2 "10 curls to NODE1:NPORT from mypc" (scenarios/nodeport.yaml:22:5)',
        '      scenarios/nodeport.yaml:23:30: expected pods to see the client address',
        '! broken (scenarios/nodeport.yaml, 5 ms) error',
        '    error: backend sim: boom',
        '    - step 2 "100 curls to CNODE:NPORT from mypc" skipped: not run: the scenario stopped on an error',
        '- later (scenarios/nodeport.yaml, 0 ms)',
        '    - skipped: not run: --bail stopped the run after a failure',
        'reports: reports/junit.xml',
        '1 passed, 1 failed, 1 errored, 1 skipped',
        '',
      ].join('\n'),
    );
    expect(text()).not.toMatch(/\x1b/);
  });

  it('colours when asked, and only then', () => {
    const { out, text } = capture();
    const reporter = new ConsoleReporter(out, { color: true, live: false, cwd: '/labs' });
    reporter.scenario(failed);
    expect(text()).toContain('\x1b[31m✗\x1b[39m');
  });

  it('on a terminal, keeps a redrawn status line under the results and clears it at the end', () => {
    const { out, text } = capture(true);
    const reporter = new ConsoleReporter(out, { color: false, live: true, cwd: '/labs' });
    reporter.begin({ backend: 'sim', seed: 1, scenarios: 2 });
    reporter.progress('nodeport-basic: 100 curls to CNODE:NPORT from mypc and a very long tail');
    reporter.scenario(passed);
    reporter.end(run([passed], { passed: 1, failed: 0, skipped: 0, errors: 0 }), []);
    const text0 = 'nodeport-basic: 100 curls to CNODE:NPORT from mypc and a very long tail'.slice(0, 52) + '…';
    expect(text()).toBe(
      'svclab run: 2 scenarios on sim, seed 1\n' +
        `\r\x1b[2K[0/2] ${text0}` +
        `\r\x1b[2K✓ nodeport-basic (scenarios/nodeport.yaml, 1.2 s)\n[1/2] ${text0}` +
        '\r\x1b[2K1 passed, 0 failed\n',
    );
    // Cut to the terminal width (60 columns, one kept free).
    expect(`[0/2] ${text0}`.length).toBe(59);
  });
});

describe('GitHub annotations', () => {
  it('adds one ::error per failed expectation, at its file and line', () => {
    const { out, text } = capture();
    const reporter = new ConsoleReporter(out, { color: false, live: false, cwd: '/labs', github: true });
    reporter.scenario({ ...failed, steps: [{ ...failed.steps[1], assertions: [{ ...failed.steps[1].assertions[1], message: 'a: 50%, b\n' }] }] });
    expect(text().split('\n').filter((l) => l.startsWith('::'))).toEqual([
      '::error file=scenarios/nodeport.yaml,line=23,col=30,title=nodeport-local::a: 50%25, b%0A',
    ]);
  });

  it('stays quiet unless asked', () => {
    const { out, text } = capture();
    new ConsoleReporter(out, { color: false, live: false, cwd: '/labs' }).scenario(failed);
    expect(text()).not.toContain('::error');
  });
});

describe('summary line', () => {
  it('counts scenarios; backend errors apart from failed expectations; errored and skipped only when any', () => {
    expect(summaryLine({ passed: 3, failed: 0, skipped: 0, errors: 0 })).toBe('3 passed, 0 failed');
    expect(summaryLine({ passed: 1, failed: 1, skipped: 2, errors: 1 })).toBe('1 passed, 1 failed, 1 errored, 2 skipped');
  });
});

describe('colour decision', () => {
  it.each([
    // flag, env, isTTY, expected
    [true, { NO_COLOR: '1' }, false, true],
    [false, { FORCE_COLOR: '1' }, true, false],
    [undefined, { NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
    [undefined, { NO_COLOR: '' }, true, true],
    [undefined, { FORCE_COLOR: '0' }, true, false],
    [undefined, { FORCE_COLOR: 'false' }, true, false],
    [undefined, { FORCE_COLOR: '1' }, false, true],
    [undefined, { FORCE_COLOR: '3' }, false, true],
    [undefined, {}, true, true],
    [undefined, { TERM: 'dumb' }, true, false],
    [undefined, {}, false, false],
    [undefined, { CI: 'true' }, false, false],
  ] as const)('flag %s, env %j, tty %s -> %s', (flag, env, tty, expected) => {
    expect(decideColor(flag, env, tty)).toBe(expected);
  });

  it('live progress only on an interactive terminal that is not CI', () => {
    expect(decideLive({}, true)).toBe(true);
    expect(decideLive({ CI: 'true' }, true)).toBe(false);
    expect(decideLive({ CI: 'false' }, true)).toBe(true);
    expect(decideLive({}, false)).toBe(false);
    expect(decideLive({ TERM: 'dumb' }, true)).toBe(false);
  });
});
