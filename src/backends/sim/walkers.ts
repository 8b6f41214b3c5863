/**
 * The two rule walkers the simulator can put on its nodes, one per kube-proxy mode: each turns a
 * node's rendered rules text into the hook rules a NetfilterHost runs.
 */
import type { HookRules } from '../../evaluators/hook-rules.js';
import { CompiledRuleset, type CompileOptions } from '../../evaluators/iptables/evaluate.js';
import { IptablesHookRules } from '../../evaluators/iptables/hook-rules.js';
import { RuleCache, parseIptablesSave } from '../../evaluators/iptables/parse.js';
import { compileNftRuleset } from '../../evaluators/nftables/compile.js';

export interface RulesWalker {
  readonly mode: 'iptables' | 'nftables';
  /**
   * A compiler for one network update; `previous` are the rules of the update before (a changed
   * dump shares most of its text with them, which a walker may reuse).
   */
  forUpdate(previous: HookRules[]): { compile(text: string, source: string): HookRules };
}

export function iptablesWalker(options?: CompileOptions): RulesWalker {
  return {
    mode: 'iptables',
    forUpdate(previous) {
      // Parsed lines of the previous dumps, gathered only when a dump must be parsed again on a
      // change step; kept for this update only. The first build has no previous dumps.
      let lines: RuleCache | undefined;
      return {
        compile(text, source) {
          if (!lines && previous.length > 0) {
            lines = new RuleCache();
            for (const r of previous) if (r instanceof IptablesHookRules) lines.addAll(r.compiled.ruleset);
          }
          return new IptablesHookRules(new CompiledRuleset(parseIptablesSave(text, source, lines), options));
        },
      };
    },
  };
}

export function nftablesWalker(): RulesWalker {
  return {
    mode: 'nftables',
    forUpdate() {
      return { compile: (text, source) => compileNftRuleset(text, source) };
    },
  };
}
