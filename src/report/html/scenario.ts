/**
 * HTML for one scenario and its steps: traffic, expectations with their numbers, the observed
 * distribution chart, nodes, sources seen, exact probabilities and folded packet traces.
 */
import type { AssertionResult, ScenarioResult, Status, StepResult, TrafficSummary } from '../result.js';
import type { TraceHop } from '../../observe/observation.js';
import { formatLoc, formatNumber, formatValue, withoutLocPrefix } from '../sanitize.js';
import { html, idFor, raw, type Raw } from './escape.js';
import { barChart, type BarRow } from './svg.js';

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

export function renderScenario(s: ScenarioResult, index: number): Raw {
  return html`<article class="scenario panel" id="${scenarioId(s, index)}" data-status="${s.status}" data-search="${searchText(s)}"${raw(hasSkippedStep(s) ? ' data-has-skip=""' : '')}>
<h3>${badge(s.status)} <span class="name">${s.name}</span></h3>
<div class="sub"><span class="loc">${s.file}</span>${s.mode !== undefined ? html`<span>kube-proxy ${s.mode} mode</span>` : ''}<span>seed ${s.seed}</span><span>${duration(s.durationMs)}</span>${
    s.source ? html`<span>source: ${s.source}</span>` : ''
  }${s.tags.map((t) => html`<span class="tag">${t}</span>`)}</div>
${s.description ? html`<p class="description">${s.description}</p>` : ''}
${s.error ? html`<div class="problem error"><strong>Backend error:</strong> ${s.error}</div>` : ''}
<ol class="steps">
${s.steps.map((step) => renderStep(step, s.file))}
</ol>
</article>
`;
}

export function renderStep(step: StepResult, scenarioFile: string): Raw {
  const reasonClass = step.status === 'skip' ? 'skip' : step.status === 'error' ? 'error' : 'fail';
  const reasonLabel = step.status === 'skip' ? 'Skipped' : step.status === 'error' ? 'Error' : 'Failed';
  return html`<li class="step" data-status="${step.status}">
<div class="step-head">${badge(step.status)}<span class="step-title">${step.index + 1}. ${step.title}</span><span class="loc">${formatLoc(
    step.loc,
    scenarioFile,
  )}</span><span class="dur">${duration(step.durationMs)}</span></div>
${step.reason ? html`<div class="problem ${reasonClass}"><strong>${reasonLabel}:</strong> ${step.reason}</div>` : ''}
${step.modeExpectation ? html`<div class="mode-expect">Checked against the step's <strong>${step.modeExpectation.mode}</strong> expectations: ${step.modeExpectation.why}${step.modeExpectation.link ? html` (${step.modeExpectation.link})` : ''}</div>` : ''}
${step.traffic ? renderTraffic(step.traffic) : ''}
${step.assertions.length > 0 ? html`<ul class="assertions">${step.assertions.map((a) => renderAssertion(a, scenarioFile))}</ul>` : ''}
${step.traffic ? renderObserved(step.traffic) : ''}
${step.traffic?.traces?.map((t) => renderTrace(t.label, t.hops)) ?? ''}
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

export function renderAssertion(a: AssertionResult, scenarioFile: string): Raw {
  return html`<li class="assertion ${a.passed ? 'pass' : 'fail'}" data-kind="${a.kind}"><span class="mark" aria-label="${
    a.passed ? 'passed' : 'failed'
  }">${a.passed ? '✓' : '✗'}</span><span class="kind">${a.kind}</span><span class="message">${withoutLocPrefix(a.message, a.loc)}</span> <span class="loc">${formatLoc(
    a.loc,
    scenarioFile,
  )}</span>${renderNumbers(a.details)}</li>
`;
}

function label(key: string): string {
  if (/^p(-?value)?$/i.test(key)) return 'p-value';
  if (key === 'alpha') return 'α';
  return key;
}

/** A per-pod record of numbers (undefined entries, which JSON drops, allowed). */
function numberRecord(v: unknown): Record<string, number | undefined> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const entries = Object.entries(v as Record<string, unknown>);
  return entries.length > 0 && entries.every(([, n]) => typeof n === 'number' || n === undefined)
    ? (v as Record<string, number | undefined>)
    : undefined;
}

/** An assertion's numbers: expected vs observed per pod as a table, everything else as key/value. */
function renderNumbers(details: Record<string, unknown> | undefined): Raw | '' {
  if (!details) return '';
  // Per-pod expected vs observed counts (sampled) or vs rule-derived probabilities (exact) as a table.
  const expected = numberRecord(details.expected);
  const otherKey = numberRecord(details.observed) ? 'observed' : numberRecord(details.probabilities) ? 'probabilities' : undefined;
  const observed = otherKey ? numberRecord(details[otherKey]) : undefined;
  const table = expected && observed;
  const pairs = Object.entries(details).filter(([k, v]) => v !== undefined && !(table && (k === 'expected' || k === otherKey)));
  const dl =
    pairs.length > 0
      ? html`<dl class="numbers">${pairs.map(
          ([k, v]) => html`<div><dt>${label(k)}</dt><dd>${formatValue(v)}</dd></div>`,
        )}</dl>`
      : '';
  if (!table) return dl;
  const names = [...new Set([...Object.keys(expected), ...Object.keys(observed)])].sort(byName);
  return html`${dl}<table class="counts"><thead><tr><th>pod</th><th class="num">expected</th><th class="num">${otherKey}</th></tr></thead><tbody>${names.map(
    (n) =>
      html`<tr><td class="mono">${n}</td><td class="num">${formatNumber(expected[n] ?? 0)}</td><td class="num">${formatNumber(observed[n] ?? 0)}</td></tr>`,
  )}</tbody></table>`;
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
  const chart =
    rows.length > 0
      ? html`<figure><figcaption>Answers per pod (${total} answered)</figcaption>${raw(barChart(rows, { total, caption: 'Answers per pod' }))}<div class="legend"><span class="sw obs"></span>observed${
          hasExpected ? html`<span class="sw exp"></span>expected` : ''
        }</div></figure>`
      : '';
  const side = [
    countTable('Nodes that answered', 'node', t.nodes),
    countTable('Sources seen by pods', 'source address', t.sourcesSeen),
    t.exact ? renderExact(t.exact) : '',
  ];
  if (!chart && side.every((x) => x === '')) return '';
  return html`<div class="observed"><div>${chart}</div><div>${side}</div></div>`;
}

function renderExact(exact: NonNullable<TrafficSummary['exact']>): Raw {
  return html`<h4>Rule-derived probabilities (verdict ${exact.verdict})</h4><table class="counts"><thead><tr><th>endpoint</th><th>pod</th><th class="num">probability</th></tr></thead><tbody>${exact.endpoints.map(
    (e) => html`<tr><td class="mono">${e.endpoint}</td><td class="mono">${e.pod ?? ''}</td><td class="num">${e.probability.toFixed(4)}</td></tr>`,
  )}</tbody></table>`;
}

function renderTrace(labelText: string, hops: TraceHop[]): Raw {
  return html`<details class="trace"><summary>Packet path: <span class="mono">${labelText}</span> (${hops.length} ${
    hops.length === 1 ? 'hop' : 'hops'
  })</summary><ol class="hops">${hops.map((h) => {
    const where = [h.node, h.table && h.chain ? `${h.table}/${h.chain}` : (h.table ?? h.chain)].filter(Boolean).join(' · ');
    return html`<li>${where ? html`<span class="where">${where}</span>` : ''}<span class="note">${h.note}</span>${h.rule ? html`<code>${h.rule}</code>` : ''}</li>`;
  })}</ol></details>
`;
}
