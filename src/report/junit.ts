/**
 * JUnit XML reporter. One <testsuite> per scenario, one <testcase> per step: classname = scenario
 * name (CI tools split a classname at dots, so not the file path), name = step title, and `file`
 * and `line` = the step's place, as jest-junit and pytest write them (GitLab, GitHub test reporters
 * and Jenkins' JUnit plugin link them). Jenkins xunit's junit-10.xsd lists no testcase@file/@line;
 * apart from those two attributes the output validates against it (test/report/junit.test.ts).
 * `strict` (`svclab run --junit-strict`) leaves them out, for consumers that validate against that
 * schema: the file then stays on the testsuite (which the schema allows) and each step's
 * file:line remains in the failure text.
 */
import type { AssertionResult, RunResult, ScenarioResult, Status, StepResult } from './result.js';
import { cleanText, formatDetails, formatLoc, seconds, withoutLocPrefix } from './sanitize.js';

/** Escapes text for an XML attribute or element body (after dropping forbidden characters). */
export function escapeXml(text: string): string {
  return cleanText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values keep their line breaks and tabs only when written as character references. */
function attr(name: string, value: string | number): string {
  const escaped = escapeXml(String(value)).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
  return ` ${name}="${escaped}"`;
}

interface Case {
  name: string;
  /** The step's file (as the run shows it) and line; absent for the scenario setup case. */
  file?: string;
  line?: number;
  time: number;
  status: Status;
  /** Child element text for failure/error/skipped/system-out. */
  message?: string;
  body?: string;
  type?: string;
  out?: string;
}

export interface JunitOptions {
  /** Leave out testcase `file`/`line`, which junit-10.xsd does not list (`--junit-strict`). */
  strict?: boolean;
}

/** Renders the whole run as a JUnit XML document. */
export function render(result: RunResult, options: JunitOptions = {}): string {
  const suites = result.scenarios.map((s) => scenarioCases(s));
  const all = suites.flat();
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites${attr('name', 'svclab')}${attr('tests', all.length)}${attr('failures', count(all, 'fail'))}` +
      `${attr('errors', count(all, 'error'))}${attr('time', seconds(result.durationMs))}>`,
  );
  result.scenarios.forEach((scenario, i) => lines.push(...renderSuite(result, scenario, suites[i], options.strict === true)));
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

function count(cases: Case[], status: Status): number {
  return cases.filter((c) => c.status === status).length;
}

function renderSuite(result: RunResult, scenario: ScenarioResult, cases: Case[], strict: boolean): string[] {
  const out: string[] = [];
  out.push(
    `  <testsuite${attr('name', scenario.name)}${attr('tests', cases.length)}${attr('failures', count(cases, 'fail'))}` +
      `${attr('errors', count(cases, 'error'))}${attr('skipped', count(cases, 'skip'))}` +
      `${attr('time', seconds(scenario.durationMs))}${attr('timestamp', result.startedAt)}${attr('file', scenario.file)}>`,
  );
  out.push('    <properties>');
  for (const [name, value] of suiteProperties(result, scenario)) {
    out.push(`      <property${attr('name', name)}${attr('value', value)}/>`);
  }
  out.push('    </properties>');
  for (const c of cases) out.push(...renderCase(scenario, c, strict));
  out.push('  </testsuite>');
  return out;
}

function suiteProperties(result: RunResult, scenario: ScenarioResult): [string, string][] {
  const props: [string, string][] = [
    ['backend', result.backend],
    ...(scenario.mode !== undefined ? [['kubeProxy.mode', scenario.mode] as [string, string]] : []),
    ['seed', String(scenario.seed)],
    ['run.seed', String(result.seed)],
    ['svclab.version', result.tool.version],
    ['node.version', result.node],
    ['platform', result.platform],
  ];
  if (scenario.source) props.push(['scenario.source', scenario.source]);
  if (scenario.tags.length > 0) props.push(['scenario.tags', scenario.tags.join(',')]);
  if (scenario.description) props.push(['scenario.description', scenario.description]);
  return props;
}

function renderCase(scenario: ScenarioResult, c: Case, strict: boolean): string[] {
  const where = c.file !== undefined && !strict ? `${attr('file', c.file)}${c.line !== undefined ? attr('line', c.line) : ''}` : '';
  const open = `    <testcase${attr('classname', scenario.name)}${attr('name', c.name)}${attr('time', seconds(c.time))}${where}`;
  const children: string[] = [];
  const typeAttr = c.type ? attr('type', c.type) : '';
  if (c.status === 'fail') {
    children.push(`      <failure${attr('message', c.message ?? 'failed')}${typeAttr}>${escapeXml(c.body ?? '')}</failure>`);
  } else if (c.status === 'error') {
    children.push(`      <error${attr('message', c.message ?? 'error')}${typeAttr}>${escapeXml(c.body ?? '')}</error>`);
  } else if (c.status === 'skip') {
    children.push(`      <skipped${attr('message', c.message ?? 'skipped')}/>`);
  }
  if (c.out) children.push(`      <system-out>${escapeXml(c.out)}</system-out>`);
  if (children.length === 0) return [`${open}/>`];
  return [`${open}>`, ...children, '    </testcase>'];
}

/** The testcases of one scenario: its steps, plus a setup case carrying a scenario-level error no step reports. */
function scenarioCases(scenario: ScenarioResult): Case[] {
  const seen = new Map<string, number>();
  const cases = scenario.steps.map((step) => stepCase(scenario, step, uniqueName(seen, step)));
  const stepHasError = scenario.steps.some((s) => s.status === 'error');
  if (scenario.error && !stepHasError) {
    cases.unshift({
      name: 'scenario setup',
      time: 0,
      status: 'error',
      file: scenario.file,
      line: 1,
      type: 'BackendError',
      message: firstLine(scenario.error),
      body: scenario.error,
    });
  }
  return cases;
}

// GitLab drops testcases whose classname+name repeat, so a repeated step title gets its number.
function uniqueName(seen: Map<string, number>, step: StepResult): string {
  const n = (seen.get(step.title) ?? 0) + 1;
  seen.set(step.title, n);
  return n === 1 ? step.title : `${step.title} [step ${step.index + 1}]`;
}

function stepCase(scenario: ScenarioResult, step: StepResult, name: string): Case {
  const base = { name, file: formatLoc(step.loc, scenario.file).replace(/:\d+:\d+$/, ''), line: step.loc.line, time: step.durationMs, status: step.status, out: stepSummary(step) };
  switch (step.status) {
    case 'fail': {
      const failed = step.assertions.filter((a) => !a.passed);
      const first = failed[0]?.message ?? step.reason ?? 'step failed';
      const more = failed.length > 1 ? ` (+${failed.length - 1} more)` : '';
      const head = `${formatLoc(step.loc, scenario.file)} ${step.title}`;
      const body = [head, ...(step.reason ? [step.reason] : []), ...step.assertions.map((a) => assertionText(a, scenario.file))].join('\n');
      return { ...base, type: failed[0]?.kind ?? 'expectation', message: first + more, body };
    }
    case 'error': {
      const reason = step.reason ?? scenario.error ?? 'backend error';
      return { ...base, type: 'BackendError', message: firstLine(reason), body: `${formatLoc(step.loc, scenario.file)} ${step.title}\n${reason}` };
    }
    case 'skip':
      return { ...base, message: step.reason ?? 'skipped' };
    case 'pass':
      return base;
  }
}

/** "FAIL distribution at file:line:col" then the message and its numbers, indented. */
function assertionText(a: AssertionResult, scenarioFile: string): string {
  const lines = [`${a.passed ? 'PASS' : 'FAIL'} ${a.kind} at ${formatLoc(a.loc, scenarioFile)}`, `  ${withoutLocPrefix(a.message, a.loc)}`];
  for (const d of formatDetails(a.details)) lines.push(`  ${d}`);
  return lines.join('\n');
}

/** What a send step's traffic produced, for system-out (GitLab shows it per testcase). */
function stepSummary(step: StepResult): string | undefined {
  const t = step.traffic;
  if (!t) return undefined;
  const lines = [`${t.count} ${t.protocol} requests from ${t.from} to ${t.targetText} (${t.to})`];
  const outcomes = Object.entries(t.outcomes).map(([k, v]) => `${k}=${v}`);
  if (outcomes.length) lines.push(`outcomes: ${outcomes.join(', ')}`);
  const pods = Object.entries(t.pods).map(([k, v]) => `${k}=${v}`);
  if (pods.length) lines.push(`pods: ${pods.join(', ')}`);
  const sources = Object.entries(t.sourcesSeen).map(([k, v]) => `${k}=${v}`);
  if (sources.length) lines.push(`sources seen: ${sources.join(', ')}`);
  return lines.join('\n');
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
