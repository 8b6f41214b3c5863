/**
 * The top of the compare page with `--modes`: "what changes for you" when moving from the first
 * mode to the next, one card per step whose behaviour changes (before and after, in the words a
 * user checks: outcome, pods answering, source address seen) with the step's stated reason, or a
 * red flag where the scenario states nothing. The full matrix follows it on the same page.
 */
import { html, type Raw } from '../report/html/escape.js';
import type { CompareResult, ScenarioRow, StepRow } from './model.js';
import { changeLines, statedWhy } from './migration.js';
import { changedSteps } from './modes.js';

export const MIGRATION_STYLES = `
section.migration { background: var(--panel); border: 1px solid var(--border); padding: 12px 18px; margin: 0 0 18px; }
section.migration h2 { margin: 4px 0 8px; }
.change { border-left: 4px solid var(--accent); padding: 4px 12px; margin: 10px 0; }
.change.unstated, .change.stale { border-left-color: var(--fail); }
.change table { border-collapse: collapse; margin: 4px 0; }
.change th, .change td { padding: 2px 10px 2px 0; text-align: left; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.change .flag { color: var(--fail); font-weight: 700; }
`;

function link(target: string): Raw {
  return /^https?:\/\//.test(target) ? html`<a href="${target}" rel="noreferrer">${target}</a>` : html`${target}`;
}

export function renderMigration(result: CompareResult): Raw {
  const modes = result.modes ?? [];
  if (modes.length < 2) return html``;
  const [from, ...to] = modes;
  const changed = changedSteps(result);
  const t = result.modeTotals ?? { same: 0, stated: 0, unstated: 0, stale: 0, unchecked: 0 };
  const summary = `${t.stated + t.unstated} step(s) change (${t.stated} as the scenarios state, ${t.unstated} unstated), ${t.same} behave the same, ${t.unchecked} not observed in both modes${t.stale > 0 ? `, ${t.stale} stale modes: block(s)` : ''}`;
  return html`<section class="migration" id="what-changes">
<h2>Moving from ${from} to ${to.join(', ')} mode: what changes for you</h2>
<p>${summary}. Backends: ${[...new Set(result.backends.map((b) => b.backend ?? b.name))].join(', ')}.</p>
${changed.length === 0 ? html`<p>Nothing observable changes on these scenarios.</p>` : changed.map(({ scenario, steps }) => scenarioChanges(scenario, steps, from))}
</section>`;
}

function scenarioChanges(scenario: ScenarioRow, steps: StepRow[], from: string): Raw {
  return html`<h3>${scenario.name} <span class="why">${scenario.file}</span></h3>
${steps.map((step) => stepCard(scenario, step, from))}`;
}

function stepCard(scenario: ScenarioRow, step: StepRow, from: string): Raw {
  const check = step.modes!;
  const to = check.changes[0]?.to ?? '';
  const why = statedWhy(step, to);
  const rows = check.changes.flatMap((change) =>
    changeLines(step, change).map((l) => html`<tr><td>${change.backend}</td><td>${l.aspect}</td><td>${l.before}</td><td>${l.after}</td></tr>`),
  );
  const reason =
    check.state === 'stated' && why !== undefined
      ? html`<p><strong>Why:</strong> ${why.why}${why.link !== undefined ? html` (${link(why.link)})` : ''}</p>`
      : html`<p class="flag">${check.state === 'stale' ? 'Stale' : 'Not stated'}: ${check.note}</p>`;
  return html`<div class="change ${check.state}" id="${`m-${scenario.name}-${step.index}`}">
<div>step ${step.index + 1}: ${step.title} <span class="why">${scenario.file}:${step.loc.line}</span></div>
${rows.length > 0 ? html`<table><thead><tr><th>backend</th><th>what</th><th>${from}</th><th>${to}</th></tr></thead><tbody>${rows}</tbody></table>` : html``}
${reason}
</div>`;
}
