/**
 * The elements of a set or map, ready for lookups that allocate nothing. Keys are tuples of
 * 32-bit values (one per concatenated component). Sets whose elements are all single values are
 * hash tables (open addressing over an Int32Array), so a lookup costs the same at 10 or 10,000
 * Services; sets with ranges or prefixes (`flags interval`, anonymous `{ 10.0.0.0/8 }`) are
 * scanned, as they are small in practice.
 */
import type { Element } from './ast.js';

export class SetTable {
  readonly width: number;
  readonly size: number;
  private readonly exact: boolean;
  private readonly mask: number;
  private readonly shift: number;
  /** Hash slots: `width` key words each. */
  private readonly keys: Int32Array;
  /** Element index per slot, -1 for empty. */
  private readonly slots: Int32Array;
  /** Interval form: lo/hi per component per element, unsigned. */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;

  constructor(width: number, elements: Element[]) {
    this.width = width;
    this.size = elements.length;
    this.exact = elements.every((e) => e.key.every((r) => r.lo === r.hi));
    if (this.exact) {
      let bits = 4;
      while (1 << bits < elements.length * 2) bits++;
      const cap = 1 << bits;
      this.mask = cap - 1;
      this.shift = 32 - bits;
      this.keys = new Int32Array(cap * width);
      this.slots = new Int32Array(cap).fill(-1);
      const probe = new Int32Array(width);
      elements.forEach((e, i) => {
        for (let k = 0; k < width; k++) probe[k] = e.key[k]!.lo;
        if (this.find(probe) >= 0) return; // duplicate key: the first element wins, as nft keeps one
        let s = this.hash(probe);
        while (this.slots[s] !== -1) s = (s + 1) & this.mask;
        this.slots[s] = i;
        for (let k = 0; k < width; k++) this.keys[s * width + k] = probe[k]!;
      });
      this.lo = this.hi = new Float64Array(0);
    } else {
      this.mask = 0;
      this.shift = 0;
      this.keys = this.slots = new Int32Array(0);
      this.lo = new Float64Array(elements.length * width);
      this.hi = new Float64Array(elements.length * width);
      elements.forEach((e, i) => {
        for (let k = 0; k < width; k++) {
          this.lo[i * width + k] = e.key[k]!.lo >>> 0;
          this.hi[i * width + k] = e.key[k]!.hi >>> 0;
        }
      });
    }
  }

  private hash(key: Int32Array): number {
    let h = 0x811c9dc5;
    for (let k = 0; k < this.width; k++) h = Math.imul(h ^ key[k]!, 0x9e3779b1);
    return Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> this.shift;
  }

  /** The index of the element holding `key`, or -1. */
  find(key: Int32Array): number {
    const w = this.width;
    if (this.exact) {
      if (this.size === 0) return -1;
      const keys = this.keys;
      let s = this.hash(key);
      for (;;) {
        const el = this.slots[s]!;
        if (el === -1) return -1;
        let k = 0;
        const o = s * w;
        while (k < w && keys[o + k] === key[k]) k++;
        if (k === w) return el;
        s = (s + 1) & this.mask;
      }
    }
    const lo = this.lo;
    const hi = this.hi;
    for (let i = 0; i < this.size; i++) {
      let k = 0;
      const o = i * w;
      while (k < w) {
        const v = key[k]! >>> 0;
        if (v < lo[o + k]! || v > hi[o + k]!) break;
        k++;
      }
      if (k === w) return i;
    }
    return -1;
  }
}
