/**
 * JSON reporter: the RunResult as pretty JSON with object keys sorted at every level, so two runs
 * (or two backends) diff line by line regardless of the order the runner filled the objects in.
 * Arrays keep their order (scenarios, steps, assertions and trace hops are ordered data).
 */
import type { RunResult } from './result.js';
import { stableJson } from './stable-json.js';

/** Renders the run result as stable, pretty-printed JSON ending in a newline. */
export function render(result: RunResult): string {
  return stableJson(result);
}
