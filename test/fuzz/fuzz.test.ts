/**
 * The structure-aware fuzzer: its cases are reproducible from (seed, index), its mutations reach
 * the classes of input that crashed svclab before (aliases, cycles, built-in key names), its oracle
 * tells a located message from an unlocated one, and a fixed-seed sample finds nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCorpus, makeCase } from '../../src/fuzz/cases.js';
import { checkCase, messageProblem } from '../../src/fuzz/check-case.js';
import type { CaseVerdict } from '../../src/fuzz/check-case.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'svclab-fuzz-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The sample `npm test` runs: fixed seed, a few hundred cases. */
const SAMPLE_SEED = 20261205;
const SAMPLE_COUNT = 300;

describe('fuzz cases', () => {
  it('are made again identically from (seed, index)', async () => {
    const corpus = await loadCorpus([path.join(repo, 'scenarios')]);
    for (const i of [0, 7, 123]) expect(makeCase(corpus, 5, i)).toEqual(makeCase(corpus, 5, i));
    expect(makeCase(corpus, 5, 1).text).not.toBe(makeCase(corpus, 6, 1).text);
  });

  it('reach aliases to enclosing nodes, built-in key names and every mutation kind', async () => {
    const corpus = await loadCorpus([path.join(repo, 'scenarios')]);
    const cases = Array.from({ length: 400 }, (_, i) => makeCase(corpus, 1, i));
    const kinds = new Set(cases.flatMap((c) => c.mutations));
    for (const k of ['drop-key', 'duplicate-key', 'rename-key', 'swap-type', 'extreme-number', 'anchor-alias', 'odd-address', 'odd-name', 'odd-send', 'reorder', 'transplant']) {
      expect(kinds).toContain(k);
    }
    expect(cases.some((c) => /\b(toString|constructor|hasOwnProperty|__proto__):/.test(c.text))).toBe(true);
    // Some alias sits inside the node its anchor names (a cycle once resolved).
    const verdicts = await Promise.all(cases.filter((c) => c.mutations.includes('anchor-alias')).slice(0, 60).map((c) => checkCase(path.join(dir, `alias-${c.index}.yaml`), c.text)));
    const messages = verdicts.map((v) => (v.kind === 'invalid' ? v.message : ''));
    expect(messages.some((m) => m.includes('is inside the node it refers to (a cycle)'))).toBe(true);
  });
});

describe('fuzz oracle', () => {
  it('wants file:line:col and an expected note in every diagnostic of an exit-3 message', () => {
    const located = "error: bad\n --> a.yaml:3:1\n  |\n3 | x\n  | ^\n  = expected y";
    expect(messageProblem(located)).toBeUndefined();
    expect(messageProblem('error: bad\n --> a.yaml\n  = expected y')).toMatch(/no file:line:col/);
    expect(messageProblem('error: bad\n --> a.yaml:3:1\n  |\n3 | x\n  | ^')).toMatch(/no "expected" note/);
    expect(messageProblem(`${located}\n\nerror: second\n --> a.yaml:4:1`)).toMatch(/no "expected" note/);
  });

  it('judges a valid scenario by running it on the simulator, and refuses nonsense with exit 3', async () => {
    const corpus = await loadCorpus([path.join(repo, 'scenarios/labs/000-nodeport-basics.yaml')]);
    expect(await checkCase(path.join(dir, 'valid.yaml'), corpus[0].text)).toEqual({ kind: 'valid', status: 'pass' });
    expect(await checkCase(path.join(dir, 'bad.yaml'), 'name: x\nsteps: [{ toString: 1 }]\n')).toMatchObject({ kind: 'invalid', message: expect.stringContaining("missing key 'cluster'") });
  });
});

describe('fuzz sample', () => {
  it(`${SAMPLE_COUNT} cases of seed ${SAMPLE_SEED}: no crash, no simulator refusal, no unlocated message`, { timeout: 180_000 }, async () => {
    const corpus = await loadCorpus([path.join(repo, 'scenarios')]);
    const findings: string[] = [];
    const tally: Record<string, number> = {};
    for (let i = 0; i < SAMPLE_COUNT; i++) {
      const c = makeCase(corpus, SAMPLE_SEED, i);
      const v: CaseVerdict = await checkCase(path.join(dir, `case-${i}.yaml`), c.text);
      tally[v.kind] = (tally[v.kind] ?? 0) + 1;
      if (v.kind === 'finding') findings.push(`case ${i} (${c.base}: ${c.mutations.join(', ')}): ${v.what}\n${v.detail}`);
    }
    expect(findings).toEqual([]);
    // The sample exercises both sides: files refused with exit 3 and files run on the simulator.
    expect(tally.invalid).toBeGreaterThan(0);
    expect(tally.valid).toBeGreaterThan(0);
  });
});

describe('npm run fuzz (built)', () => {
  it.skipIf(!existsSync(path.join(repo, 'dist/fuzz/main.js')))('runs cases in a worker, prints a summary and exits 0 when nothing is found', () => {
    const out = path.join(dir, 'findings');
    const r = spawnSync(process.execPath, [path.join(repo, 'dist/fuzz/main.js'), '--count', '30', '--seed', '9', '--out', out, path.join(repo, 'scenarios/labs')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^30 cases \(seed 9\) from 5 scenarios in [\d.]+ s: /);
    expect(r.stdout).toContain('no crashes, hangs or unlocated messages');
    expect(r.status).toBe(0);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it.skipIf(!existsSync(path.join(repo, 'dist/fuzz/main.js')))('refuses a bad --count with exit 2', () => {
    const r = spawnSync(process.execPath, [path.join(repo, 'dist/fuzz/main.js'), '--count', 'many'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--count expects an integer >= 1, got 'many'");
  });
});
