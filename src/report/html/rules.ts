/**
 * Each node's rules as its kernel held them during a scenario (netns and kube-proxy backends),
 * one folded <details> per node per snapshot, labelled with who wrote them and when.
 */
import type { RulesSnapshot, ScenarioResult } from '../result.js';
import { html, type Raw } from './escape.js';

function when(r: RulesSnapshot, s: ScenarioResult): string {
  if (r.afterStep === undefined) return 'after the first sync';
  const step = s.steps.find((x) => x.index === r.afterStep);
  return `after step ${r.afterStep + 1}${step ? ` (${step.title})` : ''}`;
}

function lineCount(text: string): number {
  return text === '' ? 0 : text.replace(/\n$/, '').split('\n').length;
}

function renderSnapshot(r: RulesSnapshot, s: ScenarioResult): Raw {
  const shown = lineCount(r.text);
  const size = r.error !== undefined ? 'not read' : `${shown + (r.truncatedLines ?? 0)} lines`;
  return html`<details class="rules" data-node="${r.node}"><summary><span class="mono">${r.node}</span> ${when(r, s)}: <span class="writer">${r.writtenBy}</span> <span class="size">(${r.format}, ${size})</span></summary>${
    r.error !== undefined
      ? html`<div class="problem error">Could not read the rules: ${r.error}</div>`
      : html`<pre class="rules-text">${r.text}</pre>${
          r.truncatedLines ? html`<p class="truncated">Truncated: ${r.truncatedLines} more ${r.truncatedLines === 1 ? 'line' : 'lines'} not kept in this report.</p>` : ''
        }`
  }</details>
`;
}

/** The scenario's rule snapshots, grouped under one heading; nothing when the backend read none. */
export function renderRules(s: ScenarioResult, scenarioId: string): Raw | '' {
  const rules = s.rules ?? [];
  if (rules.length === 0) return '';
  return html`<section class="node-rules" id="${scenarioId}-rules" aria-label="Rules per node"><h4>Rules per node, as the kernel held them (${rules.length} ${
    rules.length === 1 ? 'snapshot' : 'snapshots'
  }; a node's rules are shown again only when they changed)</h4>
${rules.map((r) => renderSnapshot(r, s))}${
    s.rulesOmitted ? html`<p class="truncated">${s.rulesOmitted} later ${s.rulesOmitted === 1 ? 'snapshot' : 'snapshots'} not kept in this report (limit per scenario).</p>` : ''
  }</section>`;
}
