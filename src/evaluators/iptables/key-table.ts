/**
 * An immutable hash table from (int32, int32) keys to lists of ascending int32 values, stored in
 * typed arrays (open addressing, linear probing). Chain indexes use it to map (destination,
 * protocol+port) to rule positions: a lookup allocates nothing and touches a few cache lines,
 * where a Map keyed by a 50-bit number boxes the key on every call.
 */
export class KeyTable {
  private readonly mask: number;
  private readonly shift: number;
  /**
   * Per slot, side by side so one probe reads one cache line: key a, key b, start of its list in
   * `values` (-1 for an empty slot), length of the list.
   */
  private readonly slots: Int32Array;
  /** Every list, back to back. */
  readonly values: Int32Array;
  readonly size: number;

  /** `lists` maps a key pair (as `a` and `b`) to its values in ascending order. */
  constructor(lists: { a: number; b: number; values: number[] }[]) {
    let bits = 4;
    while (1 << bits < lists.length * 2) bits++;
    const cap = 1 << bits;
    this.mask = cap - 1;
    this.shift = 32 - bits;
    this.slots = new Int32Array(cap * 4);
    for (let s = 0; s < cap; s++) this.slots[s * 4 + 2] = -1;
    this.size = lists.length;
    let total = 0;
    for (const l of lists) total += l.values.length;
    this.values = new Int32Array(total);
    let at = 0;
    for (const l of lists) {
      let s = this.hash(l.a | 0, l.b | 0);
      while (this.slots[s * 4 + 2] !== -1) s = (s + 1) & this.mask;
      this.slots[s * 4] = l.a;
      this.slots[s * 4 + 1] = l.b;
      this.slots[s * 4 + 2] = at;
      this.slots[s * 4 + 3] = l.values.length;
      this.values.set(l.values, at);
      at += l.values.length;
    }
  }

  private hash(a: number, b: number): number {
    return Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) >>> this.shift;
  }

  /** The slot holding (a, b), or -1. Read its list with `startOf` / `lengthOf`. */
  find(a: number, b: number): number {
    const slots = this.slots;
    let s = this.hash(a | 0, b | 0);
    for (;;) {
      const o = s * 4;
      if (slots[o + 2] === -1) return -1;
      if (slots[o] === (a | 0) && slots[o + 1] === (b | 0)) return s;
      s = (s + 1) & this.mask;
    }
  }

  startOf(slot: number): number {
    return this.slots[slot * 4 + 2]!;
  }

  lengthOf(slot: number): number {
    return this.slots[slot * 4 + 3]!;
  }
}
