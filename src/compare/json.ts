/**
 * `compare.json`: the CompareResult as pretty JSON with object keys sorted at every level, so two
 * comparisons diff line by line. Arrays keep their order (backends, scenarios, steps).
 */
import { stableJson } from '../report/stable-json.js';
import type { CompareResult } from './model.js';

export function renderCompareJson(result: CompareResult): string {
  return stableJson(result);
}
