/**
 * Getting kube-proxy's rules into a node's kernel. iptables mode: the iptables-save text through
 * `iptables-restore` (kube-proxy creates its nfacct counters over netlink before it restores rules
 * that name them; without the `nfacct` tool we cannot, so those count-only matches are dropped and
 * the lab says so). nftables mode: the `ip kube-proxy` table through `nft -f`, replacing the
 * previous one in the same transaction.
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

/** Lines put before the rendered table so one `nft -f` transaction replaces the old table. */
const NFT_REPLACE_PREAMBLE = ['add table ip kube-proxy', 'delete table ip kube-proxy'];

/** `nft -f` input that replaces the `ip kube-proxy` table with `table` (its "add" commands). */
export function nftReplaceText(table: string): string {
  return [...NFT_REPLACE_PREAMBLE, table.replace(/\n$/, '')].join('\n') + '\n';
}

/**
 * nft's complaint about its input, located in the rendered table: the message names the node and
 * the failing line of the table (the replace preamble does not count) with that line's text.
 * nft reports `/dev/stdin:LINE:COLS: Error: ...` followed by the line and a caret.
 */
export function describeNftError(nodeName: string, table: string, stderr: string): string {
  const lines = table.split('\n');
  const found = /^[^\n:]*:(\d+):(\d+)(?:-(\d+))?: (Error: .*)$/m.exec(stderr);
  if (found === null) return `netns: nft -f on node ${nodeName} failed: ${stderr.trim() || 'no message'}`;
  const line = Number(found[1]) - NFT_REPLACE_PREAMBLE.length;
  const text = line >= 1 && line <= lines.length ? lines[line - 1] : undefined;
  const where = text === undefined ? `line ${found[1]} of its input` : `line ${line} of the rendered ruleset, column ${found[2]}`;
  return `netns: nft -f on node ${nodeName} failed at ${where}: ${found[4]}${text === undefined ? '' : `\n  ${text}`}`;
}

/** Loads (replaces) the `ip kube-proxy` table of namespace `ns`; a kernel refusal names the node and line. */
export async function loadNftRulesInto(sandbox: Sandbox, ns: string, nodeName: string, table: string): Promise<void> {
  const res = await sandbox.exec(['ip', 'netns', 'exec', ns, 'nft', '-f', '-'], nftReplaceText(table));
  if (res.code !== 0) throw new Error(describeNftError(nodeName, table, res.stderr));
}
