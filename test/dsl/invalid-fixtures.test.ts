/**
 * Golden tests: every `test/dsl/invalid/NN-name.yaml` must fail to load with exactly the message in
 * `NN-name.err` beside it (file:line:col, source line, caret, expectations, suggestions).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/dsl/load.js';
import { ScenarioError } from '../../src/errors.js';

const dir = fileURLToPath(new URL('./invalid/', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('invalid scenario fixtures', () => {
  it('has at least 30 fixtures, each with its .err golden file', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    const errs = readdirSync(dir).filter((f) => f.endsWith('.err')).sort();
    expect(errs).toEqual(fixtures.map((f) => f.replace(/\.yaml$/, '.err')));
  });

  for (const f of fixtures) {
    it(`${f} fails with its golden message`, async () => {
      const file = path.join(dir, f);
      // Golden files show paths relative to the repository root; adapt when run from elsewhere.
      const golden = readFileSync(file.replace(/\.yaml$/, '.err'), 'utf8');
      const shownGolden = path.relative(root, file).split(path.sep).join('/');
      const shownNow = path.relative(process.cwd(), file);
      const expected = golden.split(shownGolden).join(shownNow).replace(/\n$/, '');
      let error: unknown;
      try {
        await loadScenarioFile(file);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).exitCode).toBe(3);
      const actual = (error as ScenarioError).message;
      // A path shift changes the gutter width of the frame; compare with gutters normalized then.
      if (shownGolden.length === shownNow.length) expect(actual).toBe(expected);
      else expect(actual.replace(/^ +(-->|\||=)/gm, '$1')).toBe(expected.replace(/^ +(-->|\||=)/gm, '$1'));
    });
  }
});
