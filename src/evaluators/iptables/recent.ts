/**
 * State of the `recent` match (xt_recent): per list name, per (masked) address, the times it was
 * seen. Kept per node, like the kernel's /proc/net/xt_recent/<name> tables. Times are seconds of
 * the simulation's virtual clock.
 */

/** Kernel default ip_pkt_list_tot: how many timestamps an entry remembers. */
const MAX_STAMPS = 20;

export class RecentStore {
  private readonly lists = new Map<string, Map<number, number[]>>();

  private list(name: string): Map<number, number[]> {
    let l = this.lists.get(name);
    if (!l) {
      l = new Map();
      this.lists.set(name, l);
    }
    return l;
  }

  /** Adds a sighting (`--set`, and `--update` when it matched). */
  add(name: string, addr: number, now: number): void {
    const l = this.list(name);
    const stamps = l.get(addr);
    if (stamps) {
      stamps.push(now);
      if (stamps.length > MAX_STAMPS) stamps.shift();
    } else l.set(addr, [now]);
  }

  /** `--rcheck`/`--update` test: seen at all, or `hitcount` (default 1) times within `seconds`. */
  check(name: string, addr: number, now: number, seconds: number | undefined, hitcount: number | undefined, reap: boolean, mutate: boolean): boolean {
    const l = this.lists.get(name);
    const stamps = l?.get(addr);
    if (!stamps) return false;
    if (seconds === undefined && hitcount === undefined) return true;
    let hits = 0;
    for (const t of stamps) if (seconds === undefined || now - t < seconds) hits++;
    if (reap && seconds !== undefined && mutate) {
      const kept = stamps.filter((t) => now - t < seconds);
      if (kept.length === 0) l!.delete(addr);
      else if (kept.length !== stamps.length) l!.set(addr, kept);
    }
    return hits >= (hitcount ?? 1);
  }

  remove(name: string, addr: number): boolean {
    return this.lists.get(name)?.delete(addr) ?? false;
  }

  has(name: string, addr: number): boolean {
    return this.lists.get(name)?.has(addr) ?? false;
  }

  /** Drops lists no rule names any more (the kernel frees a table with its last rule). */
  retainOnly(names: Set<string>): void {
    for (const name of [...this.lists.keys()]) if (!names.has(name)) this.lists.delete(name);
  }

  names(): string[] {
    return [...this.lists.keys()];
  }
}
