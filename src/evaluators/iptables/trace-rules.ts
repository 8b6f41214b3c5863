/**
 * `svclab trace --rules` over iptables rules: compiles a dump (strict, or as pasted: see
 * ./read-pasted.ts) and walks it through the shared single-node tracer (../trace-dump.ts).
 */
import { CompiledRuleset } from './evaluate.js';
import { IptablesHookRules } from './hook-rules.js';
import { parseIptablesSave } from './parse.js';
import { readPastedIptables, type PastedFormat } from './read-pasted.js';
import { iptablesExplainer } from './why.js';
import { traceHookRules, type RulesTraceInput, type RulesTraceResult } from '../trace-dump.js';

export type { RulesTraceBranch, RulesTraceInput, RulesTraceResult, RulesVerdict } from '../trace-dump.js';

/** Compiles a strict iptables-save dump once for many traces. */
export function compileDump(text: string, source: string, linear = false): CompiledRuleset {
  return new CompiledRuleset(parseIptablesSave(text, source), { linear });
}

export interface ReadDump {
  rules: CompiledRuleset;
  format: PastedFormat;
  /** What had to be assumed or was left out. */
  warnings: string[];
}

/** Compiles iptables rules as pasted (iptables-save, a grep of it, iptables -S). */
export function readDump(text: string, source: string): ReadDump {
  const { ruleset, format, warnings } = readPastedIptables(text, source);
  return { rules: new CompiledRuleset(ruleset), format, warnings };
}

export function traceRules(rules: CompiledRuleset, input: RulesTraceInput): RulesTraceResult {
  return traceHookRules(new IptablesHookRules(rules), input, iptablesExplainer(rules.ruleset));
}
