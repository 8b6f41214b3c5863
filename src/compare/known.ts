/**
 * How `svclab run` on a single backend treats a send step annotated with `diverges:` for that
 * backend: the step runs as usual; if its expectations hold it passes, and if they fail it is
 * skipped with the annotation as the reason (the difference is known and explained), keeping what
 * was observed. Annotations for other backends are ignored. Whether the difference still exists
 * (stale annotations) is judged by `svclab compare`, which has other backends to compare with.
 */
import type { Divergence, SendStep } from '../model/scenario.js';

/** The annotation that applies to `backend` on this step, if any. */
export function divergenceFor(step: SendStep, backend: string): Divergence | undefined {
  return step.diverges?.find((d) => d.backend === backend);
}

/** How every such skip reason starts (reports use it to avoid repeating the annotation). */
export const KNOWN_DIVERGENCE_PREFIX = 'known divergence on ';

/** Skip reason for a step whose expectations failed as an annotation says they would. */
export function knownDivergenceReason(d: Divergence): string {
  return `${KNOWN_DIVERGENCE_PREFIX}${d.backend}: ${d.does} (${d.why}${d.link !== undefined ? `; ${d.link}` : ''})`;
}
