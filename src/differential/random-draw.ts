/**
 * Seeded choices for the random cluster-state generator, on top of the project's one seeded PRNG
 * (xoshiro128** in evaluators/iptables/rng.ts, also used by the simulator and the fuzzer): whole
 * numbers in a range, coin flips, picks, weighted picks and shuffles. A seed fixes every draw.
 */
import { Rng } from '../evaluators/iptables/rng.js';

export { Rng };

export class Draw {
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.rng.next();
  }

  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.rng.next() * (max - min + 1));
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.rng.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Draw.pick: nothing to pick from');
    return items[Math.floor(this.rng.next() * items.length)]!;
  }

  /** One of the keys of `weights`, each with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let r = this.rng.next() * total;
    for (const [key, w] of entries) {
      r -= w;
      if (r < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** Lower-case letters and digits, like the random suffix of a generated Kubernetes name. */
  suffix(length: number): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.rng.next() * alphabet.length)];
    return out;
  }
}
