/**
 * `placement:` -> which nodes pods run on. A Deployment maps to a list of nodes (pod slots go
 * round-robin over it), a bare Pod to one node, and `strategy: spread` places everything else
 * round-robin over the workers (all nodes when there are none).
 */
import { didYouMean } from './diagnostics.js';
import { fail, keyOf, sub } from './source.js';
import type { Locator } from './source.js';
import type { ClusterSpec } from '../model/types.js';

export interface Placement {
  lists: Map<string, { nodes: string[]; loc: Locator }>;
  strategy: 'spread';
  loc: Locator;
}

export function compilePlacement(raw: Record<string, string | string[]> | undefined, loc: Locator, cluster: ClusterSpec): Placement {
  const lists = new Map<string, { nodes: string[]; loc: Locator }>();
  const nodeNames = cluster.nodes.map((n) => n.name);
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (key === 'strategy') continue;
    const nodes = Array.isArray(value) ? value : [value];
    nodes.forEach((n, i) => {
      if (!nodeNames.includes(n)) {
        fail(`unknown node '${n}' in placement of '${key}'`, Array.isArray(value) ? sub(loc, key, i) : sub(loc, key), [
          `expected one of: ${nodeNames.join(', ')}`,
          ...didYouMean(n, nodeNames),
        ]);
      }
    });
    lists.set(key, { nodes, loc: sub(loc, key) });
  }
  return { lists, strategy: 'spread', loc };
}

/** Nodes `strategy: spread` uses: the workers, or every node when there are none. */
export function spreadNodes(cluster: ClusterSpec): string[] {
  const workers = cluster.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
  return workers.length > 0 ? workers : cluster.nodes.map((n) => n.name);
}

/** Every placement key must name a Deployment or Pod the scenario defines (at any step). */
export function checkPlacementKeys(p: Placement, workloads: Set<string>): void {
  for (const [key] of p.lists) {
    if (!workloads.has(key)) {
      fail(`placement names '${key}', which is neither a Deployment nor a Pod`, keyOf(p.loc, key), [
        workloads.size > 0 ? `expected one of: ${[...workloads].join(', ')}` : 'expected the name of a Deployment or Pod',
        ...didYouMean(key, workloads),
      ]);
    }
  }
}
