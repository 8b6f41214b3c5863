/**
 * Which pods, nodes or serving hosts may, must, or must not answer. Only answered (ok) requests
 * count. A `nodes:` check counts answers per node (its `details.of` says which key it was written
 * under), so reports show serving nodes and pods apart.
 */
import type { Responder, RespondersExpectation } from '../model/scenario.js';
import type { Observation } from '../observe/observation.js';
import type { Assertion } from './context.js';
import { answered, countBy, formatCounts, result } from './context.js';

function label(r: Responder): string {
  return 'pod' in r ? `pod ${r.pod}` : 'host' in r ? `host ${r.host}` : `node ${r.node}`;
}

/** A node responder counts answers from its pods and from itself; a host answers as itself. */
function answeredBy(r: Responder, o: Observation): boolean {
  return 'pod' in r ? o.pod === r.pod : 'host' in r ? o.host === r.host : o.node === r.node;
}

function answersFrom(r: Responder, observations: Observation[]): number {
  return observations.filter((o) => answeredBy(r, o)).length;
}

/** The key the check was written under; older compiled expectations lack it, so it is inferred. */
export function respondersOf(e: RespondersExpectation): 'pods' | 'nodes' | 'hosts' {
  if (e.of !== undefined) return e.of;
  const all = [...(e.may ?? []), ...(e.must ?? []), ...(e.mustNot ?? [])];
  if (all.length > 0 && all.every((r) => 'node' in r)) return 'nodes';
  if (all.length > 0 && all.every((r) => 'host' in r)) return 'hosts';
  return 'pods';
}

export const checkResponders: Assertion<RespondersExpectation> = (expectation, observations, context) => {
  const ok = answered(observations);
  const of = respondersOf(expectation);
  const host = (o: Observation) => (o.host !== undefined ? `host ${o.host}` : undefined);
  // Per node for a nodes check (what it judges), else per pod with its node.
  const byResponder = countBy(ok, (o) =>
    of === 'nodes' ? (o.node ?? host(o)) : o.pod !== undefined ? `${o.pod}${o.node ? ` (${o.node})` : ''}` : host(o),
  );
  const problems: string[] = [];
  if (expectation.may !== undefined) {
    const allowed = expectation.may;
    const outsiders = ok.filter((o) => !allowed.some((r) => answeredBy(r, o)));
    if (outsiders.length > 0) {
      const who = countBy(outsiders, (o) => (of === 'nodes' ? o.node : o.pod) ?? host(o) ?? o.endpoint ?? 'unknown responder');
      problems.push(`only ${allowed.map(label).join(', ')} may answer, but ${formatCounts(who)} answers came from others`);
    }
  }
  for (const r of expectation.must ?? []) {
    if (answersFrom(r, ok) === 0) problems.push(`${label(r)} must answer but never did`);
  }
  for (const r of expectation.mustNot ?? []) {
    const n = answersFrom(r, ok);
    if (n > 0) problems.push(`${label(r)} must not answer but answered ${n} time${n === 1 ? '' : 's'}`);
  }
  const details = { n: ok.length, of, observed: Object.fromEntries(byResponder) };
  const seen = `${of === 'nodes' ? 'answers per node' : 'answers'}: ${formatCounts(byResponder)}`;
  if (problems.length === 0) return result('responders', true, `responders as expected; ${seen}`, expectation.loc, context.cwd, details);
  return result('responders', false, `${problems.join('; ')} (${seen})`, expectation.loc, context.cwd, details);
};
