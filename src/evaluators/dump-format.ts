/**
 * Tells the rules a user pastes apart and compiles them into hook rules: iptables (full
 * `iptables-save`, a `grep` of it, `iptables -S`; read by ./iptables/read-pasted.ts, which
 * reports what it had to assume as warnings) or an `nft list ruleset` listing (the nftables
 * walker). A text that is neither (or an `nft -f` script, which is input to nft rather than what
 * a node prints) is an error naming its line.
 */
import type { HookRules } from './hook-rules.js';
import { CompiledRuleset } from './iptables/evaluate.js';
import { IptablesHookRules } from './iptables/hook-rules.js';
import { DumpInputError, looksLikeIptables, readPastedIptables, type PastedFormat } from './iptables/read-pasted.js';
import { iptablesExplainer } from './iptables/why.js';
import { NftHookRules } from './nftables/compile.js';
import { parseNftRuleset } from './nftables/parse.js';
import { nftExplainer } from './nftables/why.js';
import type { Explain } from './trace-dump.js';

export type DumpFormat = 'iptables' | 'nftables';

/** Not a rule dump at all (exit 3; the message names file:line:col and what was expected). */
export class DumpFormatError extends DumpInputError {}

const EXPECTED = "expected an iptables-save or 'iptables -S' line (*table, :CHAIN, -P, -N, -A ...) or an 'nft list ruleset' listing (table ...)";
const NFT_SCRIPT = /^(add|flush|delete|create|insert|replace)\s/;
/** A shell prompt line naming nft (`$ sudo nft list ruleset`) pasted above the listing. */
const NFT_PROMPT = /(^|[\s$#>])(sudo\s+)?nft(\s|$)/;

export function detectDumpFormat(text: string, source: string): DumpFormat {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/^table\s/.test(line)) return 'nftables';
    if (/^(\*|:|COMMIT$|\[\d+:\d+\]\s|-[ANP]\s)/.test(line)) return 'iptables';
    if (NFT_SCRIPT.test(line)) {
      throw new DumpFormatError(`${source}:${i + 1}:1: this is an nft script (input to 'nft -f'); expected what a node prints with 'nft list ruleset'\n  ${line}`);
    }
    // A first line of something else (a shell prompt, 'iptables-save:'): the rest decides.
    if (looksLikeIptables(text) || /^Chain \S+ \(/.test(line)) return 'iptables';
    if (nftTableLine(text) > 0) return 'nftables';
    const col = lines[i]!.length - lines[i]!.trimStart().length + 1;
    throw new DumpFormatError(`${source}:${i + 1}:${col}: ${EXPECTED}, found '${line}'`);
  }
  throw new DumpFormatError(`${source}: the file is empty; expected an 'iptables-save' dump or an 'nft list ruleset' listing`);
}

/** The 1-based line of the first `table <family> <name> {` line, or 0. */
function nftTableLine(text: string): number {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) if (/^\s*table\s+\S+\s+\S+\s*\{/.test(lines[i]!)) return i + 1;
  return 0;
}

export interface ReadDump {
  format: DumpFormat;
  /** What the text was read as: 'iptables-save', 'iptables-save fragment', 'iptables -S', 'nft list ruleset'. */
  readAs: PastedFormat | 'nft list ruleset';
  rules: HookRules;
  /** What had to be assumed or was left out, one line each. */
  warnings: string[];
  /** The one-line why of a traced branch, in the dump's own words. */
  explain: Explain;
}

export function readAnyDump(text: string, source: string): ReadDump {
  if (detectDumpFormat(text, source) === 'iptables') {
    const { ruleset, format, warnings } = readPastedIptables(text, source);
    return { format: 'iptables', readAs: format, rules: new IptablesHookRules(new CompiledRuleset(ruleset)), warnings, explain: iptablesExplainer(ruleset) };
  }
  const warnings: string[] = [];
  // Prompt lines above the listing are blanked (line numbers stay) and said.
  const lines = text.split('\n');
  const first = nftTableLine(text) - 1;
  for (let i = 0; i < first; i++) {
    const line = lines[i]!.trim();
    if (line !== '' && !line.startsWith('#') && NFT_PROMPT.test(line)) {
      warnings.push(`line ${i + 1}: shell command line left out: ${line}`);
      lines[i] = '';
    }
  }
  const ruleset = parseNftRuleset(lines.join('\n'), source);
  for (const t of ruleset.skipped) warnings.push(`line ${t.line}: table ${t.family} ${t.name} left out (only ip and inet tables carry kube-proxy's IPv4 rules)`);
  return { format: 'nftables', readAs: 'nft list ruleset', rules: new NftHookRules(ruleset), warnings, explain: nftExplainer(ruleset) };
}

export function compileAnyDump(text: string, source: string): HookRules {
  return readAnyDump(text, source).rules;
}
