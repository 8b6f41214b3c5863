/**
 * Tells an `iptables-save` dump from an `nft list ruleset` one by its first meaningful line, and
 * compiles either into hook rules. A text that is neither (or an `nft -f` script, which is input
 * to nft rather than what a node prints) is an error naming its line.
 */
import { ExitCode, SvclabError } from '../errors.js';
import type { HookRules } from './hook-rules.js';
import { CompiledRuleset } from './iptables/evaluate.js';
import { IptablesHookRules } from './iptables/hook-rules.js';
import { parseIptablesSave } from './iptables/parse.js';
import { compileNftRuleset } from './nftables/compile.js';

export type DumpFormat = 'iptables' | 'nftables';

export class DumpFormatError extends SvclabError {
  constructor(message: string) {
    super(message, ExitCode.invalidScenario);
  }
}

export function detectDumpFormat(text: string, source: string): DumpFormat {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/^table\s/.test(line)) return 'nftables';
    if (line.startsWith('*') || line.startsWith(':') || line.startsWith('-A ') || line === 'COMMIT') return 'iptables';
    if (/^(add|flush|delete|create|insert|replace)\s/.test(line)) {
      throw new DumpFormatError(`${source}:${i + 1}:1: this is an nft script (input to 'nft -f'); expected what a node prints with 'nft list ruleset'\n  ${line}`);
    }
    throw new DumpFormatError(`${source}:${i + 1}:1: expected an 'iptables-save' dump (*filter, :CHAIN, -A ...) or an 'nft list ruleset' listing (table ...)\n  ${line}`);
  }
  throw new DumpFormatError(`${source}: the file is empty; expected an 'iptables-save' dump or an 'nft list ruleset' listing`);
}

export function compileAnyDump(text: string, source: string): HookRules {
  return detectDumpFormat(text, source) === 'nftables' ? compileNftRuleset(text, source) : new IptablesHookRules(new CompiledRuleset(parseIptablesSave(text, source)));
}
