/**
 * What a simulated host needs from a node's compiled rules, whichever kube-proxy mode wrote them:
 * run the packet through everything attached to one netfilter hook. The iptables walker
 * (src/evaluators/iptables) and the nftables walker (src/evaluators/nftables) both implement it,
 * so the host (./host.ts), conntrack, the exact-probability explorer and the simulated network
 * are shared.
 */
import type { RecentStore } from './iptables/recent.js';
import type { Packet } from './iptables/packet.js';
import type { DynamicSets } from './nftables/dynamic-sets.js';

/** The five IPv4 hooks a routed packet can cross. */
export const HOOK = { PREROUTING: 0, INPUT: 1, FORWARD: 2, OUTPUT: 3, POSTROUTING: 4 } as const;
export type HookId = (typeof HOOK)[keyof typeof HOOK];

export type Verdict = 'ACCEPT' | 'DROP' | 'REJECT';

/** One step of a trace: a rule that matched (quoted) or a note, and where. */
export interface RuleHop {
  table: string;
  chain: string;
  rule?: string;
  note: string;
}

/** The world around the rules during one walk, refreshed per packet by the host. */
export interface WalkEnv {
  /** Is this address configured on the node (`addrtype LOCAL`, `fib ... type local`)? */
  isLocal(addr: number): boolean;
  /** A random decision, true with probability p. Exact mode replays branches here. */
  chance(p: number): boolean;
  /** Virtual clock, seconds. */
  now: number;
  /** false: evaluate without changing per-host state (exact-mode exploration). */
  mutate: boolean;
  /** Address MASQUERADE uses for an output interface. */
  masqueradeAddress(outIface: string): number;
  /** Receives every matched rule and NAT rewrite when set. */
  trace?: (hop: RuleHop) => void;
  /** iptables `recent` lists of this host. */
  recent: RecentStore;
  /** nftables dynamic set elements of this host. */
  sets: DynamicSets;
  /** Where the last DROP or REJECT was decided (`filter FORWARD`, `ip kube-proxy filter-forward`). */
  verdictAt: string;
}

export interface HookRules {
  /** 'iptables' or 'nftables': which walker this is. */
  readonly mode: 'iptables' | 'nftables';
  /**
   * Runs `p` through the chains attached to `hook` and returns the verdict; NAT rewrites `p` in
   * place. `isNew`: the first packet of a flow (only it meets NAT chains).
   */
  runHook(hook: HookId, p: Packet, env: WalkEnv, isNew: boolean): Verdict;
  /** After a rules swap: forget per-host state the new rules no longer use. */
  retainState(env: WalkEnv): void;
}
