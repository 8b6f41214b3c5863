import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeXml, render } from '../../src/report/junit.js';
import type { RunResult } from '../../src/report/result.js';
import { emptyRun, HOSTILE_NAME, hostileRun, passingRun, realisticRun } from './fixtures/runs.js';

const run = promisify(execFile);
const XSD = new URL('../xsd/junit-10.xsd', import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'svclab-junit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Validates with xmllint against the Jenkins schema; CI installs libxml2-utils, so a missing
 * xmllint fails. junit-10.xsd lists no testcase@file/@line (jest-junit and pytest write them, and
 * the issue asks for them): those two complaints, and only those, are allowed.
 */
async function validate(xml: string, name: string): Promise<void> {
  const file = join(dir, name);
  await writeFile(file, xml);
  try {
    await run('xmllint', ['--noout', '--schema', XSD, file]);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('xmllint is not installed: apt-get install -y libxml2-utils (the JUnit schema test needs it)');
    const problems = (e.stderr ?? e.message)
      .split('\n')
      .filter((l) => l.trim() !== '' && !/ fails to validate$/.test(l))
      .filter((l) => !/Element 'testcase', attribute '(file|line)': The attribute '(file|line)' is not allowed\.$/.test(l));
    if (problems.length > 0) throw new Error(`${name} is not valid against junit-10.xsd:\n${problems.join('\n')}`);
  }
}

async function written(xml: string): Promise<string> {
  const file = join(dir, 'stripped.xml');
  await writeFile(file, xml);
  return file;
}

/** Counts of the elements and attributes a CI server reads, parsed back from the XML text. */
function parse(xml: string) {
  const suites = [...xml.matchAll(/<testsuite (name="[^"]*") tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)"/g)].map((m) => ({
    tests: Number(m[2]),
    failures: Number(m[3]),
    errors: Number(m[4]),
    skipped: Number(m[5]),
  }));
  const root = /<testsuites name="svclab" tests="(\d+)" failures="(\d+)" errors="(\d+)"/.exec(xml);
  return {
    suites,
    root: root ? { tests: Number(root[1]), failures: Number(root[2]), errors: Number(root[3]) } : undefined,
    testcases: (xml.match(/<testcase /g) ?? []).length,
    failures: (xml.match(/<failure /g) ?? []).length,
    errors: (xml.match(/<error /g) ?? []).length,
    skipped: (xml.match(/<skipped /g) ?? []).length,
  };
}

function stepCounts(result: RunResult) {
  const steps = result.scenarios.flatMap((s) => s.steps);
  return {
    tests: steps.length,
    failures: steps.filter((s) => s.status === 'fail').length,
    errors: steps.filter((s) => s.status === 'error').length,
    skipped: steps.filter((s) => s.status === 'skip').length,
  };
}

describe('JUnit reporter', () => {
  it('is valid against the Jenkins junit-10.xsd', async () => {
    expect(existsSync(XSD)).toBe(true);
    await validate(render(realisticRun()), 'realistic.xml');
    await validate(render(passingRun()), 'passing.xml');
    await validate(render(hostileRun()), 'hostile.xml');
    await validate(render(emptyRun()), 'empty.xml');
  });

  it('rejects what the schema rejects (the validation can fail)', async () => {
    const bad = render(passingRun()).replace('<testsuites ', '<testsuites skipped="0" ');
    await expect(validate(bad, 'bad.xml')).rejects.toThrow(/not valid/);
  });

  it('has one testsuite per scenario and one testcase per step, with counts matching the RunResult', () => {
    const result = realisticRun();
    const xml = render(result);
    const p = parse(xml);
    const expected = stepCounts(result);
    expect(p.suites).toHaveLength(result.scenarios.length);
    expect(p.testcases).toBe(expected.tests);
    expect(p.failures).toBe(expected.failures);
    expect(p.errors).toBe(expected.errors);
    expect(p.skipped).toBe(expected.skipped);
    expect(p.root).toEqual({ tests: expected.tests, failures: expected.failures, errors: expected.errors });
    result.scenarios.forEach((s, i) => {
      expect(p.suites[i]).toEqual({
        tests: s.steps.length,
        failures: s.steps.filter((x) => x.status === 'fail').length,
        errors: s.steps.filter((x) => x.status === 'error').length,
        skipped: s.steps.filter((x) => x.status === 'skip').length,
      });
    });
    // Scenario-level status is reflected: failing scenario has failures, errored one has errors.
    expect(result.scenarios.map((s) => s.status)).toEqual(['pass', 'fail', 'pass', 'error']);
  });

  it('names testcases by step title, classname = scenario name (no dotted path), file and line = the step', () => {
    const xml = render(realisticRun());
    expect(xml).toContain('<testcase classname="kans-nodeport" name="100 curls to CNODE:NPORT from mypc" time="0.040" file="scenarios/kans-nodeport.yaml" line="20"');
    expect(xml).toMatch(/<testcase classname="kans-nodeport-weighted \(deliberately wrong\)" name="scale deployment\/deploy-echo to 2" time="0.003" file="scenarios\/wrong\/weighted.yaml" line="\d+"\/>/);
    // Every testcase carries both.
    const cases = xml.match(/<testcase [^>]*>/g) ?? [];
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(c).toMatch(/ file="[^"]+" line="\d+"/);
  });

  it('without the two location attributes it is strictly valid against junit-10.xsd', async () => {
    const xml = render(realisticRun()).replace(/ file="[^"]*" line="\d+"(?=[ />])/g, '');
    expect(xml).not.toMatch(/<testcase [^>]*line=/);
    await expect(run('xmllint', ['--noout', '--schema', XSD, await written(xml)])).resolves.toBeDefined();
  });

  it('--junit-strict leaves out testcase file/line and is then strictly valid against junit-10.xsd', async () => {
    const xml = render(realisticRun(), { strict: true });
    const cases = xml.match(/<testcase [^>]*>/g) ?? [];
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(c).not.toMatch(/ (file|line)=/);
    // The file stays on the testsuite (the schema lists it there), the step's place in the failure text.
    expect(xml).toContain('file="scenarios/wrong/weighted.yaml">');
    expect(xml).toMatch(/<failure [^>]*>scenarios\/wrong\/weighted.yaml:18:5 300 curls/);
    await expect(run('xmllint', ['--noout', '--schema', XSD, await written(xml)])).resolves.toBeDefined();
    // Everything else is the same document.
    expect(xml).toBe(render(realisticRun()).replace(/(<testcase [^>]*?) file="[^"]*" line="\d+"(?=[ />])/g, '$1'));
  });

  it('writes failed expectations with every message, the numbers and file:line', () => {
    const xml = render(realisticRun());
    const failure = /<failure message="([^"]*)" type="distribution">([^<]*)<\/failure>/.exec(xml);
    expect(failure).not.toBeNull();
    const [, message, body] = failure!;
    expect(message).toMatch(/^scenarios\/wrong\/weighted\.yaml:23:7: n=300: answers are not weighted: /);
    expect(message).toContain('p = 1.31e-8 &lt; alpha 0.001');
    expect(body).toContain('FAIL distribution at scenarios/wrong/weighted.yaml:23:7');
    expect(body).toContain('PASS outcome at scenarios/wrong/weighted.yaml:22:7');
    expect(body).toContain('pValue: 1.31e-8');
    expect(body).toContain('\n  n=300: answers are not weighted: expected');
    expect(body).toContain('alpha: 0.001');
    expect(body).toContain('observed: deploy-echo-5c689d5454-2cn8m=98, deploy-echo-5c689d5454-7qjvb=104, deploy-echo-5c689d5454-zm6wl=98');
    expect(body).toContain('expected: deploy-echo-5c689d5454-2cn8m=150');
  });

  it('shows locations relative to the working directory, as the scenario file is', () => {
    const xml = render(realisticRun());
    expect(xml).toContain('scenarios/kans-nodeport.yaml');
    expect(xml).not.toContain('/home/ci/svclab');
  });

  it('writes backend errors as <error> and skipped steps with their reason', () => {
    const xml = render(realisticRun());
    expect(xml).toMatch(/<error message="proxy backend: daemon exited with code 1 while applying state: listen EADDRINUSE 127\.0\.0\.1:30352" type="BackendError">/);
    expect(xml).toContain('<skipped message="sim does not model the passing of time: sessionAffinity timeoutSeconds expiry needs a real clock (use --backend netns)"/>');
    expect(xml).toContain('<skipped message="not run: the scenario stopped after a backend error"/>');
  });

  it('reports a scenario-level error that no step carries as a setup testcase', () => {
    const result = realisticRun();
    const s = result.scenarios[3];
    s.steps = s.steps.map((step) => ({ ...step, status: 'skip' as const, reason: 'not run' }));
    const p = parse(render(result));
    expect(p.errors).toBe(1);
    expect(p.suites[3]).toEqual({ tests: 3, failures: 0, errors: 1, skipped: 2 });
    expect(render(result)).toContain('name="scenario setup"');
  });

  it('records backend, seed, svclab and node versions as properties, times in seconds', () => {
    const xml = render(realisticRun());
    expect(xml).toContain('<property name="backend" value="sim"/>');
    expect(xml).toContain('<property name="seed" value="42"/>');
    expect(xml).toContain('<property name="svclab.version" value="0.1.0"/>');
    expect(xml).toContain('<property name="node.version" value="v20.20.2"/>');
    expect(xml).toMatch(/<testsuites name="svclab" tests="8" failures="1" errors="1" time="2\.084">/);
    expect(xml).toMatch(/<testsuite name="loadbalancer-three-ports" [^>]*time="1\.310"/);
  });

  it('escapes hostile names and strips characters XML 1.0 forbids', () => {
    const xml = render(hostileRun());
    expect(xml).not.toContain(HOSTILE_NAME);
    expect(xml).toContain('name="&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).toContain('name="curl &quot;x&quot; &amp; &lt;b&gt;bold&lt;/b&gt;  ]]&gt;"');
    expect(escapeXml('a\u001b[31mred\u001b[0m\u0000b\ud800c')).toBe('aredbc');
    expect(escapeXml(`'&"<>`)).toBe('&apos;&amp;&quot;&lt;&gt;');
  });
});
