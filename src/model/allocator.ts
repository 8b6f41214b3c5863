/**
 * Deterministic allocation of cluster IPs and node ports: the lowest value that is free now and was
 * never handed out before in the same scenario (so a deleted Service's port is not silently reused
 * by another one, which would make step results depend on history in surprising ways).
 */
import { cidrSize, nthAddress } from './ip.js';
import type { Cidr } from './ip.js';

/** Hands out the lowest never-used value of an ordered candidate list. */
export class Pool<T> {
  private readonly everUsed = new Set<T>();

  constructor(private readonly candidates: () => Iterable<T>) {}

  /** Records a value as handed out (a fixed value, or one kept from a previous step). */
  mark(value: T): void {
    this.everUsed.add(value);
  }

  /** The lowest candidate never handed out and not taken now; undefined when exhausted. */
  next(taken: (value: T) => boolean): T | undefined {
    for (const v of this.candidates()) {
      if (!this.everUsed.has(v) && !taken(v)) {
        this.everUsed.add(v);
        return v;
      }
    }
    return undefined;
  }
}

export function nodePortPool(min: number, max: number): Pool<number> {
  return new Pool(function* () {
    for (let p = min; p <= max; p++) yield p;
  });
}

/** Cluster IPs: from offset 2 of the service CIDR (network address and .1 are never handed out). */
export function clusterIPPool(cidr: Cidr): Pool<string> {
  return new Pool(function* () {
    const size = cidrSize(cidr);
    const last = cidr.family === 4 && size > 2n ? size - 1n : size; // skip the IPv4 broadcast address
    for (let i = 2n; i < last; i++) yield nthAddress(cidr, i)!;
  });
}

/** Offsets of a cluster IP the allocator never hands out and a fixed clusterIP may not use. */
export function reservedServiceOffset(offset: bigint): 'network address' | 'kubernetes Service address' | undefined {
  if (offset === 0n) return 'network address';
  if (offset === 1n) return 'kubernetes Service address';
  return undefined;
}
