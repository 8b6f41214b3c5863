/**
 * Which hop of a step's sample packet paths explains a failed expectation: the MASQUERADE/SNAT
 * that changed the source for `sourceSeen`, the DROP/REJECT (or the end of an unanswered path)
 * for `outcome` and for checks that found no answer at all, the DNAT that chose the endpoint for
 * pods/nodes/distribution/sticky. When the backend recorded no path to point at, the reason.
 */
import type { AssertionResult, TrafficSummary } from '../result.js';

export type Explanation =
  /** `trace`/`hop` index into `traffic.traces` and its hops. */
  | { trace: number; hop: number; text: string }
  /** No path to link to, and why. */
  | { missing: string };

type Trace = NonNullable<TrafficSummary['traces']>[number];

// Hop notes as the walkers write them (iptables "MASQUERADE source a -> b", "verdict DROP"; nftables
// "masquerade source ...", "drop"; the netns conntrack hop "DNAT a to b, SNAT c to d on node").
// Anchored, so a jump to a chain named like KUBE-MARK-DROP is not taken for the DROP itself.
const SOURCE_NAT = /(^|, )(MASQUERADE|SNAT|masquerade|snat) /;
const DEST_NAT = /^(DNAT|dnat) /;
const REFUSAL = /^(verdict |policy )?(DROP|REJECT|drop|reject)\b/;

/** The outcome a trace label starts with ("ok via web-1", "timeout"). */
function outcomeOf(trace: Trace): string {
  return trace.label.split(' ')[0] ?? '';
}

function lastIndex<T>(items: readonly T[], pred: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i] as T)) return i;
  return -1;
}

/** Where an unanswered path ends: the DROP/REJECT, else its last hop. */
function endOf(trace: Trace): { hop: number; text: string } {
  const refusal = lastIndex(trace.hops, (h) => REFUSAL.test(h.note));
  if (refusal >= 0) {
    const what = /reject/i.test(trace.hops[refusal]!.note) ? 'rejected' : 'dropped';
    return { hop: refusal, text: `the request was ${what} here` };
  }
  return { hop: trace.hops.length - 1, text: `the path ends here (${outcomeOf(trace)})` };
}

function noPath(backend: string, what: string): Explanation {
  return { missing: `no packet path to show: the ${backend} backend recorded none for ${what}` };
}

/** Traces with the given outcome (or, with `not`, any other), their indexes kept. */
function pick(traces: readonly Trace[], outcome: string, not = false): { trace: Trace; index: number }[] {
  return traces.map((trace, index) => ({ trace, index })).filter(({ trace }) => (outcomeOf(trace) === outcome) !== not);
}

/** The hop that explains a failed assertion, or why none can be shown; undefined for passed ones. */
export function explain(a: AssertionResult, traffic: TrafficSummary | undefined, backend: string): Explanation | undefined {
  if (a.passed || a.skipped !== undefined || traffic === undefined) return undefined;
  const traces = traffic.traces ?? [];
  const answered = traffic.outcomes.ok ?? 0;
  const expected = typeof a.details?.expected === 'string' ? a.details.expected : undefined;

  if (a.kind === 'outcome' || answered === 0) {
    // The requests that did not end as expected (for checks needing answers: those not answered).
    const wrong = a.kind === 'outcome' && expected !== undefined ? pick(traces, expected, true) : pick(traces, 'ok', true);
    const first = wrong[0];
    if (first === undefined) return noPath(backend, a.kind === 'outcome' ? 'requests with another outcome' : 'the unanswered requests');
    if (outcomeOf(first.trace) === 'ok') {
      // Answered although it should not have been: the rule that sent it to an endpoint.
      const dnat = first.trace.hops.findIndex((h) => DEST_NAT.test(h.note));
      if (dnat >= 0) return { trace: first.index, hop: dnat, text: 'the request was sent to an endpoint here' };
    }
    return { trace: first.index, ...endOf(first.trace) };
  }

  const ok = pick(traces, 'ok');
  if (ok.length === 0) return noPath(backend, 'the answered requests');

  if (a.kind === 'sourceSeen') {
    for (const { trace, index } of ok) {
      const hop = lastIndex(trace.hops, (h) => SOURCE_NAT.test(h.note));
      if (hop >= 0) return { trace: index, hop, text: 'the source address was rewritten here' };
    }
    const first = ok[0]!;
    return { trace: first.index, hop: first.trace.hops.length - 1, text: 'no hop on this path rewrote the source address' };
  }

  // pods, nodes, distribution, sticky: where the endpoint was chosen. A path to a responder the
  // message names (the one that should not have answered, say) is the better example.
  const named = ok.find(({ trace }) => {
    const who = trace.label.replace(/^ok via (host )?/, '');
    return who !== '' && who !== trace.label && a.message.includes(who);
  });
  const { trace, index } = named ?? ok[0]!;
  const dnat = trace.hops.findIndex((h) => DEST_NAT.test(h.note));
  if (dnat >= 0) return { trace: index, hop: dnat, text: 'the endpoint was chosen here' };
  return { trace: index, hop: trace.hops.length - 1, text: 'no DNAT on this path: it went straight to its endpoint' };
}
