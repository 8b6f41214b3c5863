/**
 * Differences between svclab's rules and kube-proxy's that are understood and accepted, each with
 * its reason. A divergence matches only when every changed line of the diff is one it explains;
 * anything else in the same diff is still a finding.
 */
import type { ClusterState, ProxyMode } from '../model/types.js';

export interface KnownDivergence {
  id: string;
  mode: ProxyMode;
  why: string;
  /** Does this changed diff line (starting with - or +) belong to the divergence? */
  explains(line: string, state: ClusterState, node: string): boolean;
}

/** None today: every difference the check found so far was fixed in the renderer. */
export const KNOWN_DIVERGENCES: readonly KnownDivergence[] = [];

/** The divergence that explains every changed line of `diff`, if one does. */
export function knownDivergence(state: ClusterState, node: string, mode: ProxyMode, diff: string): string | undefined {
  const changed = diff.split('\n').filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l));
  for (const d of KNOWN_DIVERGENCES) {
    if (d.mode === mode && changed.length > 0 && changed.every((l) => d.explains(l, state, node))) return `${d.id}: ${d.why}`;
  }
  return undefined;
}
