/** Which pods or nodes may, must, or must not answer. Only answered (ok) requests count. */
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

export const checkResponders: Assertion<RespondersExpectation> = (expectation, observations, context) => {
  const ok = answered(observations);
  const byPod = countBy(ok, (o) => (o.pod !== undefined ? `${o.pod}${o.node ? ` (${o.node})` : ''}` : o.host !== undefined ? `host ${o.host}` : undefined));
  const problems: string[] = [];
  if (expectation.may !== undefined) {
    const allowed = expectation.may;
    const outsiders = ok.filter((o) => !allowed.some((r) => answeredBy(r, o)));
    if (outsiders.length > 0) {
      const who = countBy(outsiders, (o) => o.pod ?? (o.host !== undefined ? `host ${o.host}` : undefined) ?? o.endpoint ?? 'unknown responder');
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
  const details = { n: ok.length, observed: Object.fromEntries(byPod) };
  const seen = `answers: ${formatCounts(byPod)}`;
  if (problems.length === 0) return result('responders', true, `responders as expected; ${seen}`, expectation.loc, context.cwd, details);
  return result('responders', false, `${problems.join('; ')} (${seen})`, expectation.loc, context.cwd, details);
};
