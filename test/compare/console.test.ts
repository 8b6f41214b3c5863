/** The console table and the GitHub annotations of a comparison. */
import { describe, expect, it } from 'vitest';
import { githubLines, renderCompareConsole } from '../../src/compare/console.js';
import type { CompareResult, StepRow } from '../../src/compare/model.js';

const loc = (line: number) => ({ file: '/labs/scenarios/a.yaml', line, col: 5 });

function step(index: number, verdict: StepRow['verdict'], extra: Partial<StepRow> = {}): StepRow {
  return {
    index,
    kind: 'send',
    title: `step title ${index + 1}`,
    loc: loc(10 + index),
    cells: { sim: { status: 'pass' }, proxy: { status: 'pass' }, kind: { status: 'unavailable', reason: 'no docker' } },
    verdict,
    compared: 2,
    reference: ['sim'],
    differences: [],
    divergences: [],
    ...extra,
  };
}

const result: CompareResult = {
  tool: { name: 'svclab', version: 't' },
  seed: 3,
  startedAt: '',
  durationMs: 1500,
  backends: [
    { name: 'sim', state: 'ran' },
    { name: 'proxy', state: 'ran' },
    { name: 'kind', state: 'unavailable', reason: 'docker not reachable' },
  ],
  scenarios: [
    {
      name: 'a',
      file: 'scenarios/a.yaml',
      verdict: 'disagree',
      errors: {},
      links: {},
      steps: [
        step(0, 'agree'),
        step(1, 'disagree', {
          cells: { sim: { status: 'pass' }, proxy: { status: 'fail' }, kind: { status: 'unavailable', reason: 'no docker' } },
          differences: [{ backend: 'proxy', against: 'sim', known: false, differences: [{ aspect: 'outcomes', detail: 'sim: timeout×10 | proxy: refused×10' }] }],
        }),
        step(2, 'agree', { compared: 1, cells: { sim: { status: 'pass' }, proxy: { status: 'skip', reason: 'unsupported on proxy: UDP' }, kind: { status: 'unavailable' } } }),
      ],
    },
  ],
  totals: { agree: 2, known: 0, disagree: 1, stale: 0, error: 0 },
  exitCode: 1,
};

describe('compare console table', () => {
  const text = renderCompareConsole(result, { color: false, cwd: '/labs' });

  it('names the unavailable backend and its reason once, and shows n/a in its column', () => {
    expect(text).toContain('kind: unavailable: docker not reachable');
    expect(text).toMatch(/1 step title 1 +pass +pass +n\/a +same/);
  });

  it('shows the differing observations side by side under the step, and skip reasons', () => {
    expect(text).toMatch(/2 step title 2 +pass +FAIL +n\/a +DIFFERS\n +differs: proxy vs sim, outcomes: sim: timeout×10 \| proxy: refused×10/);
    expect(text).toMatch(/3 step title 3 +pass +skip +n\/a +not compared\n +skip on proxy: unsupported on proxy: UDP/);
  });

  it('ends with the totals and says why the comparison fails', () => {
    expect(text).toContain('3 steps on 3 backends: 2 same, 0 known, 1 differ, 0 stale, 0 errors · 1.5 s · backends disagree outside the stated divergences');
  });

  it('GitHub annotations point at the failing step only', () => {
    const lines = githubLines(result, '/labs');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^::error file=scenarios\/a\.yaml,line=11,col=5,title=svclab compare%3A a::step 2 \(step title 2\): disagree%0Adiffers: proxy vs sim/);
  });
});
