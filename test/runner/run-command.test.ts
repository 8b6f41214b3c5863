import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/report/result.js';
import { change, ok, requireBuild, runHarness, scenario, send } from './harness.js';

beforeAll(requireBuild);

const okAll = { kind: 'outcome', outcome: 'ok', count: 'all', loc: { file: '', line: 12, col: 13 } } as const;
const uniform = { kind: 'distribution', weights: 'uniform', alpha: 0.001, method: 'auto', loc: { file: '', line: 13, col: 13 } } as const;

describe('svclab run with a test backend', () => {
  it('passes, writes every requested report inside --out, and ends with the summary line', async () => {
    const r = await runHarness(
      { scenarios: [scenario('fair', [send(0, [okAll, uniform], { observations: ok({ 'web-a': 34, 'web-b': 33, 'web-c': 33 }) })])] },
      ['--reporter', 'console,junit', '--reporter', 'json,html'],
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('svclab run: 1 scenario on sim, kube-proxy iptables mode, seed 1');
    expect(lines[1]).toMatch(/^✓ fair \(scenarios\/fair\.yaml, \d+ ms\)$/);
    expect(lines.at(-1)).toBe('1 passed, 0 failed');
    const json = JSON.parse(r.readReport('result.json')) as RunResult;
    expect(json.seed).toBe(1);
    expect(json.scenarios[0].seed).toBe(1);
    expect(json.scenarios[0].status).toBe('pass');
    const step = json.scenarios[0].steps[0];
    expect(step.traffic?.pods).toEqual({ 'web-a': 34, 'web-b': 33, 'web-c': 33 });
    expect(step.traffic?.outcomes).toEqual({ ok: 100 });
    expect(step.traffic?.traces?.map((t) => t.label)).toEqual(['ok via web-a', 'ok via web-b', 'ok via web-c']);
    expect(step.traffic?.expectedShare).toEqual({ 'web-a': 1 / 3, 'web-b': 1 / 3, 'web-c': 1 / 3 });
    expect(r.readReport('junit.xml')).toContain('<testsuites');
    expect(r.readReport('index.html')).toContain('<html');
  });

  it('a wrong expectation fails with exit 1, naming file and line and showing the numbers', async () => {
    const r = await runHarness(
      { scenarios: [scenario('skewed', [send(0, [okAll, uniform], { observations: ok({ 'web-a': 70, 'web-b': 20, 'web-c': 10 }) })])] },
      [],
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ skewed (scenarios/skewed.yaml');
    expect(r.stdout).toContain('✗ step 1 "100 curls to CNODE:NPORT from mypc" (scenarios/skewed.yaml:10:5)');
    expect(r.stdout).toContain('scenarios/skewed.yaml:13:13: n=100: answers are not uniform over 3 pods: expected web-a 33.3, web-b 33.3, web-c 33.3; observed web-a 70, web-b 20, web-c 10');
    expect(r.stdout).toMatch(/p = [0-9.e-]+ < alpha 0.001/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });

  it('a backend exception marks that scenario error, the run goes on, and every session is closed', async () => {
    const r = await runHarness(
      {
        scenarios: [
          scenario('a-crashes', [send(0, [okAll], { throws: 'conntrack table exploded' }), send(1, [okAll], { observations: ok({ 'web-a': 1 }) })]),
          scenario('b-start-fails', [send(0, [okAll], {})], { fake: { startThrows: 'no such namespace' } }),
          scenario('c-fine', [send(0, [okAll], { observations: ok({ 'web-a': 3 }) })]),
        ],
      },
      ['--reporter', 'console,json'],
    );
    expect(r.code).toBe(1);
    const json = JSON.parse(r.readReport('result.json')) as RunResult;
    const by = Object.fromEntries(json.scenarios.map((s) => [s.name, s]));
    expect(by['a-crashes'].status).toBe('error');
    expect(by['a-crashes'].error).toBe('backend sim: conntrack table exploded');
    expect(by['a-crashes'].steps.map((s) => s.status)).toEqual(['error', 'skip']);
    expect(by['a-crashes'].steps[1].reason).toBe('not run: the scenario stopped on an error');
    expect(by['b-start-fails'].status).toBe('error');
    expect(by['b-start-fails'].error).toBe('backend sim failed to start: no such namespace');
    expect(by['c-fine'].status).toBe('pass');
    expect(json.totals).toEqual({ passed: 1, failed: 0, skipped: 0, errors: 2 });
    const closes = r.events.filter((e) => e.ev === 'close').map((e) => e.scenario).sort();
    expect(closes).toEqual(['a-crashes', 'c-fine']);
    expect(r.stdout).toContain('! a-crashes');
    // Backend faults are errors, not failed expectations.
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 0 failed, 2 errored');
  });

  it('an unsupported change skips it with the reason and the steps after it; the scenario is not a pass', async () => {
    const r = await runHarness(
      {
        scenarios: [
          scenario('unsupported', [
            send(0, [okAll], { observations: ok({ 'web-a': 2 }) }),
            change(1, { unsupported: 'cannot scale on loopback' }),
            send(2, [okAll], { observations: ok({ 'web-a': 2 }) }),
          ]),
        ],
        backend: { name: 'proxy' },
      },
      ['--reporter', 'console,json'],
    );
    expect(r.code).toBe(0);
    const s = (JSON.parse(r.readReport('result.json')) as RunResult).scenarios[0];
    expect(s.steps.map((x) => x.status)).toEqual(['pass', 'skip', 'skip']);
    expect(s.steps[1].reason).toBe('unsupported on proxy: cannot scale on loopback');
    expect(s.steps[2].reason).toBe('not run: step 2 (scale deployment/web to 2) is unsupported on proxy');
    expect(s.status).toBe('skip');
    expect(r.events.filter((e) => e.ev === 'send').length).toBe(1);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 0 failed, 1 skipped');

    // --fail-on-skip: the same run fails, saying why.
    const strict = await runHarness(
      {
        scenarios: [
          scenario('unsupported', [send(0, [okAll], { observations: ok({ 'web-a': 2 }) }), change(1, { unsupported: 'cannot scale on loopback' })]),
        ],
        backend: { name: 'proxy' },
      },
      ['--reporter', 'console', '--fail-on-skip'],
    );
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('--fail-on-skip: 1 step(s) skipped');
  });

  it('a run in which no step ran fails (exit 1) and says nothing was tested', async () => {
    const r = await runHarness(
      { scenarios: [scenario('nothing', [change(0, { unsupported: 'cannot scale on loopback' }), send(1, [okAll], { observations: ok({ 'web-a': 2 }) })])], backend: { name: 'proxy' } },
      ['--reporter', 'console'],
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no step ran (2 skipped): nothing was tested');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 0 failed, 1 skipped');
  });

  it('runs scenarios in parallel, never more than the backend allows', async () => {
    const scenarios = ['p1', 'p2', 'p3', 'p4'].map((n) => scenario(n, [send(0, [okAll], { observations: ok({ 'web-a': 1 }), waitForPeak: 2 })]));
    const r = await runHarness({ scenarios, backend: { maxConcurrency: 2 } }, ['--concurrency', '8', '--reporter', 'console']);
    expect(r.code).toBe(0);
    const peak = Math.max(...r.events.filter((e) => e.ev === 'active').map((e) => e.peak as number));
    expect(peak).toBe(2);
  });

  it('--concurrency 1 runs one scenario at a time, steps in order', async () => {
    const scenarios = ['s1', 's2'].map((n) => scenario(n, [send(0, [okAll], { observations: ok({ 'web-a': 1 }) }), change(1), send(2, [okAll], { observations: ok({ 'web-a': 1 }) })]));
    const r = await runHarness({ scenarios }, ['--concurrency', '1', '--reporter', 'console']);
    expect(r.code).toBe(0);
    expect(r.events.filter((e) => e.ev !== 'active').map((e) => `${e.ev}:${e.scenario}${'step' in e ? `:${e.step}` : ''}`)).toEqual([
      'start:s1', 'send:s1:0', 'apply:s1:1', 'send:s1:2', 'close:s1',
      'start:s2', 'send:s2:0', 'apply:s2:1', 'send:s2:2', 'close:s2',
    ]);
  });

  it('--bail starts no new scenario after a failure', async () => {
    const scenarios = [
      scenario('b1-fails', [send(0, [okAll], { observations: [{ outcome: 'timeout' }] })]),
      scenario('b2', [send(0, [okAll], { observations: ok({ 'web-a': 1 }) })]),
    ];
    const r = await runHarness({ scenarios }, ['--bail', '--concurrency', '1', '--reporter', 'console,json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const s = (JSON.parse(r.readReport('result.json')) as RunResult).scenarios;
    expect(s.map((x) => x.status)).toEqual(['fail', 'skip']);
    expect(s[1].steps[0].reason).toBe('not run: --bail stopped the run after a failure');
    expect(r.events.some((e) => e.scenario === 'b2')).toBe(false);
  });

  it('--timeout stops a hung scenario as an error and closes its session', async () => {
    const r = await runHarness({ scenarios: [scenario('hangs', [send(0, [okAll], { hang: true })])] }, ['--timeout', '300', '--reporter', 'console,json']);
    expect(r.code).toBe(1);
    const s = (JSON.parse(r.readReport('result.json')) as RunResult).scenarios[0];
    expect(s.status).toBe('error');
    expect(s.error).toBe('scenario timed out after 300 ms (--timeout)');
    expect(r.events.map((e) => e.ev)).toContain('close');
  });

  it('Ctrl-C aborts, closes sessions, still writes reports and exits 130', async () => {
    const r = await runHarness(
      {
        scenarios: [
          scenario('a-long', [send(0, [okAll], { hang: true }), send(1, [okAll], { observations: ok({ 'web-a': 1 }) })]),
          scenario('b-later', [send(0, [okAll], { observations: ok({ 'web-a': 1 }) })]),
        ],
      },
      ['--concurrency', '1', '--reporter', 'console,json'],
      {
        onStderr: (text, child) => {
          if (text.includes('HANGING') && !text.includes('interrupted')) child.kill('SIGINT');
        },
      },
    );
    expect(r.code).toBe(130);
    const json = JSON.parse(r.readReport('result.json')) as RunResult;
    expect(json.scenarios.map((s) => [s.name, s.status])).toEqual([['a-long', 'skip'], ['b-later', 'skip']]);
    expect(json.scenarios[0].steps.map((s) => s.reason)).toEqual(['interrupted while running', 'run interrupted']);
    expect(json.scenarios[1].steps.map((s) => s.reason)).toEqual(['run interrupted']);
    expect(r.events.filter((e) => e.ev === 'start' || e.ev === 'close').map((e) => `${e.ev}:${e.scenario}`)).toEqual(['start:a-long', 'close:a-long']);
    expect(r.stdout).toMatch(/^- b-later \(scenarios\/b-later\.yaml, \d+ ms\)\n    - skipped: run interrupted$/m);
    expect(r.stdout.trimEnd().split('\n').slice(-2)).toEqual(['run interrupted', '0 passed, 0 failed, 2 skipped']);
  });

  it('the seed from --seed goes in every result and reaches the backend', async () => {
    const r = await runHarness({ scenarios: [scenario('seeded', [send(0, [okAll], { observations: ok({ 'web-a': 1 }) })], { seed: 99 })] }, ['--seed', '7', '--reporter', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const json = JSON.parse(r.readReport('result.json')) as RunResult;
    expect([json.seed, json.scenarios[0].seed]).toEqual([7, 7]);
    expect(r.events.find((e) => e.ev === 'start')?.seed).toBe(7);
  });

  it("without --seed a scenario's own seed is used", async () => {
    const r = await runHarness({ scenarios: [scenario('seeded', [send(0, [okAll], { observations: ok({ 'web-a': 1 }) })], { seed: 99 })] }, ['--reporter', 'json']);
    expect(r.events.find((e) => e.ev === 'start')?.seed).toBe(99);
  });
});

describe('svclab run: what happens before running', () => {
  it('an invalid scenario prints its formatted message and exits 3', async () => {
    const r = await runHarness({ scenarios: [], invalid: { '/labs/scenarios/bad.yaml': 'scenarios/bad.yaml:4:3: unknown key "sned" (did you mean "send"?)' } }, []);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('scenarios/bad.yaml:4:3: unknown key "sned" (did you mean "send"?)\n');
    expect(r.events).toEqual([]);
  });

  it('a backend that cannot run here exits 4 with its reason', async () => {
    const r = await runHarness({ scenarios: [scenario('x', [send(0, [okAll], {})])], backend: { unavailable: 'netns needs root (run with sudo or CAP_NET_ADMIN)' } }, []);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('netns needs root (run with sudo or CAP_NET_ADMIN)\n');
  });

  it('--grep and --tag select scenarios; nothing selected exits 1 and says so', async () => {
    const scenarios = [
      scenario('nodeport-basic', [send(0, [okAll], { observations: ok({ 'web-a': 1 }) })], { tags: ['nodeport'] }),
      scenario('clusterip-basic', [send(0, [okAll], { observations: ok({ 'web-a': 1 }) })], { tags: ['clusterip'] }),
    ];
    const grep = await runHarness({ scenarios }, ['--grep', '^node', '--reporter', 'json']);
    expect((JSON.parse(grep.readReport('result.json')) as RunResult).scenarios.map((s) => s.name)).toEqual(['nodeport-basic']);
    const tag = await runHarness({ scenarios }, ['--tag', 'clusterip', '--reporter', 'json']);
    expect((JSON.parse(tag.readReport('result.json')) as RunResult).scenarios.map((s) => s.name)).toEqual(['clusterip-basic']);
    const none = await runHarness({ scenarios }, ['--grep', 'loadbalancer']);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('svclab run: none of 2 scenarios matched the --grep/--tag/--shard selection\n');
  });
});

describe('svclab run reports', () => {
  it('writes a schema-valid JUnit file for a run with passes, failures, errors and skips', async () => {
    const { spawnSync } = await import('node:child_process');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const xsd = new URL('../xsd/junit-10.xsd', import.meta.url).pathname;
    const r = await runHarness(
      {
        scenarios: [
          scenario('j-pass', [send(0, [okAll], { observations: ok({ 'web-a': 2 }) })]),
          scenario('j-fail', [send(0, [okAll], { observations: [{ outcome: 'timeout', detail: 'no answer in 1000 ms' }] })]),
          scenario('j-error', [send(0, [okAll], { throws: 'kubectl: <not found> & "gone"' })]),
          scenario('j-skip', [change(0, { unsupported: 'no scale here' }), send(1, [okAll], {})]),
        ],
      },
      ['--reporter', 'junit,json'],
    );
    expect(r.code).toBe(1);
    // junit-10.xsd lists no testcase@file/@line (which svclab writes, as jest-junit does): every
    // testcase has them, and without them the file validates.
    const text = readFileSync(join(r.out, 'junit.xml'), 'utf8');
    expect(text.match(/<testcase [^>]*>/g)!.every((c) => / file="scenarios\/[^"]+" line="\d+"/.test(c))).toBe(true);
    const xml = join(r.out, 'junit-stripped.xml');
    writeFileSync(xml, text.replace(/ file="[^"]*" line="\d+"(?=[ />])/g, ''));
    const check = spawnSync('xmllint', ['--noout', '--schema', xsd, xml], { encoding: 'utf8' });
    expect(check.error, 'xmllint must be installed (.ci/run installs libxml2-utils)').toBeUndefined();
    expect(check.stderr).toContain('validates');
    expect(check.status).toBe(0);
  });
});
