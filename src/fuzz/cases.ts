/**
 * The fuzzer's cases: case `index` of run `seed` is a mutation of one scenario of the corpus, both
 * chosen from (seed, index) alone, so any case can be made again from its two numbers.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { discoverScenarioFiles } from '../dsl/load.js';
import { mutateScenario } from './mutate.js';

export interface CorpusEntry {
  file: string;
  text: string;
}

export interface FuzzCase {
  index: number;
  /** Corpus file the case was made from (relative to the working directory). */
  base: string;
  mutations: string[];
  text: string;
}

export async function loadCorpus(paths: string[]): Promise<CorpusEntry[]> {
  const files = await discoverScenarioFiles(paths);
  return Promise.all(files.map(async (file) => ({ file: path.relative(process.cwd(), file) || file, text: await readFile(file, 'utf8') })));
}

/** splitmix32 of (seed, index, attempt): independent case seeds from consecutive numbers. */
function caseSeed(seed: number, index: number, attempt: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b) + Math.imul(attempt, 0xc2b2ae35)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export function makeCase(corpus: CorpusEntry[], seed: number, index: number): FuzzCase {
  for (let attempt = 0; ; attempt++) {
    const s = caseSeed(seed, index, attempt);
    const base = corpus[s % corpus.length];
    const mutated = mutateScenario(base.text, s);
    if (mutated !== undefined) return { index, base: base.file, mutations: mutated.mutations, text: mutated.text };
    if (attempt > 20) return { index, base: base.file, mutations: ['none'], text: base.text };
  }
}
