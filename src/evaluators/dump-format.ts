/**
 * Which rule dump a paste is, before any walker reads it: iptables (iptables-save, a grep of it,
 * iptables -S) or nftables (`nft list ruleset`). Each walker has its own reader; this only routes.
 */
import { looksLikeIptables } from './iptables/read-pasted.js';

export type DumpFormat = 'iptables' | 'nft' | 'unknown';

/** The 1-based line of the first `table <family> <name> {` line of nft output, or 0. */
export function nftTableLine(text: string): number {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (/^\s*table\s+(ip|ip6|inet|arp|bridge|netdev)\s+\S+\s*\{/.test(lines[i]!)) return i + 1;
  return 0;
}

export function detectDumpFormat(text: string): DumpFormat {
  if (looksLikeIptables(text)) return 'iptables';
  if (nftTableLine(text) > 0) return 'nft';
  return 'unknown';
}
