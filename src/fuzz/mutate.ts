/**
 * Structure-aware mutations of a scenario's YAML node tree: keys dropped, duplicated and renamed,
 * types swapped, extreme numbers, anchors and aliases (cycles included), odd addresses, ports and
 * names, send texts bent, steps reordered. Every choice comes from a seeded RNG, so a seed names
 * a case exactly.
 */
import { Alias, Pair, Scalar, YAMLMap, YAMLSeq, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { Rng } from '../evaluators/iptables/rng.js';

/** Names of built-in object properties: keys that must never be looked up through the prototype. */
const BUILTIN_KEYS = ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf', 'prototype', 'isPrototypeOf'];
const EXTREME_NUMBERS = [0, -1, 1, 0.5, -0.5, 255, 256, 65535, 65536, 100000, 100001, 1e6, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308];
const ODD_ADDRESSES = ['fd00::1', '::', '::1', '::ffff:172.18.0.2', '0.0.0.0', '255.255.255.255', '127.0.0.1', '172.18.0.2', '10.96.0.1', '10.244.1.2', '169.254.1.1', '224.0.0.1', '999.1.1.1', '1.2.3', '172.18.0.2/24', ''];
const ODD_PORTS = ['0', '1', '65535', '65536', '-1', '30000', '32767', '32768', '99999', '8080', 'http', 'NPORT', 'nodePort(web)'];
const COUNT_WORDS = ['0 curls', '1 curl', '100000 curls', '100001 curls', '99999999999 curls', '-1 curls', '1.5 curls', 'many curls'];
const NAME_VALUES = ['Web', 'web_1', '-web', 'web-', 'a.b', 'a'.repeat(63), 'a'.repeat(64), 'b'.repeat(254), 'constructor', 'toString', '1abc', 'web', 'kind-worker', ''];

interface Slot {
  /** The collection holding the node, and where (index in items; pairs hold key or value). */
  parent: YAMLMap | YAMLSeq;
  index: number;
  side?: 'key' | 'value';
  node: unknown;
}

function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const walk = (node: unknown): void => {
    if (!(isMap(node) || isSeq(node))) return;
    node.items.forEach((item: unknown, index: number) => {
      if (isPair(item)) {
        out.push({ parent: node, index, side: 'key', node: item.key });
        out.push({ parent: node, index, side: 'value', node: item.value });
        walk(item.value);
      } else {
        out.push({ parent: node, index, node: item });
        walk(item);
      }
    });
  };
  walk(root);
  return out;
}

function put(slot: Slot, value: unknown): void {
  if (slot.side === undefined) (slot.parent as YAMLSeq).items[slot.index] = value;
  else {
    const pair = (slot.parent as YAMLMap).items[slot.index] as Pair;
    if (slot.side === 'key') pair.key = value;
    else pair.value = value;
  }
}

class Mutator {
  private readonly rng: Rng;
  private anchors = 0;

  constructor(
    private readonly doc: Document,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  private int(n: number): number {
    return Math.floor(this.rng.next() * n);
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }

  private all(): Slot[] {
    return slots(this.doc.contents);
  }

  private pairs(): Slot[] {
    return this.all().filter((s) => s.side === 'value');
  }

  private scalars(): Slot[] {
    return this.all().filter((s) => s.side !== 'key' && isScalar(s.node));
  }

  /** Applies one mutation; returns its name (for the report). */
  mutate(): string {
    const ops: [string, () => boolean][] = [
      ['drop-key', () => this.dropKey()],
      ['duplicate-key', () => this.duplicateKey()],
      ['rename-key', () => this.renameKey()],
      ['swap-type', () => this.swapType()],
      ['extreme-number', () => this.extremeNumber()],
      ['anchor-alias', () => this.anchorAlias()],
      ['odd-address', () => this.replaceScalar(ODD_ADDRESSES)],
      ['odd-name', () => this.replaceScalar(NAME_VALUES)],
      ['odd-send', () => this.bendSend()],
      ['reorder', () => this.reorder()],
      ['transplant', () => this.transplant()],
    ];
    for (let tries = 0; tries < 10; tries++) {
      const [name, op] = this.pick(ops);
      if (op()) return name;
    }
    return 'none';
  }

  private dropKey(): boolean {
    const pairs = this.pairs();
    if (pairs.length === 0) return false;
    const s = this.pick(pairs);
    (s.parent as YAMLMap).items.splice(s.index, 1);
    return true;
  }

  private duplicateKey(): boolean {
    const pairs = this.pairs();
    if (pairs.length === 0) return false;
    const s = this.pick(pairs);
    const pair = (s.parent as YAMLMap).items[s.index] as Pair;
    (s.parent as YAMLMap).items.splice(s.index + 1, 0, new Pair(this.copy(pair.key), this.copy(pair.value)));
    return true;
  }

  private renameKey(): boolean {
    const keys = this.all().filter((s) => s.side === 'key' && isScalar(s.node));
    if (keys.length === 0) return false;
    const s = this.pick(keys);
    const old = String((s.node as Scalar).value);
    const choices = [
      () => this.pick(BUILTIN_KEYS),
      () => (old.length > 1 ? old.slice(0, -1) : `${old}x`),
      () => old.toUpperCase(),
      () => `${old}s`,
      () => String((this.pick(keys).node as Scalar).value),
    ];
    put(s, new Scalar(this.pick(choices)()));
    return true;
  }

  private swapType(): boolean {
    const all = this.all().filter((s) => s.side !== 'key');
    if (all.length === 0) return false;
    const s = this.pick(all);
    const values: (() => unknown)[] = [
      () => new Scalar('x'),
      () => new Scalar(this.pick(EXTREME_NUMBERS)),
      () => new Scalar(this.rng.next() < 0.5),
      () => new Scalar(null),
      () => new YAMLSeq(),
      () => new YAMLMap(),
      () => {
        const seq = new YAMLSeq();
        seq.items.push(this.copy(s.node));
        return seq;
      },
      () => {
        const map = new YAMLMap();
        map.items.push(new Pair(new Scalar(this.pick(['a', 'name', 'ip', ...BUILTIN_KEYS])), this.copy(s.node)));
        return map;
      },
    ];
    put(s, this.pick(values)());
    return true;
  }

  private extremeNumber(): boolean {
    const nums = this.scalars().filter((s) => typeof (s.node as Scalar).value === 'number');
    const pool = nums.length > 0 && this.rng.next() < 0.8 ? nums : this.scalars();
    if (pool.length === 0) return false;
    const s = this.pick(pool);
    put(s, new Scalar(this.pick(EXTREME_NUMBERS)));
    return true;
  }

  /** Anchors a collection and puts an alias to it later in the file, often inside it (a cycle). */
  private anchorAlias(): boolean {
    const all = this.all().filter((s) => s.side !== 'key' && !isAlias(s.node));
    const collections = all.filter((s) => isMap(s.node) || isSeq(s.node));
    if (collections.length === 0) return false;
    const target = this.pick(collections);
    const node = target.node as Node;
    const name = node.anchor ?? `a${++this.anchors}`;
    node.anchor = name;
    // Candidates: nodes inside the target (cycles) or after it in document order.
    const inside = slots(node).filter((s) => s.side !== 'key');
    const order = all.map((s) => s.node);
    const after = all.filter((s) => order.indexOf(s.node) > order.indexOf(node) && !inside.some((i) => i.node === s.node));
    const pool = this.rng.next() < 0.5 && inside.length > 0 ? inside : after;
    if (pool.length === 0) return false;
    const copies = 1 + this.int(this.rng.next() < 0.1 ? 12 : 2);
    for (let i = 0; i < copies && pool.length > 0; i++) put(this.pick(pool), new Alias(name));
    return true;
  }

  private replaceScalar(values: readonly string[]): boolean {
    const strings = this.scalars().filter((s) => typeof (s.node as Scalar).value === 'string');
    if (strings.length === 0) return false;
    put(this.pick(strings), new Scalar(this.pick(values)));
    return true;
  }

  /** Bends a send shorthand: its count, its port, its source, or a word. */
  private bendSend(): boolean {
    const sends = this.scalars().filter((s) => typeof (s.node as Scalar).value === 'string' && /\bto\b/.test(String((s.node as Scalar).value)));
    if (sends.length === 0) return this.replaceScalar(ODD_PORTS);
    const s = this.pick(sends);
    let text = String((s.node as Scalar).value);
    const edits = [
      () => text.replace(/^\s*\S+\s+\S+/, this.pick(COUNT_WORDS)),
      () => text.replace(/:([^\s:]+)(\s|$)/, `:${this.pick(ODD_PORTS)}$2`),
      () => text.replace(/to\s+(\S+?):/, `to ${this.pick(ODD_ADDRESSES)}:`),
      () => text.replace(/from\s+.*$/, `from ${this.pick(['node', 'pod', 'client', 'pod constructor', 'node toString', 'mypc', '172.18.0.1'])}`),
      () => `${text} ${this.pick(['over udp', 'over sctp', 'over icmp', 'timeout 0s', 'timeout 999s', 'extra'])}`,
      () => text.split(' ').reverse().join(' '),
    ];
    text = this.pick(edits)();
    put(s, new Scalar(text));
    return true;
  }

  private reorder(): boolean {
    const seqs = this.all().filter((s) => isSeq(s.node) && (s.node as YAMLSeq).items.length > 1);
    if (seqs.length === 0) return false;
    // Prefer the steps list.
    const steps = seqs.find((s) => s.side === 'value' && isPair((s.parent as YAMLMap).items[s.index]) && String(((s.parent as YAMLMap).items[s.index] as Pair<Scalar>).key?.value) === 'steps');
    const seq = (steps !== undefined && this.rng.next() < 0.6 ? steps : this.pick(seqs)).node as YAMLSeq;
    const i = this.int(seq.items.length);
    const j = this.int(seq.items.length);
    [seq.items[i], seq.items[j]] = [seq.items[j], seq.items[i]];
    return true;
  }

  /** Replaces a node with a copy of another node from elsewhere in the file. */
  private transplant(): boolean {
    const all = this.all().filter((s) => s.side !== 'key' && !isAlias(s.node));
    if (all.length < 2) return false;
    put(this.pick(all), this.copy(this.pick(all).node));
    return true;
  }

  /** A deep copy without anchors (a copied anchor would be defined twice). */
  private copy(node: unknown): unknown {
    if (isAlias(node)) return new Alias(node.source);
    if (isScalar(node)) return new Scalar(node.value);
    if (isSeq(node)) {
      const seq = new YAMLSeq();
      for (const item of node.items) seq.items.push(this.copy(item));
      return seq;
    }
    if (isMap(node)) {
      const map = new YAMLMap();
      for (const pair of node.items) map.items.push(new Pair(this.copy(pair.key), this.copy(pair.value)));
      return map;
    }
    return node;
  }
}

/**
 * The text of case `seed` made from `base`: 1 to 3 mutations, or undefined when the mutated tree
 * cannot be written back as YAML (then the caller draws another case).
 */
export function mutateScenario(base: string, seed: number): { text: string; mutations: string[] } | undefined {
  const doc = parseDocument(base, { uniqueKeys: false, merge: false });
  if (doc.errors.length > 0) return undefined;
  const m = new Mutator(doc, seed);
  const count = 1 + (seed % 3);
  const mutations: string[] = [];
  for (let i = 0; i < count; i++) mutations.push(m.mutate());
  try {
    return { text: doc.toString({ lineWidth: 0 }), mutations };
  } catch {
    return undefined;
  }
}
