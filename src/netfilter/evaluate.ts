/**
 * Compiles a parsed ruleset into closures and walks packets through its chains the way the kernel
 * does: rules in order, jumps and gotos, RETURN, builtin chain policies. Long chains whose rules
 * are keyed by (destination, protocol, port), like KUBE-SERVICES, get an index so dispatch is a
 * lookup, not a scan; the index only skips rules that cannot match, so answers do not change.
 */
import type { ChainSpec, MatchSpec, PortRange, RuleSpec, Ruleset } from './ast.js';
import { formatIPv4 } from './ip.js';
import { CT, type Packet } from './packet.js';
import type { RecentStore } from './recent.js';

/** What the walk needs from the world around the rules. */
export interface EvalEnv {
  /** `addrtype LOCAL`: is this address configured on the node? */
  isLocal(addr: number): boolean;
  /** A random decision (`statistic`): true with probability p. Exact mode replays branches here. */
  chance(p: number): boolean;
  recent: RecentStore;
  /** Virtual clock, seconds. */
  now: number;
  /** false: evaluate without changing `recent` state (exact-mode exploration). */
  mutate: boolean;
  /** Address MASQUERADE uses for an output interface. */
  masqueradeAddress(outIface: string): number;
  /** Receives every matched rule and NAT rewrite when set. */
  trace?: (hop: RuleHop) => void;
}

export interface RuleHop {
  table: string;
  chain: string;
  rule?: string;
  note: string;
}

export const enum V {
  CONTINUE = 0,
  ACCEPT = 1,
  DROP = 2,
  REJECT = 3,
}

export type Verdict = 'ACCEPT' | 'DROP' | 'REJECT';

const enum K {
  NONE,
  ACCEPT,
  DROP,
  REJECT,
  RETURN,
  DNAT,
  SNAT,
  MASQ,
  MARK,
  LOG,
  JUMP,
  GOTO,
}

type Pred = (p: Packet, env: EvalEnv) => boolean;

interface CRule {
  spec: RuleSpec;
  /** Inline base matches (checked before `preds`, like the kernel checks ipt_entry first). */
  srcMode: number; // 0 none, 1 match, 2 negated
  srcNet: number;
  srcMask: number;
  dstMode: number;
  dstNet: number;
  dstMask: number;
  proto: number; // 0 any
  protoNeg: boolean;
  /** A single --dport range hoisted out of the tcp/udp/sctp match (-1 when not hoisted). */
  dportLo: number;
  dportHi: number;
  dportNeg: boolean;
  /** Hoisted pure matches (0 absent, 1 match, 2 negated): mark, conntrack state, addrtype LOCAL. */
  mmMode: number;
  mmValue: number;
  mmMask: number;
  ctMode: number;
  ctStates: number;
  srcLocalMode: number;
  dstLocalMode: number;
  preds: Pred[];
  kind: K;
  chain?: CChain;
  addr: number;
  port: number;
  markValue: number;
  markMask: number;
  note: string;
}

interface ChainIndex {
  /** key(dst, proto, dport) -> ascending rule indexes. */
  full: Map<number, Int32Array>;
  /** key(proto, dport) for keyed rules without a destination. */
  port: Map<number, Int32Array>;
  /** Rules without a key, ascending. */
  wild: Int32Array;
}

/** A compiled chain (opaque outside this module). */
export interface CChain {
  name: string;
  table: string;
  builtin: boolean;
  policy: V;
  rules: CRule[];
  index?: ChainIndex;
}

/** A resolved builtin chain (opaque to callers). */
export interface Hook {
  readonly chain: CChain | null;
}

export interface CompileOptions {
  /** Never index chains (used to check the index gives the same answers). */
  linear?: boolean;
  /** Chains with at least this many rules get an index (default 16). */
  indexThreshold?: number;
}

const EMPTY = new Int32Array(0);
const MAX_DEPTH = 64;

/** A ruleset ready to evaluate. Immutable; one per node and rules version. */
export class CompiledRuleset {
  private readonly tables = new Map<string, Map<string, CChain>>();
  /** Names of every `recent` list the rules use. */
  readonly recentNames = new Set<string>();

  constructor(
    readonly ruleset: Ruleset,
    options: CompileOptions = {},
  ) {
    const threshold = options.indexThreshold ?? 16;
    for (const [tname, table] of ruleset.tables) {
      const chains = new Map<string, CChain>();
      for (const spec of table.chains.values()) chains.set(spec.name, newChain(spec, tname));
      for (const spec of table.chains.values()) {
        const chain = chains.get(spec.name)!;
        chain.rules = spec.rules.map((r) => this.compileRule(r, chains));
        if (!options.linear && chain.rules.length >= threshold) chain.index = buildIndex(chain.rules);
      }
      this.tables.set(tname, chains);
    }
  }

  /** `table/chain` of every chain dispatched through an index (for tests and diagnostics). */
  indexedChains(): string[] {
    const out: string[] = [];
    for (const [t, chains] of this.tables) for (const c of chains.values()) if (c.index) out.push(`${t}/${c.name}`);
    return out;
  }

  hasChain(table: string, chain: string): boolean {
    return this.tables.get(table)?.has(chain) ?? false;
  }

  /**
   * Runs `packet` through builtin `chain` of `table`. NAT targets rewrite the packet in place and
   * set the CT.SNAT / CT.DNAT bits. A table or chain missing from the dump accepts.
   */
  run(table: string, chain: string, packet: Packet, env: EvalEnv): Verdict {
    return this.runHook(this.hook(table, chain), packet, env);
  }

  /** Resolves a builtin chain once, for callers that run it for every packet. */
  hook(table: string, chain: string): Hook {
    return { chain: this.tables.get(table)?.get(chain) ?? null };
  }

  runHook(hook: Hook, packet: Packet, env: EvalEnv): Verdict {
    const c = hook.chain;
    if (!c) return 'ACCEPT';
    let v = runChain(c, packet, env, 0);
    if (v === V.CONTINUE) {
      v = c.policy;
      if (env.trace && c.rules.length) env.trace({ table: c.table, chain: c.name, note: `policy ${v === V.DROP ? 'DROP' : 'ACCEPT'}` });
    }
    return v === V.DROP ? 'DROP' : v === V.REJECT ? 'REJECT' : 'ACCEPT';
  }

  private compileRule(spec: RuleSpec, chains: Map<string, CChain>): CRule {
    const preds: Pred[] = [];
    const rule: CRule = {
      spec,
      srcMode: spec.src ? (spec.src.negate ? 2 : 1) : 0,
      srcNet: spec.src?.value.net ?? 0,
      srcMask: spec.src?.value.mask ?? 0,
      dstMode: spec.dst ? (spec.dst.negate ? 2 : 1) : 0,
      dstNet: spec.dst?.value.net ?? 0,
      dstMask: spec.dst?.value.mask ?? 0,
      proto: spec.proto?.value ?? 0,
      protoNeg: spec.proto?.negate ?? false,
      dportLo: -1,
      dportHi: -1,
      dportNeg: false,
      mmMode: 0,
      mmValue: 0,
      mmMask: 0,
      ctMode: 0,
      ctStates: 0,
      srcLocalMode: 0,
      dstLocalMode: 0,
      preds,
      kind: K.NONE,
      chain: undefined,
      addr: 0,
      port: 0,
      markValue: 0,
      markMask: 0,
      note: '',
    };
    if (spec.inIface) preds.push(ifacePred(spec.inIface.value, spec.inIface.negate, (p) => p.inIface));
    if (spec.outIface) preds.push(ifacePred(spec.outIface.value, spec.outIface.negate, (p) => p.outIface));
    // Testing a pure match out of order (as inline fields) is safe only when no match with an
    // effect (recent updates its list, statistic draws a random number) could be skipped by it.
    const hoistable = !spec.matches.some((m) => m.module === 'recent' || m.module === 'statistic');
    for (const m of spec.matches) {
      if (hoistable && this.hoist(rule, m)) continue;
      const pred = this.compileMatch(m);
      if (pred) preds.push(pred);
    }
    const t = spec.target;
    if (!t) return rule;
    switch (t.kind) {
      case 'ACCEPT':
        rule.kind = K.ACCEPT;
        break;
      case 'DROP':
        rule.kind = K.DROP;
        break;
      case 'REJECT':
        rule.kind = K.REJECT;
        break;
      case 'RETURN':
        rule.kind = K.RETURN;
        break;
      case 'LOG':
        rule.kind = K.LOG;
        break;
      case 'DNAT':
        rule.kind = K.DNAT;
        rule.addr = t.addr;
        rule.port = t.port ?? -1;
        break;
      case 'SNAT':
        rule.kind = K.SNAT;
        rule.addr = t.addr;
        rule.port = t.port ?? -1;
        break;
      case 'MASQUERADE':
        rule.kind = K.MASQ;
        break;
      case 'MARK':
        rule.kind = K.MARK;
        rule.markValue = t.value;
        rule.markMask = t.mask;
        break;
      case 'chain':
        rule.kind = spec.goto ? K.GOTO : K.JUMP;
        rule.chain = chains.get(t.name);
        break;
    }
    return rule;
  }

  /** Moves a pure match into the rule's inline fields; false when it has to stay a closure. */
  private hoist(rule: CRule, m: MatchSpec): boolean {
    const onlyLocal = (t?: { value: string[] }) => t !== undefined && t.value.length === 1 && t.value[0] === 'LOCAL';
    switch (m.module) {
      case 'ports':
        if (rule.dportLo >= 0 || !m.dport || m.sport || m.either || m.dport.value.length !== 1) return false;
        rule.dportLo = m.dport.value[0]!.from;
        rule.dportHi = m.dport.value[0]!.to;
        rule.dportNeg = m.dport.negate;
        return true;
      case 'mark':
        if (rule.mmMode) return false;
        rule.mmMode = m.negate ? 2 : 1;
        rule.mmValue = m.value;
        rule.mmMask = m.mask;
        return true;
      case 'conntrack':
        if (rule.ctMode) return false;
        rule.ctMode = m.negate ? 2 : 1;
        rule.ctStates = m.states;
        return true;
      case 'addrtype':
        if (rule.srcLocalMode || rule.dstLocalMode) return false;
        if ((m.srcType && !onlyLocal(m.srcType)) || (m.dstType && !onlyLocal(m.dstType))) return false;
        if (m.srcType) rule.srcLocalMode = m.srcType.negate ? 2 : 1;
        if (m.dstType) rule.dstLocalMode = m.dstType.negate ? 2 : 1;
        return true;
      default:
        return false;
    }
  }

  private compileMatch(m: MatchSpec): Pred | null {
    switch (m.module) {
      case 'comment':
      case 'nfacct':
        return null;
      case 'ports': {
        const preds: Pred[] = [];
        if (m.dport) preds.push(portPred(m.dport.value, m.dport.negate, (p) => p.dport));
        if (m.sport) preds.push(portPred(m.sport.value, m.sport.negate, (p) => p.sport));
        if (m.either) {
          const { value, negate } = m.either;
          preds.push((p) => inRanges(value, p.sport) !== negate || inRanges(value, p.dport) !== negate);
        }
        if (preds.length === 1) return preds[0]!;
        return (p, env) => preds.every((f) => f(p, env));
      }
      case 'addrtype': {
        const preds: Pred[] = [];
        if (m.srcType) preds.push(addrtypePred(m.srcType.value, m.srcType.negate, (p) => p.src));
        if (m.dstType) preds.push(addrtypePred(m.dstType.value, m.dstType.negate, (p) => p.dst));
        if (preds.length === 1) return preds[0]!;
        return (p, env) => preds.every((f) => f(p, env));
      }
      case 'statistic': {
        const prob = m.probability;
        return (_p, env) => env.chance(prob);
      }
      case 'mark': {
        const { value, mask, negate } = m;
        return (p) => (((p.mark & mask) >>> 0) === value) !== negate;
      }
      case 'conntrack': {
        const { states, negate } = m;
        return (p) => ((p.ctstate & states) !== 0) !== negate;
      }
      case 'recent': {
        this.recentNames.add(m.name);
        const { name, mask, rdest, negate, seconds, hitcount, reap } = m;
        const key = rdest ? (p: Packet) => (p.dst & mask) >>> 0 : (p: Packet) => (p.src & mask) >>> 0;
        switch (m.command) {
          case 'set':
            return (p, env) => {
              if (env.mutate) env.recent.add(name, key(p), env.now);
              return !negate;
            };
          case 'rcheck':
            return (p, env) => env.recent.check(name, key(p), env.now, seconds, hitcount, reap, env.mutate) !== negate;
          case 'update':
            return (p, env) => {
              const hit = env.recent.check(name, key(p), env.now, seconds, hitcount, reap, env.mutate);
              if (hit && env.mutate) env.recent.add(name, key(p), env.now);
              return hit !== negate;
            };
          case 'remove':
            return (p, env) => {
              const had = env.mutate ? env.recent.remove(name, key(p)) : env.recent.has(name, key(p));
              return had !== negate;
            };
        }
      }
    }
  }
}

function newChain(spec: ChainSpec, table: string): CChain {
  return { name: spec.name, table, builtin: spec.policy !== '-', policy: spec.policy === 'DROP' ? V.DROP : V.ACCEPT, rules: [] };
}

function ifacePred(name: string, negate: boolean, get: (p: Packet) => string): Pred {
  if (name.endsWith('+')) {
    const prefix = name.slice(0, -1);
    return (p) => get(p).startsWith(prefix) !== negate;
  }
  return (p) => (get(p) === name) !== negate;
}

function inRanges(ranges: PortRange[], port: number): boolean {
  for (const r of ranges) if (port >= r.from && port <= r.to) return true;
  return false;
}

function portPred(ranges: PortRange[], negate: boolean, get: (p: Packet) => number): Pred {
  if (ranges.length === 1 && ranges[0]!.from === ranges[0]!.to) {
    const port = ranges[0]!.from;
    return negate ? (p) => get(p) !== port : (p) => get(p) === port;
  }
  return (p) => inRanges(ranges, get(p)) !== negate;
}

function addrtypePred(types: string[], negate: boolean, get: (p: Packet) => number): Pred {
  const wantLocal = types.includes('LOCAL');
  const wantUnicast = types.includes('UNICAST');
  const wantMulticast = types.includes('MULTICAST');
  const wantBroadcast = types.includes('BROADCAST');
  return (p, env) => {
    const a = get(p);
    const multicast = a >>> 28 === 14;
    const broadcast = a === 0xffffffff;
    const local = env.isLocal(a);
    const hit =
      (wantLocal && local) || (wantMulticast && multicast) || (wantBroadcast && broadcast) || (wantUnicast && !local && !multicast && !broadcast);
    return hit !== negate;
  };
}

// Index keys: destination * 2^18 + protocol class * 2^16 + port (exact in a double).
function protoClass(proto: number): number {
  return proto === 6 ? 1 : proto === 17 ? 2 : proto === 132 ? 3 : 0;
}

function fullKey(dst: number, proto: number, port: number): number {
  return dst * 262144 + protoClass(proto) * 65536 + port;
}

function portKey(proto: number, port: number): number {
  return protoClass(proto) * 65536 + port;
}

/** The (dst?, proto, dport) a rule requires, when it requires exactly one. */
function ruleKey(spec: RuleSpec): { dst?: number; proto: number; port: number } | undefined {
  if (!spec.proto || spec.proto.negate || protoClass(spec.proto.value) === 0) return undefined;
  let port: number | undefined;
  for (const m of spec.matches) {
    if (m.module === 'ports' && m.dport && !m.dport.negate && m.dport.value.length === 1 && m.dport.value[0]!.from === m.dport.value[0]!.to) {
      port = m.dport.value[0]!.from;
    }
  }
  if (port === undefined) return undefined;
  if (spec.dst && !spec.dst.negate && spec.dst.value.bits === 32) return { dst: spec.dst.value.net, proto: spec.proto.value, port };
  // Any other destination test stays in the rule; the port alone still rules it out.
  return { proto: spec.proto.value, port };
}

function buildIndex(rules: CRule[]): ChainIndex | undefined {
  const full = new Map<number, number[]>();
  const port = new Map<number, number[]>();
  const wild: number[] = [];
  rules.forEach((r, i) => {
    const k = ruleKey(r.spec);
    if (!k) wild.push(i);
    else if (k.dst !== undefined) push(full, fullKey(k.dst, k.proto, k.port), i);
    else push(port, portKey(k.proto, k.port), i);
  });
  // Many unkeyed rules would make every lookup merge a long list: not worth an index.
  if (wild.length > 32) return undefined;
  const freeze = (m: Map<number, number[]>) => new Map([...m].map(([k, v]) => [k, Int32Array.from(v)]));
  return { full: freeze(full), port: freeze(port), wild: Int32Array.from(wild) };
}

function push(m: Map<number, number[]>, k: number, i: number): void {
  const l = m.get(k);
  if (l) l.push(i);
  else m.set(k, [i]);
}

function runChain(chain: CChain, p: Packet, env: EvalEnv, depth: number): V {
  if (depth > MAX_DEPTH) throw new Error(`chain ${chain.name}: jumps nest deeper than ${MAX_DEPTH} (a loop in the rules?)`);
  const rules = chain.rules;
  const idx = chain.index;
  if (!idx) {
    for (let i = 0; i < rules.length; i++) {
      const v = applyRule(chain, rules[i]!, p, env, depth);
      if (v !== -1) return v;
    }
    return V.CONTINUE;
  }
  // Three ascending candidate lists, merged on the fly in rule order.
  const a = idx.full.get(fullKey(p.dst, p.proto, p.dport)) ?? EMPTY;
  const b = idx.port.get(portKey(p.proto, p.dport)) ?? EMPTY;
  const c = idx.wild;
  let ia = 0;
  let ib = 0;
  let ic = 0;
  for (;;) {
    const va = ia < a.length ? a[ia]! : 0x7fffffff;
    const vb = ib < b.length ? b[ib]! : 0x7fffffff;
    const vc = ic < c.length ? c[ic]! : 0x7fffffff;
    let i: number;
    if (va <= vb && va <= vc) {
      i = va;
      ia++;
    } else if (vb <= vc) {
      i = vb;
      ib++;
    } else {
      i = vc;
      ic++;
    }
    if (i === 0x7fffffff) return V.CONTINUE;
    const v = applyRule(chain, rules[i]!, p, env, depth);
    if (v !== -1) return v;
  }
}

/** Does the rule match? Small on purpose: it runs for every rule a packet meets. */
function ruleMatches(r: CRule, p: Packet, env: EvalEnv): boolean {
  if (r.srcMode !== 0 && (((p.src & r.srcMask) >>> 0) === r.srcNet) !== (r.srcMode === 1)) return false;
  if (r.dstMode !== 0 && (((p.dst & r.dstMask) >>> 0) === r.dstNet) !== (r.dstMode === 1)) return false;
  if (r.proto !== 0 && (p.proto === r.proto) === r.protoNeg) return false;
  if (r.dportLo >= 0 && (p.dport >= r.dportLo && p.dport <= r.dportHi) === r.dportNeg) return false;
  if (r.mmMode !== 0 && (((p.mark & r.mmMask) >>> 0) === r.mmValue) !== (r.mmMode === 1)) return false;
  if (r.ctMode !== 0 && ((p.ctstate & r.ctStates) !== 0) !== (r.ctMode === 1)) return false;
  if (r.dstLocalMode !== 0 && env.isLocal(p.dst) !== (r.dstLocalMode === 1)) return false;
  if (r.srcLocalMode !== 0 && env.isLocal(p.src) !== (r.srcLocalMode === 1)) return false;
  const preds = r.preds;
  for (let j = 0; j < preds.length; j++) if (!preds[j]!(p, env)) return false;
  return true;
}

/** Returns -1 to go on with the next rule, else the chain's result. */
function applyRule(chain: CChain, r: CRule, p: Packet, env: EvalEnv, depth: number): V | -1 {
  if (!ruleMatches(r, p, env)) return -1;
  return applyTarget(chain, r, p, env, depth);
}

function applyTarget(chain: CChain, r: CRule, p: Packet, env: EvalEnv, depth: number): V | -1 {
  const trace = env.trace;
  switch (r.kind) {
    case K.NONE:
    case K.LOG:
      if (trace) trace({ table: chain.table, chain: chain.name, rule: r.spec.text, note: 'matched' });
      return -1;
    case K.ACCEPT:
      if (trace) trace({ table: chain.table, chain: chain.name, rule: r.spec.text, note: 'verdict ACCEPT' });
      return V.ACCEPT;
    case K.DROP:
      if (trace) trace({ table: chain.table, chain: chain.name, rule: r.spec.text, note: 'verdict DROP' });
      return V.DROP;
    case K.REJECT:
      if (trace) trace({ table: chain.table, chain: chain.name, rule: r.spec.text, note: 'verdict REJECT' });
      return V.REJECT;
    case K.RETURN:
      if (trace) trace({ table: chain.table, chain: chain.name, rule: r.spec.text, note: 'RETURN' });
      return V.CONTINUE;
    case K.MARK:
      p.mark = ((p.mark & ~r.markMask) ^ r.markValue) >>> 0;
      if (trace) trace({ table: chain.table, chain: chain.name, rule: r.spec.text, note: `MARK set to 0x${p.mark.toString(16)}` });
      return -1;
    case K.DNAT: {
      const before = trace ? `${formatIPv4(p.dst)}:${p.dport}` : '';
      p.dst = r.addr;
      if (r.port >= 0) p.dport = r.port;
      p.ctstate |= CT.DNAT;
      if (trace) trace({ table: chain.table, chain: chain.name, rule: r.spec.text, note: `DNAT ${before} -> ${formatIPv4(p.dst)}:${p.dport}` });
      return V.ACCEPT;
    }
    case K.SNAT:
    case K.MASQ: {
      const before = trace ? formatIPv4(p.src) : '';
      p.src = r.kind === K.SNAT ? r.addr : env.masqueradeAddress(p.outIface);
      if (r.kind === K.SNAT && r.port >= 0) p.sport = r.port;
      p.ctstate |= CT.SNAT;
      if (trace) {
        const what = r.kind === K.SNAT ? 'SNAT' : 'MASQUERADE';
        trace({ table: chain.table, chain: chain.name, rule: r.spec.text, note: `${what} source ${before} -> ${formatIPv4(p.src)}` });
      }
      return V.ACCEPT;
    }
    case K.JUMP:
    case K.GOTO: {
      if (trace) trace({ table: chain.table, chain: chain.name, rule: r.spec.text, note: `${r.kind === K.GOTO ? 'goto' : 'jump to'} ${r.chain!.name}` });
      const v = runChain(r.chain!, p, env, depth + 1);
      if (r.kind === K.GOTO) return v;
      return v === V.CONTINUE ? -1 : v;
    }
  }
}
