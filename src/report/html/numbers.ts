/**
 * An expectation's numbers in the HTML report: per-responder tables (expected vs observed, or the
 * counts a pods/nodes check saw, headed by what they count), everything else as key/value. Traffic
 * that never reached an endpoint gets its outcome counts instead of a table of zeros.
 */
import type { AssertionResult, TrafficSummary } from '../result.js';
import { formatNumber, formatValue } from '../sanitize.js';
import { html, type Raw } from './escape.js';

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** What a check's per-responder records count: node for a `nodes:` check, pod otherwise. */
const HEAD: Record<string, string> = { nodes: 'node', hosts: 'host', pods: 'pod' };

/** How an expectation is labelled: a `nodes:` check reads "serving nodes", a `pods:` one "pods". */
export function kindLabel(a: AssertionResult): string {
  if (a.kind !== 'responders') return a.kind;
  const of = a.details?.of;
  return of === 'nodes' ? 'serving nodes' : of === 'hosts' ? 'serving hosts' : of === 'pods' ? 'pods' : 'responders';
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

const isEmptyRecord = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0;

/** "30 refused" or "20 timeout, 10 refused": the traffic's outcomes, for traffic no endpoint answered. */
export function outcomeCounts(t: TrafficSummary): string {
  const parts = Object.entries(t.outcomes)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'no requests';
}

/** True when no request of the step reached an endpoint (refused, timed out, unreachable...). */
export function noneAnswered(t: TrafficSummary | undefined): t is TrafficSummary {
  return t !== undefined && (t.outcomes.ok ?? 0) === 0;
}

/** An assertion's numbers: per-responder tables where they apply, everything else as key/value. */
export function renderNumbers(a: AssertionResult, traffic: TrafficSummary | undefined): Raw | '' {
  const details = a.details;
  if (!details) return '';
  const expected = numberRecord(details.expected);
  const otherKey = numberRecord(details.observed) ? 'observed' : numberRecord(details.probabilities) ? 'probabilities' : undefined;
  const observed = otherKey ? numberRecord(details[otherKey]) : undefined;
  const responders = a.kind === 'responders' && observed !== undefined;
  const table = (expected !== undefined && observed !== undefined) || responders;
  // A table of nothing but zeros (or no rows at all) says less than the outcome counts do.
  const noAnswers = (a.kind === 'distribution' || a.kind === 'responders') && noneAnswered(traffic);
  const pairs = Object.entries(details).filter(
    ([k, v]) => v !== undefined && k !== 'of' && !isEmptyRecord(v) && !((table || noAnswers) && (k === 'expected' || k === otherKey)),
  );
  const dl =
    pairs.length > 0
      ? html`<dl class="numbers">${pairs.map(([k, v]) => html`<div><dt>${label(k)}</dt><dd>${formatValue(v)}</dd></div>`)}</dl>`
      : '';
  if (noAnswers) {
    return html`${dl}<p class="no-answers">No request reached an endpoint (${outcomeCounts(traffic)}): nothing to count per ${HEAD[String(details.of)] ?? 'pod'}.</p>`;
  }
  if (!table || observed === undefined) return dl;
  const head = HEAD[String(details.of)] ?? 'pod';
  if (expected === undefined) {
    const names = Object.keys(observed).sort(byName);
    return html`${dl}<table class="counts" data-of="${head}"><thead><tr><th>${head}</th><th class="num">answers</th></tr></thead><tbody>${names.map(
      (n) => html`<tr><td class="mono">${n}</td><td class="num">${formatNumber(observed[n] ?? 0)}</td></tr>`,
    )}</tbody></table>`;
  }
  const names = [...new Set([...Object.keys(expected), ...Object.keys(observed)])].sort(byName);
  return html`${dl}<table class="counts" data-of="${head}"><thead><tr><th>${head}</th><th class="num">expected</th><th class="num">${otherKey}</th></tr></thead><tbody>${names.map(
    (n) => html`<tr><td class="mono">${n}</td><td class="num">${formatNumber(expected[n] ?? 0)}</td><td class="num">${formatNumber(observed[n] ?? 0)}</td></tr>`,
  )}</tbody></table>`;
}
