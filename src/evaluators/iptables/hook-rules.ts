/**
 * The iptables walker as a host's hook rules: kube-proxy's Service data plane lives in the nat
 * and filter tables, so a hook runs nat (first packet of a flow only) and filter, in the kernel's
 * order (nat OUTPUT before filter OUTPUT). NAT chain verdicts are not enforced: kube-proxy's nat
 * rules only rewrite.
 */
import type { HookId, HookRules, Verdict, WalkEnv } from '../hook-rules.js';
import { HOOK } from '../hook-rules.js';
import type { CompiledRuleset, Hook } from './evaluate.js';
import type { Packet } from './packet.js';

export class IptablesHookRules implements HookRules {
  readonly mode = 'iptables' as const;
  private readonly natPrerouting: Hook;
  private readonly natOutput: Hook;
  private readonly natPostrouting: Hook;
  private readonly filterInput: Hook;
  private readonly filterForward: Hook;
  private readonly filterOutput: Hook;

  constructor(readonly compiled: CompiledRuleset) {
    this.natPrerouting = compiled.hook('nat', 'PREROUTING');
    this.natOutput = compiled.hook('nat', 'OUTPUT');
    this.natPostrouting = compiled.hook('nat', 'POSTROUTING');
    this.filterInput = compiled.hook('filter', 'INPUT');
    this.filterForward = compiled.hook('filter', 'FORWARD');
    this.filterOutput = compiled.hook('filter', 'OUTPUT');
  }

  runHook(hook: HookId, p: Packet, env: WalkEnv, isNew: boolean): Verdict {
    const rules = this.compiled;
    switch (hook) {
      case HOOK.PREROUTING:
        if (isNew) rules.runHook(this.natPrerouting, p, env);
        return 'ACCEPT';
      case HOOK.POSTROUTING:
        if (isNew) rules.runHook(this.natPostrouting, p, env);
        return 'ACCEPT';
      case HOOK.OUTPUT: {
        if (isNew) rules.runHook(this.natOutput, p, env);
        return this.filter(this.filterOutput, 'filter OUTPUT', p, env);
      }
      case HOOK.INPUT:
        return this.filter(this.filterInput, 'filter INPUT', p, env);
      case HOOK.FORWARD:
        return this.filter(this.filterForward, 'filter FORWARD', p, env);
    }
  }

  private filter(hook: Hook, label: string, p: Packet, env: WalkEnv): Verdict {
    const v = this.compiled.runHook(hook, p, env);
    if (v !== 'ACCEPT') env.verdictAt = label;
    return v;
  }

  retainState(env: WalkEnv): void {
    env.recent.retainOnly(this.compiled.recentNames);
  }
}
