/**
 * Getting kube-proxy's iptables-save text into a node's kernel. kube-proxy creates its nfacct
 * counters over netlink before it restores rules that name them; without the `nfacct` tool we
 * cannot, so those (count-only) matches are dropped and the lab says so.
 */

import type { Sandbox } from './sandbox.js';

export const NFACCT_DROPPED_NOTE = 'nfacct counters dropped from the rules (install the `nfacct` tool to keep them)';

const NFACCT_MATCH = /\s+-m nfacct --nfacct-name\s+(\S+)/g;

/** Names of the nfacct counters a rules text refers to. */
export function nfacctCounters(rules: string): string[] {
  return [...new Set([...rules.matchAll(NFACCT_MATCH)].map((m) => m[1]))];
}

/** The rules without their nfacct matches (they only count packets; verdicts are unchanged). */
export function withoutNfacct(rules: string): string {
  return rules.replace(NFACCT_MATCH, '');
}

/** Counter names reach a command line: keep them to what kube-proxy uses. */
export function isCounterName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,31}$/.test(name);
}

/** `iptables-save` output without its timestamp comments, so two dumps compare equal. */
export function stripSaveComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
}

/**
 * Loads (replaces) the filter and nat tables of namespace `ns` with `rules`, creating the nfacct
 * counters they name first, or dropping those matches when the `nfacct` tool is missing.
 */
export async function loadRulesInto(sandbox: Sandbox, ns: string, nodeName: string, rules: string, hasNfacctTool: boolean): Promise<{ dropped: boolean }> {
  const counters = nfacctCounters(rules);
  let text = rules;
  let dropped = false;
  if (counters.length > 0 && hasNfacctTool && counters.every(isCounterName)) {
    for (const name of counters) {
      // Exists already after the first load; any other failure shows up in iptables-restore.
      await sandbox.exec(['ip', 'netns', 'exec', ns, 'nfacct', 'add', name]);
    }
  } else if (counters.length > 0) {
    text = withoutNfacct(rules);
    dropped = true;
  }
  const res = await sandbox.exec(['ip', 'netns', 'exec', ns, 'iptables-restore'], text);
  if (res.code !== 0) throw new Error(`netns: iptables-restore on node ${nodeName} failed: ${res.stderr.trim()}`);
  return { dropped };
}
