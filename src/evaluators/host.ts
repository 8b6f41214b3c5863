/**
 * One machine's netfilter: compiled rules of either mode (./hook-rules.ts), conntrack, per-host
 * rule state (`recent` lists, dynamic sets), its local addresses and a routing function.
 * `process` takes a packet through the hooks in kernel order:
 *   arriving:  PREROUTING -> routing -> INPUT (local) | FORWARD -> POSTROUTING
 *   generated: OUTPUT -> routing -> POSTROUTING [-> INPUT if local]
 * NAT is consulted only for the first packet of a flow (conntrack state NEW); later packets and
 * replies are rewritten from the conntrack entry.
 */
import { CT_TIMEOUT, Conntrack, type ConntrackEntry } from './iptables/conntrack.js';
import { HOOK, type HookRules, type RuleHop, type Verdict, type WalkEnv } from './hook-rules.js';
import { CT, type Packet } from './iptables/packet.js';
import { RecentStore } from './iptables/recent.js';
import { DynamicSets } from './nftables/dynamic-sets.js';

/** Where routing sends a packet: to this machine, or out of an interface. */
export type RouteDecision = { kind: 'local' } | { kind: 'out'; iface: string };

export interface HostConfig {
  name: string;
  rules: HookRules;
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
  readonly sets = new DynamicSets();

  private readonly env: WalkEnv;

  constructor(public config: HostConfig) {
    this.env = {
      isLocal: config.isLocal,
      chance: () => false,
      recent: this.recent,
      sets: this.sets,
      now: 0,
      mutate: false,
      masqueradeAddress: config.ifaceAddress,
      verdictAt: '',
    };
  }

  /** Swap in a new ruleset (a sync); conntrack and the rule state still in use are kept. */
  replaceRules(config: HostConfig): void {
    this.config = config;
    config.rules.retainState(this.env);
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

    if (inIface === null) {
      const v = rules.runHook(HOOK.OUTPUT, p, env, isNew);
      if (v !== 'ACCEPT') return ended(v, p, env);
    } else {
      const v = rules.runHook(HOOK.PREROUTING, p, env, isNew);
      if (v !== 'ACCEPT') return ended(v, p, env);
    }

    const route = cfg.route(p.dst);
    if (route.kind === 'local') {
      if (inIface === null) {
        p.outIface = 'lo';
        const v = rules.runHook(HOOK.POSTROUTING, p, env, isNew);
        if (v !== 'ACCEPT') return ended(v, p, env);
        p.inIface = 'lo';
      }
      const v = rules.runHook(HOOK.INPUT, p, env, isNew);
      if (v !== 'ACCEPT') return ended(v, p, env);
    } else {
      p.outIface = route.iface;
      if (inIface !== null) {
        const v = rules.runHook(HOOK.FORWARD, p, env, isNew);
        if (v !== 'ACCEPT') return ended(v, p, env);
      }
      const v = rules.runHook(HOOK.POSTROUTING, p, env, isNew);
      if (v !== 'ACCEPT') return ended(v, p, env);
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

function ended(v: Verdict, p: Packet, env: WalkEnv): HostResult {
  return { kind: v === 'DROP' ? 'drop' : 'reject', packet: p, hook: env.verdictAt };
}
