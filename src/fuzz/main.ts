#!/usr/bin/env node
/**
 * `npm run fuzz -- --count N --seed S [--timeout MS] [--out DIR] [paths...]`: mutates the scenarios
 * under the paths (default scenarios/) and judges every case in a worker thread, so a case that
 * hangs (even in a busy loop) is cut off after --timeout and the run goes on. Each finding (crash,
 * hang, simulator refusal, message without location) is saved as a reproducer under --out (a new
 * file each, never over an existing one). Exit 0: no findings; 1: findings; 2: usage error.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadCorpus, makeCase } from './cases.js';
import type { FuzzCase } from './cases.js';
import type { CaseVerdict } from './check-case.js';

const USAGE = 'Usage: npm run fuzz -- [--count N] [--seed S] [--timeout MS] [--out DIR] [scenario paths...]\n';

interface Finding {
  case: FuzzCase;
  what: string;
  detail: string;
}

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { count: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, timeout: { type: 'string', default: '10000' }, out: { type: 'string', default: 'fuzz-findings' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  const int = (name: string, text: string, min: number): number => {
    if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`--${name} expects an integer >= ${min}, got '${text}'`);
    return Number(text);
  };
  return {
    help: values.help === true,
    count: int('count', values.count!, 1),
    seed: int('seed', values.seed!, 0),
    timeoutMs: int('timeout', values.timeout!, 100),
    out: values.out!,
    paths: positionals.length > 0 ? positionals : ['scenarios'],
  };
}

/** Saves a reproducer and its notes; never replaces a file already there. */
function save(out: string, seed: number, f: Finding): string {
  mkdirSync(out, { recursive: true });
  for (let n = 0; ; n++) {
    const stem = path.join(out, `seed${seed}-case${f.case.index}-${f.what}${n === 0 ? '' : `-${n}`}`);
    try {
      writeFileSync(`${stem}.yaml`, f.case.text, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    const notes = `${f.what} in case ${f.case.index} of seed ${seed}\nmade from ${f.case.base} by: ${f.case.mutations.join(', ')}\nrepeat: npm run fuzz -- --seed ${seed} --count ${f.case.index + 1}\n\n${f.detail}\n`;
    writeFileSync(`${stem}.txt`, notes, { flag: 'wx' });
    return `${stem}.yaml`;
  }
}

/** Judges the cases in a worker; a case over the time bound is a hang, and the worker is replaced. */
async function judgeAll(cases: Iterable<FuzzCase>, timeoutMs: number, dir: string, onVerdict: (c: FuzzCase, v: CaseVerdict | 'hang') => void): Promise<void> {
  const workerUrl = new URL('./worker.js', import.meta.url);
  let worker: Worker | undefined;
  for (const c of cases) {
    worker ??= new Worker(workerUrl, { workerData: { dir }, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    const w = worker;
    const verdict = await new Promise<CaseVerdict | 'hang'>((resolve) => {
      const timer = setTimeout(() => resolve('hang'), timeoutMs);
      const done = (v: CaseVerdict | 'hang'): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        resolve(v);
      };
      const onMessage = (m: { index: number; verdict: CaseVerdict }): void => done(m.verdict);
      const onError = (err: Error): void => done({ kind: 'finding', what: 'crash', detail: `worker died: ${err.stack ?? err.message}` });
      w.on('message', onMessage);
      w.on('error', onError);
      w.postMessage({ index: c.index, text: c.text });
    });
    if (verdict === 'hang' || verdict.kind === 'finding') {
      // A hung or crashed worker may hold anything: start the next case in a fresh one.
      await w.terminate();
      worker = undefined;
    }
    onVerdict(c, verdict);
  }
  await worker?.terminate();
}

async function main(argv: string[]): Promise<number> {
  let o: ReturnType<typeof options>;
  try {
    o = options(argv);
  } catch (err) {
    process.stderr.write(`fuzz: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const corpus = await loadCorpus(o.paths);
  if (corpus.length === 0) {
    process.stderr.write(`fuzz: no scenario files under ${o.paths.join(', ')}\n`);
    return 2;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'svclab-fuzz-'));
  const tally = new Map<string, number>();
  const findings: string[] = [];
  const t0 = performance.now();
  function* cases(): Generator<FuzzCase> {
    for (let i = 0; i < o.count; i++) yield makeCase(corpus, o.seed, i);
  }
  try {
    await judgeAll(cases(), o.timeoutMs, dir, (c, v) => {
      const key = v === 'hang' ? 'hang' : v.kind === 'valid' ? `valid (${v.status})` : v.kind === 'invalid' ? 'invalid (exit 3)' : v.what;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (v === 'hang' || v.kind === 'finding') {
        const f: Finding = v === 'hang' ? { case: c, what: 'hang', detail: `no verdict within ${o.timeoutMs} ms` } : { case: c, what: v.what, detail: v.detail };
        const file = save(o.out, o.seed, f);
        findings.push(file);
        process.stderr.write(`FINDING ${f.what}: case ${c.index} (${c.base}: ${c.mutations.join(', ')}) -> ${file}\n`);
      }
      if ((c.index + 1) % 1000 === 0) process.stderr.write(`  ${c.index + 1}/${o.count} cases\n`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const parts = [...tally].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`);
  process.stdout.write(`${o.count} cases (seed ${o.seed}) from ${corpus.length} scenarios in ${seconds} s: ${parts.join(', ')}\n`);
  process.stdout.write(findings.length === 0 ? 'no crashes, hangs or unlocated messages\n' : `${findings.length} finding(s), reproducers in ${o.out}/\n`);
  return findings.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fuzz: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
