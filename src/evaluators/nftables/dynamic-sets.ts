/**
 * Elements rules add at run time (`update @affinity { ip saddr }`), per host, with their expiry
 * on the simulation's virtual clock. kube-proxy's session affinity lives here: the endpoint chain
 * records the client, and the service chain's `ip saddr @affinity-...` sends it back while the
 * element has not timed out. Kept per node across rule syncs, like the kernel keeps a set whose
 * table is not flushed.
 */
export class DynamicSets {
  private readonly sets = new Map<string, Map<string, number>>();

  /** Is `key` in set `id` at time `now`? */
  has(id: string, key: string, now: number): boolean {
    const exp = this.sets.get(id)?.get(key);
    return exp !== undefined && exp > now;
  }

  /** `add` keeps an element that is there; `update` also restarts its timeout. */
  put(id: string, key: string, now: number, timeout: number | undefined, refresh: boolean): void {
    let s = this.sets.get(id);
    if (!s) {
      s = new Map();
      this.sets.set(id, s);
    }
    const exp = s.get(key);
    if (exp !== undefined && exp > now && !refresh) return;
    s.set(key, timeout === undefined ? Infinity : now + timeout);
  }

  delete(id: string, key: string): void {
    this.sets.get(id)?.delete(key);
  }

  /** Forgets sets the current rules no longer declare. */
  retainOnly(ids: Set<string>): void {
    for (const id of [...this.sets.keys()]) if (!ids.has(id)) this.sets.delete(id);
  }

  /** Live elements of a set (tests, traces). */
  elements(id: string, now: number): string[] {
    return [...(this.sets.get(id) ?? new Map<string, number>())].filter(([, exp]) => exp > now).map(([k]) => k);
  }
}
