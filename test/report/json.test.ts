import { describe, expect, it } from 'vitest';
import { render } from '../../src/report/json.js';
import type { RunResult } from '../../src/report/result.js';
import { hostileRun, realisticRun } from './fixtures/runs.js';

/** The same object with its keys inserted in reverse order, at every level. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
  }
  return value;
}

describe('JSON reporter', () => {
  it('parses back to the RunResult', () => {
    for (const result of [realisticRun(), hostileRun()]) {
      expect(JSON.parse(render(result))).toEqual(JSON.parse(JSON.stringify(result)));
    }
  });

  it('is pretty, ends with a newline, and does not depend on key insertion order', () => {
    const result = realisticRun();
    const text = render(result);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "backend": "sim",');
    expect(render(reversed(result) as RunResult)).toBe(text);
  });

  it('keeps the order of scenarios, steps and trace hops', () => {
    const result = realisticRun();
    const back = JSON.parse(render(result)) as RunResult;
    expect(back.scenarios.map((s) => s.name)).toEqual(result.scenarios.map((s) => s.name));
    const hops = back.scenarios[0].steps[0].traffic!.traces![0].hops.map((h) => h.chain);
    expect(hops).toEqual(result.scenarios[0].steps[0].traffic!.traces![0].hops.map((h) => h.chain));
  });

  it('leaves out undefined fields', () => {
    const result = realisticRun();
    result.scenarios[0].error = undefined;
    expect(render(result)).not.toContain('"error": null');
    expect(Object.keys(JSON.parse(render(result)).scenarios[0])).not.toContain('error');
  });
});
