/**
 * Pretty JSON with object keys sorted at every level, so two documents diff line by line
 * regardless of the order their objects were filled in. Arrays keep their order (they hold ordered
 * data); properties whose value is `undefined` are left out, as JSON.stringify does.
 */

/** `value` as pretty-printed JSON with sorted keys, ending in a newline. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
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
