/**
 * Exact mode: runs a walk once per combination of random decisions (every `statistic` branch,
 * every random choice of the network) and gives each outcome the product of the probabilities
 * along its branch. Walks are re-run from the start with a replayed decision prefix, so the
 * evaluator itself needs no forking.
 */

export interface Branch<T> {
  result: T;
  probability: number;
}

/** Upper bound on explored branches; a ruleset beyond it is reported, not silently truncated. */
export const MAX_BRANCHES = 200_000;

export function exploreBranches<T>(walk: (chance: (p: number) => boolean) => T): Branch<T>[] {
  const out: Branch<T>[] = [];
  const pending: boolean[][] = [[]];
  while (pending.length) {
    const prefix = pending.pop()!;
    let k = 0;
    let probability = 1;
    const chance = (p: number): boolean => {
      let take: boolean;
      if (k < prefix.length) take = prefix[k]!;
      else if (p >= 1) take = true;
      else if (p <= 0) take = false;
      else {
        take = true;
        pending.push([...decisionsSoFar.slice(0, k), false]);
      }
      decisionsSoFar[k] = take;
      k++;
      probability *= take ? p : 1 - p;
      return take;
    };
    const decisionsSoFar: boolean[] = [...prefix];
    const result = walk(chance);
    if (probability > 0) out.push({ result, probability });
    if (out.length > MAX_BRANCHES) throw new Error(`more than ${MAX_BRANCHES} random branches: the rules are too large to explore exactly`);
  }
  return out;
}
