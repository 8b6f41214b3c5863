/**
 * `run --out`, `compare --out`, `schema --out` and `new --out` never write through a link, never
 * replace a file svclab did not write, and refuse an unusable path before anything runs.
 * Through the built CLI, as a user would hit it.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repo, 'dist/cli/main.js');
const scenarioSource = join(repo, 'scenarios/labs/000-nodeport-basics.yaml');

let dir: string;
let scenario: string;
beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npx tsc -p .` first');
  dir = mkdtempSync(join(tmpdir(), 'svclab-out-'));
  scenario = join(dir, 's.yaml');
  writeFileSync(scenario, readFileSync(scenarioSource, 'utf8').replace(/\$schema=\S+/, '$schema=x'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function svclab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: dir, timeout: 50_000, env: { ...process.env, NO_COLOR: '1', CI: '' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function fresh(name: string): string {
  const p = join(dir, name);
  mkdirSync(p);
  return p;
}

describe('svclab run --out', () => {
  it('never writes through a link planted in the folder; refuses before running', async () => {
    const out = fresh('linked');
    writeFileSync(join(dir, 'precious'), 'my notes\n');
    symlinkSync('../precious', join(out, 'index.html'));
    const r = await svclab(['run', scenario, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/index\.html is a symbolic link/);
    expect(r.stdout).not.toMatch(/passed/); // nothing ran
    expect(readFileSync(join(dir, 'precious'), 'utf8')).toBe('my notes\n');
    expect(lstatSync(join(out, 'index.html')).isSymbolicLink()).toBe(true);
  });

  it("keeps a user's file of the same name and says so", async () => {
    const out = fresh('users');
    writeFileSync(join(out, 'junit.xml'), '<mine/>\n');
    const r = await svclab(['run', scenario, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/junit\.xml exists and was not written by svclab; not replacing it/);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toBe('<mine/>\n');
  });

  it('replaces its own reports on the next run, leaves no temporary files, and keeps other files', async () => {
    const out = fresh('own');
    writeFileSync(join(out, 'notes.txt'), 'keep\n');
    expect((await svclab(['run', scenario, '--out', out])).code).toBe(0);
    const first = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect((await svclab(['run', scenario, '--out', out, '--seed', '7'])).code).toBe(0);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).not.toBe(first);
    expect(readdirSync(out).sort()).toEqual(['.svclab-reports', 'index.html', 'junit.xml', 'notes.txt']);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('keep\n');
  });

  it('recognises reports an earlier svclab wrote without the marker (by their signature)', async () => {
    const out = fresh('older');
    writeFileSync(join(out, 'junit.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="svclab" tests="0">\n</testsuites>\n');
    expect((await svclab(['run', scenario, '--out', out, '--reporter', 'junit'])).code).toBe(0);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testcase /);
  });

  it.each([
    ['an existing file', 'afile', /afile is a file, not a folder/],
    ['a path under a file', 'afile/sub', /afile is a file, not a folder/],
    ['a dangling link', 'dangling', /symbolic link that does not lead to a folder/],
    ['a special file system path', '/proc/svclab-x', /cannot create \/proc\/svclab-x/],
  ])('--out %s is a usage error (exit 2) before the run, not a crash or a hang', async (_what, out, message) => {
    if (!existsSync(join(dir, 'afile'))) writeFileSync(join(dir, 'afile'), 'data\n');
    if (!lstatExists(join(dir, 'dangling'))) symlinkSync('nowhere', join(dir, 'dangling'));
    const r = await svclab(['run', scenario, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout).not.toMatch(/passed/);
    expect(readFileSync(join(dir, 'afile'), 'utf8')).toBe('data\n');
  });
});

describe('svclab compare --out', () => {
  it("refuses a user's file in a backend's report folder before any backend runs", async () => {
    const out = fresh('cmp');
    mkdirSync(join(out, 'sim'));
    writeFileSync(join(out, 'sim', 'index.html'), 'my page\n');
    const r = await svclab(['compare', scenario, '--backends', 'sim,proxy', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sim\/index\.html exists and was not written by svclab/);
    expect(r.stderr).not.toMatch(/running/);
    expect(readFileSync(join(out, 'sim', 'index.html'), 'utf8')).toBe('my page\n');
  });
});

describe('svclab schema --out and new --out', () => {
  it("schema --out never overwrites a user's file, nor writes through a link; replaces its own schema", async () => {
    writeFileSync(join(dir, 'mine.json'), '{"mine": true}\n');
    let r = await svclab(['schema', '--out', 'mine.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists; not overwriting it/);
    expect(readFileSync(join(dir, 'mine.json'), 'utf8')).toBe('{"mine": true}\n');

    symlinkSync('mine.json', join(dir, 'link.json'));
    r = await svclab(['schema', '--out', 'link.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/symbolic link/);
    expect(readFileSync(join(dir, 'mine.json'), 'utf8')).toBe('{"mine": true}\n');

    expect((await svclab(['schema', '--out', 'out/schema.json'])).code).toBe(0);
    expect((await svclab(['schema', '--out', 'out/schema.json'])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out/schema.json'), 'utf8')).title).toBe('svclab scenario');
  });

  it.each([
    ['under a file', 'nfile/x.yaml', /nfile is a file, not a folder/],
    ['a dangling link', 'ndangling.yaml', /is a symbolic link/],
    ['under a dangling link', 'ndl/x.yaml', /symbolic link that does not lead to a folder/],
    ['an existing file', 'nexists.yaml', /already exists; not overwriting it/],
  ])('new --out %s is a clear usage error, not a crash', async (_what, out, message) => {
    if (!existsSync(join(dir, 'nfile'))) writeFileSync(join(dir, 'nfile'), 'data\n');
    if (!existsSync(join(dir, 'nexists.yaml'))) writeFileSync(join(dir, 'nexists.yaml'), 'mine\n');
    for (const l of ['ndangling.yaml', 'ndl']) if (!lstatExists(join(dir, l))) symlinkSync('nowhere', join(dir, l));
    const r = await svclab(['new', 'foo', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readFileSync(join(dir, 'nexists.yaml'), 'utf8')).toBe('mine\n');
  });
});

function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
