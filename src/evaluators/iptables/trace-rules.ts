/**
 * `svclab trace --rules` over an iptables-save dump: compiles it and walks it through the shared
 * single-node tracer (../trace-dump.ts).
 */
import { CompiledRuleset } from './evaluate.js';
import { IptablesHookRules } from './hook-rules.js';
import { parseIptablesSave } from './parse.js';
import { traceHookRules, type RulesTraceInput, type RulesTraceResult } from '../trace-dump.js';

export type { RulesTraceBranch, RulesTraceInput, RulesTraceResult, RulesVerdict } from '../trace-dump.js';

/** Compiles a dump once for many traces. */
export function compileDump(text: string, source: string, linear = false): CompiledRuleset {
  return new CompiledRuleset(parseIptablesSave(text, source), { linear });
}

export function traceRules(rules: CompiledRuleset, input: RulesTraceInput): RulesTraceResult {
  return traceHookRules(new IptablesHookRules(rules), input);
}
