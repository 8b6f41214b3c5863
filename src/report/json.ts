/**
 * JSON reporter: the RunResult as pretty JSON with object keys sorted at every level, so two runs
 * (or two backends) diff line by line regardless of the order the runner filled the objects in.
 * Arrays keep their order (scenarios, steps, assertions and trace hops are ordered data).
 */
import type { RunResult } from './result.js';

/** Renders the run result as stable, pretty-printed JSON ending in a newline. */
export function render(result: RunResult): string {
  return JSON.stringify(sortKeys(result), null, 2) + '\n';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
