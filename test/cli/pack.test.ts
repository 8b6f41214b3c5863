/**
 * `npm pack` from a clean clone (no dist/) gives a package with a working `svclab` bin: the
 * prepack step builds dist/. The packed tarball is unpacked and its bin run with the repo's
 * installed dependencies (no registry access in tests; installing the tarball with npm was
 * checked by hand: `npm install ./svclab-0.1.0.tgz && npx svclab validate FILE`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'svclab-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack', () => {
  it('from a clean clone packs dist/ (prepack) and the packed bin validates a scenario', async () => {
    const clone = join(dir, 'clone');
    await run('git', ['clone', '-q', repo, clone]);
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'));
    const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: clone, timeout: 240_000 });
    const tarball = join(dir, stdout.trim().split('\n').at(-1)!);
    await run('tar', ['xzf', tarball, '-C', dir]);
    const pkg = JSON.parse(readFileSync(join(dir, 'package/package.json'), 'utf8')) as { bin: { svclab: string } };
    expect(existsSync(join(dir, 'package', pkg.bin.svclab))).toBe(true);
    symlinkSync(join(repo, 'node_modules'), join(dir, 'package/node_modules'));
    const scenario = join(repo, 'scenarios/labs/000-nodeport-basics.yaml');
    const out = await run(process.execPath, [join(dir, 'package', pkg.bin.svclab), 'validate', scenario]);
    expect(out.stdout).toMatch(/1 file\(s\): 1 valid, 0 invalid/);
  }, 300_000);
});
