/** Which scenarios a run takes: --grep and --tag filters, then the --shard slice. */
import { createHash } from 'node:crypto';
import type { CompiledScenario } from '../model/scenario.js';
import { UsageError } from '../errors.js';
import { displayPath } from './display-path.js';
import { grepMatches } from './grep.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parse `i/n` the way vitest validates --shard. */
export function parseShard(text: string): Shard {
  const m = /^([^/]*)\/([^/]*)$/.exec(text);
  if (m === null) throw new UsageError(`--shard must be <index>/<count>, e.g. 1/3 (got '${text}')`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isInteger(count) || count <= 0) throw new UsageError('--shard <count> must be a positive number');
  if (!Number.isInteger(index) || index <= 0) throw new UsageError('--shard <index> must be a positive number');
  if (index > count) throw new UsageError('--shard <index> must be a positive number no greater than <count>');
  return { index, count };
}

/** Stable across machines and orderings: the hash of the path relative to the run's directory. */
function shardKey(relativeFile: string, name: string): string {
  return createHash('sha1').update(`${relativeFile}\0${name}`).digest('hex');
}

/**
 * This shard's part: items sorted by a stable hash, then cut into `count` contiguous slices whose
 * sizes differ by at most one. Every item lands in exactly one shard.
 */
export function shardSlice<T>(items: T[], shard: Shard, key: (item: T) => string): T[] {
  const sorted = items
    .map((item) => ({ item, hash: key(item) }))
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0))
    .map((x) => x.item);
  const start = Math.floor(((shard.index - 1) * sorted.length) / shard.count);
  const end = Math.floor((shard.index * sorted.length) / shard.count);
  return sorted.slice(start, end);
}

export interface Selection {
  grep?: RegExp;
  tags: string[];
  shard?: Shard;
  cwd: string;
}

/** --grep matches the scenario name or its file path; --tag keeps scenarios carrying any given tag. */
export function selectScenarios(scenarios: CompiledScenario[], selection: Selection): CompiledScenario[] {
  let picked = scenarios;
  const grep = selection.grep;
  if (grep !== undefined) picked = picked.filter((s) => grepMatches(grep, s.name) || grepMatches(grep, displayPath(s.file, selection.cwd)));
  if (selection.tags.length > 0) picked = picked.filter((s) => s.tags.some((t) => selection.tags.includes(t)));
  if (selection.shard !== undefined) {
    const sliced = new Set(shardSlice(picked, selection.shard, (s) => shardKey(displayPath(s.file, selection.cwd), s.name)));
    picked = picked.filter((s) => sliced.has(s));
  }
  return picked;
}
