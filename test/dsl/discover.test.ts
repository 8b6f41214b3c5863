/**
 * Scenario folders holding symbolic links: a link inside the folder is followed (as naming the file
 * directly does); one leading outside it or nowhere is skipped and said; link cycles end.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverScenarioFiles } from '../../src/dsl/load.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svclab-discover-'));
  mkdirSync(join(dir, 'suite/sub'), { recursive: true });
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'suite/a.yaml'), 'name: a\n');
  writeFileSync(join(dir, 'suite/sub/b.yaml'), 'name: b\n');
  writeFileSync(join(dir, 'elsewhere/outside.yaml'), 'name: outside\n');
  symlinkSync('sub/b.yaml', join(dir, 'suite/b-again.yaml')); // inside: same file, counted once
  symlinkSync('../elsewhere/outside.yaml', join(dir, 'suite/out.yaml')); // outside: skipped, said
  symlinkSync('../elsewhere', join(dir, 'suite/outdir')); // outside folder: skipped, said
  symlinkSync('nowhere.yaml', join(dir, 'suite/dangling.yaml')); // dangling: skipped, said
  symlinkSync('..', join(dir, 'suite/sub/loop')); // a cycle inside the folder
  mkdirSync(join(dir, 'suite/linked-target'));
  writeFileSync(join(dir, 'suite/linked-target/c.yml'), 'name: c\n');
  symlinkSync('linked-target', join(dir, 'suite/via-link'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('discoverScenarioFiles with symbolic links', () => {
  it('follows links within the folder, once per real file, and reports the ones it skips', async () => {
    const notes: string[] = [];
    const files = await discoverScenarioFiles([join(dir, 'suite')], (n) => notes.push(n));
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(['suite/a.yaml', 'suite/linked-target/c.yml', 'suite/sub/b.yaml']);
    expect(notes.sort()).toEqual([
      expect.stringMatching(/suite\/dangling\.yaml: a symbolic link that leads nowhere/),
      expect.stringMatching(/suite\/out\.yaml: a symbolic link to .*elsewhere\/outside\.yaml, outside .*suite/),
      expect.stringMatching(/suite\/outdir: a symbolic link to .*elsewhere, outside .*suite/),
    ]);
  });
  it('a link named directly is used, as before', async () => {
    expect(await discoverScenarioFiles([join(dir, 'suite/out.yaml')])).toEqual([join(dir, 'suite/out.yaml')]);
  });
});
