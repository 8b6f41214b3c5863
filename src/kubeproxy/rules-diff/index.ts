/**
 * Comparing two texts of kube-proxy rules (kube-proxy's own and svclab's render, both read back
 * from a kernel) after normalization: an empty diff means the same rules.
 */
import type { ProxyMode } from '../../model/types.js';
import { unifiedDiff } from './line-diff.js';
import { normalizeIptablesSave } from './normalize-iptables.js';
import { normalizeNftList } from './normalize-nft.js';

export { normalizeIptablesSave } from './normalize-iptables.js';
export { normalizeNftList } from './normalize-nft.js';
export { diffLines, unifiedDiff } from './line-diff.js';

/** The canonical lines of a rules text as the mode's listing tool prints it. */
export function normalizeRules(mode: ProxyMode, text: string): string[] {
  return mode === 'iptables' ? normalizeIptablesSave(text) : normalizeNftList(text);
}

/** The unified diff of two rules texts after normalization ('' when they are the same rules). */
export function rulesDiff(mode: ProxyMode, real: string, ours: string, labels: { a: string; b: string }): string {
  return unifiedDiff(normalizeRules(mode, real), normalizeRules(mode, ours), labels);
}
