/**
 * `compare.json`: the CompareResult as pretty JSON with object keys sorted at every level, so two
 * comparisons diff line by line. Arrays keep their order (backends, scenarios, steps).
 */
import type { CompareResult } from './model.js';

export function renderCompareJson(result: CompareResult): string {
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
