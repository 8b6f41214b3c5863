/** Session affinity: every answered request comes from the same pod. */
import type { StickyExpectation } from '../model/scenario.js';
import type { Assertion } from './context.js';
import { answered, countBy, formatCounts, result } from './context.js';

export const checkSticky: Assertion<StickyExpectation> = (expectation, observations, context) => {
  const ok = answered(observations);
  const byPod = countBy(ok, (o) => o.pod ?? o.host ?? o.endpoint ?? 'unknown responder');
  const details = { n: ok.length, observed: Object.fromEntries(byPod) };
  if (ok.length === 0) {
    return result('sticky', false, `expected every answer from one pod, but none of ${observations.length} requests was answered`, expectation.loc, context.cwd, details);
  }
  if (byPod.size === 1) {
    const [pod] = byPod.keys();
    return result('sticky', true, `all ${ok.length} answers from ${pod}`, expectation.loc, context.cwd, details);
  }
  return result('sticky', false, `expected every answer from one pod, got ${formatCounts(byPod)}`, expectation.loc, context.cwd, details);
};
