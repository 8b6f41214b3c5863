/**
 * What `svclab trace` says about one packet over a scenario: a verdict that names *why* a packet
 * got no answer (a kube-proxy rule dropped or rejected it, routing lost it, nothing listens on
 * the port it reached, its reply was lost) and a masquerade flag taken from the same paths the
 * trace prints, so the summary never disagrees with the path above it.
 */
import type { ExactSummary } from './exact.js';
import type { RequestResult } from './network.js';

export type TraceVerdict = 'ok' | 'local' | 'drop' | 'reject' | 'no-route' | 'refused' | 'reply-lost' | 'none';

/** One line per verdict for the text output and the help. */
export const TRACE_VERDICTS: Record<TraceVerdict, string> = {
  ok: 'reached an endpoint',
  local: 'delivered to the node itself, not DNATed',
  drop: 'a rule dropped it (the client times out)',
  reject: 'a rule rejected it (the client is refused)',
  'no-route': 'lost to routing: no route toward its destination (the client times out)',
  refused: 'nothing listens on the port it reached (the kernel resets: refused)',
  'reply-lost': 'the answer never gets back to the sender (the client times out)',
  none: 'nothing intercepted it; routed on unchanged',
};

/** Why one branch ended as it did. */
export function branchVerdict(r: RequestResult): TraceVerdict {
  if (r.outcome === 'ok') return r.pod !== undefined ? 'ok' : r.endpoint !== undefined ? 'local' : 'none';
  switch (r.cause) {
    case 'rule-drop':
      return 'drop';
    case 'rule-reject':
      return 'reject';
    case 'no-route':
      return 'no-route';
    case 'not-listening':
      return 'refused';
    case 'reply-lost':
      return 'reply-lost';
    case undefined:
      return 'none';
  }
}

export interface TraceSummary extends Omit<ExactSummary, 'verdict'> {
  verdict: TraceVerdict;
}

/**
 * The trace's verdict: the exact summary's when something answered; otherwise the cause carrying
 * the most probability. `masquerade` is true when any branch's path masqueraded, answered or not.
 */
export function summarizeTrace(s: ExactSummary): TraceSummary {
  let verdict: TraceVerdict = s.verdict === 'ok' || s.verdict === 'local' ? s.verdict : 'none';
  if (verdict === 'none') {
    const mass = new Map<TraceVerdict, number>();
    for (const b of s.branches) mass.set(branchVerdict(b.result), (mass.get(branchVerdict(b.result)) ?? 0) + b.probability);
    verdict = [...mass].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none';
  }
  return { ...s, verdict, masquerade: s.branches.some((b) => b.result.masqueraded) };
}
