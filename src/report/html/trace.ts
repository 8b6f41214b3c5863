/**
 * A sample packet path, folded in a <details>. Every path and hop has an id so a failed
 * expectation can link to the hop that explains it; such hops carry the reason beside them.
 */
import type { TraceHop } from '../../observe/observation.js';
import { html, type Raw } from './escape.js';

/** Anchor id of sample path `trace` of a step, and of hop `hop` on it. */
export function traceId(stepId: string, trace: number): string {
  return `${stepId}-path${trace + 1}`;
}
export function hopId(stepId: string, trace: number, hop: number): string {
  return `${traceId(stepId, trace)}-hop${hop + 1}`;
}

/** `why` maps a hop index to what it explains ("sourceSeen: the source address was rewritten here"). */
export function renderTrace(stepId: string, index: number, labelText: string, hops: TraceHop[], why: ReadonlyMap<number, string[]>): Raw {
  return html`<details class="trace" id="${traceId(stepId, index)}"><summary>Packet path: <span class="mono">${labelText}</span> (${hops.length} ${
    hops.length === 1 ? 'hop' : 'hops'
  })</summary><ol class="hops">${hops.map((h, j) => {
    const where = [h.node, h.table && h.chain ? `${h.table}/${h.chain}` : (h.table ?? h.chain)].filter(Boolean).join(' · ');
    const reasons = why.get(j);
    return html`<li id="${hopId(stepId, index, j)}"${reasons ? html` class="explains"` : ''}>${where ? html`<span class="where">${where}</span>` : ''}<span class="note">${h.note}</span>${
      reasons ? html`<span class="why">← ${reasons.join('; ')}</span>` : ''
    }${h.rule ? html`<code>${h.rule}</code>` : ''}</li>`;
  })}</ol></details>
`;
}
