/**
 * HTML for one scenario and its steps: traffic, expectations with their numbers, the observed
 * distribution chart, nodes, sources seen, exact probabilities and folded packet traces.
 */
import type { AssertionResult, ScenarioResult, Status, StepResult, TrafficSummary } from '../result.js';
import { formatLoc, withoutLocPrefix } from '../sanitize.js';
import { html, idFor, raw, type Raw } from './escape.js';
import { explain, type Explanation } from './explain.js';
import { kindLabel, noneAnswered, outcomeCounts, renderNumbers } from './numbers.js';
import { renderRules } from './rules.js';
import { barChart, type BarRow } from './svg.js';
import { hopId, renderTrace } from './trace.js';

export const STATUS_LABEL: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', error: 'ERROR' };

/** "46 ms" below a second, "1.31 s" above. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 ms';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function badge(status: Status): Raw {
  return html`<span class="badge ${status}">${STATUS_LABEL[status]}</span>`;
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Anchor id of a scenario article. */
export function scenarioId(s: ScenarioResult, index: number): string {
  return idFor('s', index + 1, s.name);
}

export function hasSkippedStep(s: ScenarioResult): boolean {
  return s.steps.some((step) => step.status === 'skip');
}

/** What the text filter matches a scenario against (lower case). */
export function searchText(s: ScenarioResult): string {
  return [s.name, s.file, s.source ?? '', ...s.tags].join(' ').toLowerCase();
}

/** Failing and erroring first, then skipped, then passed; the run's own order within each. */
const RANK: Record<Status, number> = { error: 0, fail: 1, skip: 2, pass: 3 };

/** Items with failures first, stable (the run's order kept within a status). */
export function failuresFirst<T>(items: readonly T[], status: (item: T) => Status): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => RANK[status(a.item)] - RANK[status(b.item)] || a.i - b.i)
    .map((x) => x.item);
}

/** `index` is the scenario's place in the run (its anchor id); `backend` names who recorded the paths. */
export function renderScenario(s: ScenarioResult, index: number, backend: string): Raw {
  const id = scenarioId(s, index);
  const steps = failuresFirst(s.steps, (step) => step.status);
  const moved = steps.some((step, i) => step !== s.steps[i]);
  return html`<article class="scenario panel" id="${id}" data-status="${s.status}" data-search="${searchText(s)}"${raw(hasSkippedStep(s) ? ' data-has-skip=""' : '')}>
<h3>${badge(s.status)} <span class="name">${s.name}</span></h3>
<div class="sub"><span class="loc">${s.file}</span>${s.mode !== undefined ? html`<span>kube-proxy ${s.mode} mode</span>` : ''}<span>seed ${s.seed}</span><span>${duration(s.durationMs)}</span>${
    s.source ? html`<span>source: ${s.source}</span>` : ''
  }${s.tags.map((t) => html`<span class="tag">${t}</span>`)}</div>
${s.description ? html`<p class="description">${s.description}</p>` : ''}
${s.error ? html`<div class="problem error"><strong>Backend error:</strong> ${s.error}</div>` : ''}
${moved ? html`<p class="order-note">Failed steps are listed first; the step numbers give the order they ran in.</p>` : ''}
<ol class="steps">
${steps.map((step) => renderStep(step, s.file, `${id}-step${step.index + 1}`, backend))}
</ol>
${renderRules(s, id)}
</article>
`;
}

export function renderStep(step: StepResult, scenarioFile: string, stepId: string, backend: string): Raw {
  const reasonClass = step.status === 'skip' ? 'skip' : step.status === 'error' ? 'error' : 'fail';
  const reasonLabel = step.status === 'skip' ? 'Skipped' : step.status === 'error' ? 'Error' : 'Failed';
  const explained = step.assertions.map((a) => explain(a, step.traffic, backend));
  // Hop -> what it explains, per sample path, so the hop itself says why it is highlighted.
  const why = new Map<number, Map<number, string[]>>();
  explained.forEach((e, i) => {
    if (e === undefined || 'missing' in e) return;
    const hops = why.get(e.trace) ?? new Map<number, string[]>();
    hops.set(e.hop, [...(hops.get(e.hop) ?? []), `${kindLabel(step.assertions[i]!)}: ${e.text}`]);
    why.set(e.trace, hops);
  });
  return html`<li class="step" id="${stepId}" data-status="${step.status}">
<div class="step-head">${badge(step.status)}<span class="step-title">${step.index + 1}. ${step.title}</span><span class="loc">${formatLoc(
    step.loc,
    scenarioFile,
  )}</span><span class="dur">${duration(step.durationMs)}</span></div>
${step.reason ? html`<div class="problem ${reasonClass}"><strong>${reasonLabel}:</strong> ${step.reason}</div>` : ''}
${step.modeExpectation ? html`<div class="mode-expect">Checked against the step's <strong>${step.modeExpectation.mode}</strong> expectations: ${step.modeExpectation.why}${step.modeExpectation.link ? html` (${step.modeExpectation.link})` : ''}</div>` : ''}
${step.traffic ? renderTraffic(step.traffic) : ''}
${step.assertions.length > 0 ? html`<ul class="assertions">${failuresFirst(step.assertions, (a) => (a.passed ? 'pass' : 'fail')).map((a) => renderAssertion(a, scenarioFile, step.traffic, explained[step.assertions.indexOf(a)], stepId))}</ul>` : ''}
${step.traffic ? renderObserved(step.traffic) : ''}
${step.traffic?.traces?.map((t, i) => renderTrace(stepId, i, t.label, t.hops, why.get(i) ?? new Map())) ?? ''}
</li>
`;
}

function renderTraffic(t: TrafficSummary): Raw {
  const outcomes = Object.entries(t.outcomes).filter(([, n]) => (n ?? 0) > 0);
  return html`<div class="traffic"><strong>${t.count} × ${t.protocol}</strong> from <span class="mono">${t.from}</span> to <span class="mono">${
    t.targetText
  }</span> → <span class="mono">${t.to}</span> ${outcomes.map(([k, n]) => html`<span class="outcome">${k}: ${n ?? 0}</span>`)}</div>
`;
}

/** The link to the explaining hop, or why there is none. */
function renderExplanation(e: Explanation | undefined, stepId: string): Raw | '' {
  if (e === undefined) return '';
  if ('missing' in e) return html`<div class="explain missing">${e.missing}</div>`;
  return html`<div class="explain"><a class="to-hop" href="#${hopId(stepId, e.trace, e.hop)}">Why: ${e.text} (packet path ${e.trace + 1}, hop ${e.hop + 1})</a></div>`;
}

export function renderAssertion(a: AssertionResult, scenarioFile: string, traffic?: TrafficSummary, explanation?: Explanation, stepId = ''): Raw {
  return html`<li class="assertion ${a.passed ? 'pass' : 'fail'}" data-kind="${a.kind}"${
    a.kind === 'responders' && typeof a.details?.of === 'string' ? html` data-of="${a.details.of}"` : ''
  }><span class="mark" aria-label="${a.passed ? 'passed' : 'failed'}">${a.passed ? '✓' : '✗'}</span><span class="kind">${kindLabel(a)}</span><span class="message">${withoutLocPrefix(
    a.message,
    a.loc,
  )}</span> <span class="loc">${formatLoc(a.loc, scenarioFile)}</span>${renderNumbers(a, traffic)}${renderExplanation(explanation, stepId)}</li>
`;
}

/** Rows of the per-pod chart: every pod that answered or was expected to, with its expected count. */
export function chartRows(t: TrafficSummary): { rows: BarRow[]; total: number } {
  const total = Object.values(t.pods).reduce((s, n) => s + n, 0);
  const names = [...new Set([...Object.keys(t.pods), ...Object.keys(t.expectedShare ?? {})])].sort(byName);
  const rows = names.map((name) => {
    const share = t.expectedShare?.[name];
    return { label: name, count: t.pods[name] ?? 0, expected: share === undefined ? undefined : share * total };
  });
  return { rows, total };
}

function countTable(title: string, head: string, counts: Record<string, number>): Raw | '' {
  const entries = Object.entries(counts).sort(([a], [b]) => byName(a, b));
  if (entries.length === 0) return '';
  return html`<h4>${title}</h4><table class="counts"><thead><tr><th>${head}</th><th class="num">requests</th></tr></thead><tbody>${entries.map(
    ([k, n]) => html`<tr><td class="mono">${k}</td><td class="num">${n}</td></tr>`,
  )}</tbody></table>`;
}

function renderObserved(t: TrafficSummary): Raw | '' {
  const { rows, total } = chartRows(t);
  const hasExpected = rows.some((r) => r.expected !== undefined);
  // Nothing answered: the outcome counts, not a chart of empty bars.
  if (noneAnswered(t) && t.count > 0) {
    return html`<div class="observed"><p class="no-answers">No request reached an endpoint (${outcomeCounts(t)}): no answers per pod to show.${
      t.exact ? html` The rules reach no endpoint (verdict ${t.exact.verdict}).` : ''
    }</p></div>`;
  }
  const chart =
    rows.length > 0
      ? html`<figure><figcaption>Answers per pod (${total} answered)</figcaption>${raw(barChart(rows, { total, caption: 'Answers per pod' }))}<div class="legend"><span class="sw obs"></span>observed${
          hasExpected ? html`<span class="sw exp"></span>expected` : ''
        }</div></figure>`
      : '';
  const side = [
    countTable('Serving nodes (answers per node)', 'node', t.nodes),
    countTable('Sources seen by pods', 'source address', t.sourcesSeen),
    t.exact ? renderExact(t.exact) : '',
  ];
  if (!chart && side.every((x) => x === '')) return '';
  return html`<div class="observed"><div>${chart}</div><div>${side}</div></div>`;
}

function renderExact(exact: NonNullable<TrafficSummary['exact']>): Raw {
  if (exact.endpoints.length === 0) return html`<h4>Rule-derived probabilities</h4><p class="no-answers">The rules reach no endpoint (verdict ${exact.verdict}).</p>`;
  return html`<h4>Rule-derived probabilities (verdict ${exact.verdict})</h4><table class="counts"><thead><tr><th>endpoint</th><th>pod</th><th class="num">probability</th></tr></thead><tbody>${exact.endpoints.map(
    (e) => html`<tr><td class="mono">${e.endpoint}</td><td class="mono">${e.pod ?? ''}</td><td class="num">${e.probability.toFixed(4)}</td></tr>`,
  )}</tbody></table>`;
}
