/** Spawn the test harness (test-only backend, hand-built scenarios) and collect what happened. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompiledScenario, Expectation, SendStep, ChangeStep } from '../../src/model/scenario.js';
import type { Observation, ExactDistribution } from '../../src/observe/observation.js';
import { state, traffic } from '../assertions/fixtures.js';

export const repo = fileURLToPath(new URL('../../', import.meta.url));
const harness = fileURLToPath(new URL('./fixtures/harness.mjs', import.meta.url));

/** The CLI tests run the built code; `npm test` builds first. */
export function requireBuild(): void {
  if (!existsSync(join(repo, 'dist/cli/commands/run.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) before these tests');
}

export interface FakeStep {
  observations?: Observation[];
  exact?: ExactDistribution;
  unsupported?: string;
  throws?: string;
  hang?: boolean;
  waitForPeak?: number;
}

export type TestScenario = CompiledScenario & { fake?: { startThrows?: string; closeThrows?: string } };

export const CWD = '/labs';

export function send(index: number, expect: Expectation[], fake: FakeStep, line = 10 + index * 4): SendStep & { fake: FakeStep } {
  return { kind: 'send', index, title: `${traffic.count} curls to CNODE:NPORT from mypc`, loc: { file: '', line, col: 5 }, state, traffic, expect, fake };
}

export function change(index: number, fake: Omit<FakeStep, 'observations'> = {}): ChangeStep & { fake: FakeStep } {
  return {
    kind: 'change',
    index,
    title: 'scale deployment/web to 2',
    loc: { file: '', line: 10 + index * 4, col: 5 },
    state,
    change: { op: 'scale', target: { kind: 'Deployment', name: 'web', namespace: 'default' }, replicas: 2 },
    fake,
  };
}

/** A scenario at /labs/scenarios/<name>.yaml; step and expectation locations point into it. */
export function scenario(name: string, steps: (SendStep | ChangeStep)[], extra: Partial<TestScenario> = {}): TestScenario {
  const file = `${CWD}/scenarios/${name}.yaml`;
  const fixLoc = <T extends { loc: { file: string } }>(x: T): T => ({ ...x, loc: { ...x.loc, file } });
  return {
    file,
    name,
    tags: [],
    loc: { file, line: 1, col: 1 },
    initial: state,
    steps: steps.map((s) => (s.kind === 'send' ? { ...fixLoc(s), expect: s.expect.map(fixLoc) } : fixLoc(s))),
    ...extra,
  };
}

export function ok(pods: Record<string, number>): Observation[] {
  return Object.entries(pods).flatMap(([pod, n]) =>
    Array.from({ length: n }, () => ({ outcome: 'ok' as const, pod, node: 'w1', endpoint: '10.10.1.2:8080', sourceSeen: '172.18.0.100', trace: [{ note: `DNAT to ${pod}` }] })),
  );
}

export interface HarnessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  events: { ev: string; scenario: string; [k: string]: unknown }[];
  out: string;
  readReport(name: string): string;
}

export interface HarnessPlan {
  scenarios: TestScenario[];
  invalid?: Record<string, string>;
  backend?: { maxConcurrency?: number; unavailable?: string; name?: string };
}

/** The environment without colour or CI-annotation settings (vitest sets FORCE_COLOR for its workers). */
export function plainEnv(): Record<string, string | undefined> {
  const { NO_COLOR: _n, FORCE_COLOR: _f, GITHUB_ACTIONS: _g, ...rest } = process.env;
  return rest;
}

/** Run the harness; `onStderr` may send signals to the child when it sees a marker. */
export function runHarness(plan: HarnessPlan, args: string[], options: { env?: Record<string, string>; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<HarnessRun> {
  const dir = mkdtempSync(join(tmpdir(), 'svclab-runner-'));
  const events = join(dir, 'events.jsonl');
  writeFileSync(events, '');
  const planPath = join(dir, 'plan.json');
  writeFileSync(planPath, JSON.stringify({ ...plan, cwd: CWD, events }));
  const out = join(dir, 'reports');
  const hasOut = args.includes('--out');
  const child = spawn(process.execPath, [harness, planPath, ...args, ...(hasOut ? [] : ['--out', out])], {
    cwd: dir,
    env: { ...plainEnv(), CI: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    options.onStderr?.(stderr, child);
  });
  // Bounded: a wedged child is killed rather than hanging the suite.
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(guard);
      const lines = readFileSync(events, 'utf8').split('\n').filter((l) => l !== '');
      resolve({
        code,
        stdout,
        stderr,
        events: lines.map((l) => JSON.parse(l) as HarnessRun['events'][number]),
        out,
        readReport: (name) => readFileSync(join(out, name), 'utf8'),
      });
    });
  });
}
