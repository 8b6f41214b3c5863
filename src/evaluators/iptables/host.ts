/**
 * One machine's netfilter: compiled rules, conntrack, `recent` lists, its local addresses and a
 * routing function. `process` takes a packet through the hooks in kernel order:
 *   arriving:  nat PREROUTING -> routing -> filter INPUT (local) | filter FORWARD -> nat POSTROUTING
 *   generated: nat OUTPUT -> filter OUTPUT -> routing -> nat POSTROUTING [-> filter INPUT if local]
 * The nat table is consulted only for the first packet of a flow (conntrack state NEW).
 */
import { CT_TIMEOUT, Conntrack, type ConntrackEntry } from './conntrack.js';
import type { CompiledRuleset, EvalEnv, Hook, RuleHop } from './evaluate.js';
import { CT, type Packet } from './packet.js';
import { RecentStore } from './recent.js';

/** Where routing sends a packet: to this machine, or out of an interface. */
export type RouteDecision = { kind: 'local' } | { kind: 'out'; iface: string };

export interface HostConfig {
  name: string;
  rules: CompiledRuleset;
  isLocal(addr: number): boolean;
  route(dst: number): RouteDecision;
  /** Address MASQUERADE picks for an outgoing interface. */
  ifaceAddress(iface: string): number;
}

/** Per-walk inputs: randomness, clock, whether state may change, tracing. */
export interface WalkOptions {
  chance(p: number): boolean;
  now: number;
  mutate: boolean;
  trace?: (hop: RuleHop & { node?: string }) => void;
  /**
   * Exact-mode exploration: conntrack entries are inserted (so the reply can be un-NATed) and
   * listed here for the caller to remove after the branch, while `mutate` stays false.
   */
  journal?: { host: NetfilterHost; entry: ConntrackEntry }[];
}

export type HostResult =
  | { kind: 'local'; packet: Packet; entry?: ConntrackEntry }
  | { kind: 'out'; iface: string; packet: Packet; entry?: ConntrackEntry }
  | { kind: 'drop'; packet: Packet; hook: string }
  | { kind: 'reject'; packet: Packet; hook: string };

export class NetfilterHost {
  readonly conntrack = new Conntrack();
  readonly recent = new RecentStore();

  private readonly env: EvalEnv;
  private hooks: Hooks;

  constructor(public config: HostConfig) {
    this.hooks = resolveHooks(config.rules);
    this.env = {
      isLocal: config.isLocal,
      chance: () => false,
      recent: this.recent,
      now: 0,
      mutate: false,
      masqueradeAddress: config.ifaceAddress,
    };
  }

  /** Swap in a new ruleset (a sync); conntrack and the `recent` lists still in use are kept. */
  replaceRules(config: HostConfig): void {
    this.config = config;
    this.hooks = resolveHooks(config.rules);
    this.recent.retainOnly(config.rules.recentNames);
  }

  /**
   * Runs one packet through this host. `inIface` is the interface it arrived on, or null when a
   * process on this host sent it. The packet is not modified; the result carries the rewritten copy.
   */
  process(input: Packet, inIface: string | null, opts: WalkOptions): HostResult {
    const cfg = this.config;
    const p: Packet = {
      src: input.src,
      dst: input.dst,
      proto: input.proto,
      sport: input.sport,
      dport: input.dport,
      mark: inIface === null ? input.mark : 0,
      inIface: inIface ?? '',
      outIface: '',
      ctstate: 0,
    };
    const name = cfg.name;
    // One env object per host, refreshed per packet (no allocation on the hot path).
    const env = this.env;
    // Stores into the long-lived env cost a write barrier each: skip the ones that change nothing.
    if (env.isLocal !== cfg.isLocal) env.isLocal = cfg.isLocal;
    if (env.masqueradeAddress !== cfg.ifaceAddress) env.masqueradeAddress = cfg.ifaceAddress;
    if (env.chance !== opts.chance) env.chance = opts.chance;
    env.now = opts.now;
    env.mutate = opts.mutate;
    const outer = opts.trace;
    if (outer) env.trace = (hop) => outer({ ...hop, node: name });
    else if (env.trace !== undefined) env.trace = undefined;
    const rules = cfg.rules;
    const found = this.conntrack.size === 0 ? undefined : this.conntrack.lookup(p, opts.now);
    const isNew = !found;
    const oSrc = p.src;
    const oSport = p.sport;
    const oDst = p.dst;
    const oDport = p.dport;
    // The sender's next TCP packet on a flow whose reply never came back this way: conntrack is
    // still in SYN_SENT and calls it INVALID (an ACK there has no valid transition); it is not NATed.
    let invalid = false;
    if (found !== undefined) {
      if (found.reply) {
        if (found.entry.seenReply !== true && (opts.mutate || opts.journal)) found.entry.seenReply = true;
      } else if (input.ack === true && p.proto === 6 && found.entry.seenReply !== true) invalid = true;
    }
    if (invalid) {
      p.ctstate = CT.INVALID;
      opts.trace?.({ node: name, table: 'conntrack', chain: '', note: 'INVALID: this host never saw the flow\'s reply (SYN_SENT)' });
    } else if (found) {
      const { entry, reply } = found;
      p.ctstate = CT.ESTABLISHED | (entry.dnat ? CT.DNAT : 0) | (entry.snat ? CT.SNAT : 0);
      // Destination rewrite happens before routing (DNAT, or un-SNAT of a reply).
      if (reply ? entry.snat : entry.dnat) {
        p.dst = reply ? entry.original.src : entry.reply.src;
        p.dport = reply ? entry.original.sport : entry.reply.sport;
      }
      opts.trace?.({ node: name, table: 'conntrack', chain: '', note: `ESTABLISHED flow (${reply ? 'reply' : 'original'} direction)` });
    } else {
      p.ctstate = CT.NEW;
    }

    const hooks = this.hooks;
    if (inIface === null) {
      if (isNew) rules.runHook(hooks.natOutput, p, env);
      const v = rules.runHook(hooks.filterOutput, p, env);
      if (v !== 'ACCEPT') return { kind: v === 'DROP' ? ('drop' as const) : ('reject' as const), packet: p, hook: 'filter OUTPUT' };
    } else if (isNew) {
      rules.runHook(hooks.natPrerouting, p, env);
    }

    const route = cfg.route(p.dst);
    if (route.kind === 'local') {
      if (inIface === null) {
        p.outIface = 'lo';
        if (isNew) rules.runHook(hooks.natPostrouting, p, env);
        p.inIface = 'lo';
      }
      const v = rules.runHook(hooks.filterInput, p, env);
      if (v !== 'ACCEPT') return { kind: v === 'DROP' ? ('drop' as const) : ('reject' as const), packet: p, hook: 'filter INPUT' };
    } else {
      p.outIface = route.iface;
      if (inIface !== null) {
        const v = rules.runHook(hooks.filterForward, p, env);
        if (v !== 'ACCEPT') return { kind: v === 'DROP' ? ('drop' as const) : ('reject' as const), packet: p, hook: 'filter FORWARD' };
      }
      if (isNew) rules.runHook(hooks.natPostrouting, p, env);
    }

    // Source rewrite happens last (SNAT, or un-DNAT of a reply).
    let entry: ConntrackEntry | undefined;
    if (invalid) {
      entry = found!.entry;
    } else if (found) {
      entry = found.entry;
      const { reply } = found;
      if (reply ? entry.dnat : entry.snat) {
        p.src = reply ? entry.original.dst : entry.reply.dst;
        p.sport = reply ? entry.original.dport : entry.reply.dport;
      }
      if (opts.mutate && reply && p.proto === 6) entry.expires = opts.now + CT_TIMEOUT.tcpTimeWait;
      if (opts.mutate && reply && p.proto !== 6) entry.expires = opts.now + CT_TIMEOUT.udpStream;
    } else if (opts.mutate || opts.journal) {
      entry = {
        original: { proto: p.proto, src: oSrc, sport: oSport, dst: oDst, dport: oDport },
        reply: { proto: p.proto, src: p.dst, sport: p.dport, dst: p.src, dport: p.sport },
        expires: opts.now + (p.proto === 6 ? CT_TIMEOUT.tcpEstablished : CT_TIMEOUT.udp),
        dnat: (p.ctstate & CT.DNAT) !== 0,
        snat: (p.ctstate & CT.SNAT) !== 0,
      };
      this.conntrack.insert(entry);
      if (!opts.mutate && opts.journal) opts.journal.push({ host: this, entry });
    }
    if (route.kind === 'local') return { kind: 'local', packet: p, entry };
    return { kind: 'out', iface: route.iface, packet: p, entry };
  }
}

interface Hooks {
  natPrerouting: Hook;
  natOutput: Hook;
  natPostrouting: Hook;
  filterInput: Hook;
  filterForward: Hook;
  filterOutput: Hook;
}

function resolveHooks(rules: CompiledRuleset): Hooks {
  return {
    natPrerouting: rules.hook('nat', 'PREROUTING'),
    natOutput: rules.hook('nat', 'OUTPUT'),
    natPostrouting: rules.hook('nat', 'POSTROUTING'),
    filterInput: rules.hook('filter', 'INPUT'),
    filterForward: rules.hook('filter', 'FORWARD'),
    filterOutput: rules.hook('filter', 'OUTPUT'),
  };
}
