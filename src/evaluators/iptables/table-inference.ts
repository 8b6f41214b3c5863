/**
 * Which table a pasted rule belongs to when the paste does not say (`iptables-save | grep`,
 * `iptables -S` without `-t`): from its target first (DNAT is nat, REJECT is filter), then from the
 * chain it is in or jumps to, by kube-proxy's naming. Chains kube-proxy has in both tables
 * (KUBE-SERVICES, KUBE-NODEPORTS) and builtins in both (OUTPUT) decide nothing by name.
 */

export type TableName = 'nat' | 'filter';

const NAT_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-SEP-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-XLB-'];
const NAT_CHAINS = new Set(['PREROUTING', 'POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-MARK-DROP', 'KUBE-POSTROUTING', 'KUBE-LOAD-BALANCER', 'KUBE-NODE-PORT']);
const FILTER_CHAINS = new Set(['INPUT', 'FORWARD', 'KUBE-FORWARD', 'KUBE-FIREWALL', 'KUBE-EXTERNAL-SERVICES', 'KUBE-PROXY-FIREWALL']);
const NAT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP']);
const FILTER_TARGETS = new Set(['REJECT', 'DROP', 'ACCEPT']);

/** The table a chain name implies, or undefined when the name is in both or unknown. */
export function tableOfChain(name: string): TableName | undefined {
  if (NAT_CHAINS.has(name) || NAT_PREFIXES.some((p) => name.startsWith(p))) return 'nat';
  if (FILTER_CHAINS.has(name)) return 'filter';
  return undefined;
}

/** The table a target implies (DNAT, REJECT, a jump to KUBE-SEP-...), or undefined. */
export function tableOfTarget(target: string | undefined): TableName | undefined {
  if (target === undefined) return undefined;
  if (NAT_TARGETS.has(target)) return 'nat';
  if (FILTER_TARGETS.has(target)) return 'filter';
  return tableOfChain(target);
}

/**
 * The table of a policy block in `iptables -S` output, from the builtin chains it sets policies
 * for (nat has no FORWARD, filter no PREROUTING/POSTROUTING; mangle has all five, raw two).
 */
export function tableOfPolicies(chains: Set<string>): 'nat' | 'filter' | 'mangle' | 'raw' | undefined {
  const has = (c: string) => chains.has(c);
  if (has('PREROUTING') && has('FORWARD')) return 'mangle';
  if (has('PREROUTING') && has('POSTROUTING')) return 'nat';
  if (has('PREROUTING') && has('OUTPUT') && !has('INPUT')) return 'raw';
  if (has('FORWARD') || (has('INPUT') && !has('PREROUTING'))) return 'filter';
  return undefined;
}

/** `-j NAME` / `-g NAME` of a tokenized rule. */
export function targetWord(words: string[]): string | undefined {
  for (let i = 0; i < words.length - 1; i++) if (words[i] === '-j' || words[i] === '--jump' || words[i] === '-g' || words[i] === '--goto') return words[i + 1];
  return undefined;
}
