/**
 * Compiles a parsed ruleset into a packed program and walks packets through its chains the way
 * the kernel does: rules in order, jumps and gotos, RETURN, builtin chain policies. Every rule is
 * a row of one Int32Array (program.ts); long chains whose rules are keyed by (destination,
 * protocol, port), like KUBE-SERVICES, get an index so dispatch is a lookup, not a scan; chains
 * walked often are compiled to JavaScript (chain-code.ts) when no trace is taken. Each of these
 * only changes how fast the same rules are tested, never which rule decides.
 */
import type { ChainSpec, MatchSpec, PortRange, RuleSpec, Ruleset } from './ast.js';
import { formatIPv4 } from './ip.js';
import { KeyTable } from './key-table.js';
import { chainCode, type ChainCode } from './chain-code.js';
import {
  F_BASE, F_CT, F_CT_NEG, F_DPORT, F_DPORT_NEG, F_DST, F_DST_LOCAL, F_DST_LOCAL_NEG, F_DST_NEG,
  F_MARK, F_MARK_NEG, F_PREDS, F_PROTO, F_PROTO_NEG, F_SRC, F_SRC_LOCAL, F_SRC_LOCAL_NEG,
  F_SRC_NEG, F_STAT, O_ARG, O_ARG2, O_CT_STATES, O_DPORT_HI, O_DPORT_LO, O_DST_MASK, O_DST_NET,
  O_FLAGS, O_KIND, O_MARK_MASK, O_MARK_VALUE, O_PROTO, O_SRC_MASK, O_SRC_NET, STRIDE, K,
  readProbability, writeProbability, type Pred, type Program,
} from './program.js';
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

interface ChainIndex {
  /** (dst, proto class * 65536 + dport) -> positions in the chain, ascending. */
  full: KeyTable;
  /** (0, proto class * 65536 + dport) for keyed rules without a single destination. */
  port: KeyTable;
  /** Positions of rules without a key, ascending. */
  wild: Int32Array;
}

/** A compiled chain (opaque outside this module). */
export interface CChain {
  name: string;
  table: string;
  builtin: boolean;
  policy: V;
  /** Row of its first rule in the program. */
  first: number;
  count: number;
  index?: ChainIndex;
  program: Program;
  /** Generated code once the chain is hot (see chain-code.ts). */
  code: ChainCode | undefined;
  /** Walks so far, until the chain is hot. */
  calls: number;
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
  /**
   * The plain path: no index, nothing hoisted into the row and no statistic shortcut; every match
   * is a closure run in the order the rule writes it (tests compare it with the optimized path).
   */
  plain?: boolean;
  /** Compile hot chains to JavaScript (default true; never on the plain path). */
  codegen?: boolean;
  /** Walks after which a chain counts as hot (default 256; tests use 1 to compile chains at once). */
  hotCalls?: number;
}

/**
 * Walks after which a chain is compiled to JavaScript, and how many chains of one ruleset may be.
 * Generated code pays off only when V8 optimizes it, which takes many calls per function: with
 * thousands of Services most per-Service chains are walked rarely and stay rows, and the budget
 * keeps them from flooding the engine with code it never optimizes.
 */
const HOT_CALLS = 256;
const CODE_BUDGET = 128;


const MAX_DEPTH = 64;
const NO_SLOT = -1;

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
    const plain = options.plain === true;
    let total = 0;
    for (const table of ruleset.tables.values()) for (const spec of table.chains.values()) total += spec.rules.length;
    const program: Program = { rows: new Int32Array(total * STRIDE), probs: new Float64Array(total), preds: [], specs: new Array<RuleSpec>(total), chains: [], codegen: !plain && options.codegen !== false, hotCalls: options.hotCalls ?? HOT_CALLS, codeBudget: CODE_BUDGET };
    let row = 0;
    const numbers = new Map<string, Map<string, number>>();
    for (const [tname, table] of ruleset.tables) {
      const chains = new Map<string, CChain>();
      const ids = new Map<string, number>();
      for (const spec of table.chains.values()) {
        const chain = newChain(spec, tname, program, row);
        row += spec.rules.length;
        ids.set(spec.name, program.chains.length);
        program.chains.push(chain);
        chains.set(spec.name, chain);
      }
      this.tables.set(tname, chains);
      numbers.set(tname, ids);
    }
    for (const [tname, table] of ruleset.tables) {
      const chains = this.tables.get(tname)!;
      const ids = numbers.get(tname)!;
      for (const spec of table.chains.values()) {
        const chain = chains.get(spec.name)!;
        for (let i = 0; i < spec.rules.length; i++) this.compileRule(program, chain.first + i, spec.rules[i]!, ids, plain);
        if (!options.linear && !plain && chain.count >= threshold) chain.index = buildIndex(spec.rules);
      }
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
    const v = runBuiltin(hook.chain, packet, env);
    return v === V.DROP ? 'DROP' : v === V.REJECT ? 'REJECT' : 'ACCEPT';
  }

  private compileRule(program: Program, at: number, spec: RuleSpec, ids: Map<string, number>, plain: boolean): void {
    const rows = program.rows;
    const o = at * STRIDE;
    program.specs[at] = spec;
    let flags = 0;
    if (spec.src) {
      flags |= F_SRC | (spec.src.negate ? F_SRC_NEG : 0);
      rows[o + O_SRC_NET] = spec.src.value.net | 0;
      rows[o + O_SRC_MASK] = spec.src.value.mask | 0;
    }
    if (spec.dst) {
      flags |= F_DST | (spec.dst.negate ? F_DST_NEG : 0);
      rows[o + O_DST_NET] = spec.dst.value.net | 0;
      rows[o + O_DST_MASK] = spec.dst.value.mask | 0;
    }
    // Protocol 0 ("all") matches every packet, negated or not.
    if (spec.proto && spec.proto.value !== 0) {
      flags |= F_PROTO | (spec.proto.negate ? F_PROTO_NEG : 0);
      rows[o + O_PROTO] = spec.proto.value;
    }
    const preds: Pred[] = [];
    if (spec.inIface) preds.push(ifacePred(spec.inIface.value, spec.inIface.negate, (p) => p.inIface));
    if (spec.outIface) preds.push(ifacePred(spec.outIface.value, spec.outIface.negate, (p) => p.outIface));
    // Testing a pure match out of order (as row fields) is safe only when no match with an
    // effect (recent updates its list, statistic draws a random number) could be skipped by it.
    let effects = 0;
    let effective = 0;
    let probability = NaN;
    for (const m of spec.matches) {
      if (m.module === 'comment' || m.module === 'nfacct') continue;
      effective++;
      if (m.module === 'recent') effects++;
      if (m.module === 'statistic') {
        effects++;
        probability = m.probability;
      }
    }
    if (effects === 0 && !plain) {
      for (const m of spec.matches) {
        const hoisted = hoist(rows, o, flags, m);
        if (hoisted !== flags) {
          flags = hoisted;
          continue;
        }
        const pred = this.compileMatch(m);
        if (pred) preds.push(pred);
      }
    } else if (!plain && preds.length === 0 && effective === 1 && effects === 1 && !Number.isNaN(probability)) {
      flags |= F_STAT;
      program.probs[at] = probability;
      writeProbability(rows, o, probability);
    } else {
      for (const m of spec.matches) {
        const pred = this.compileMatch(m);
        if (pred) preds.push(pred);
      }
    }
    if (preds.length) {
      flags |= F_PREDS;
      program.preds[at] = preds;
    }
    rows[o + O_FLAGS] = flags;
    rows[o + O_KIND] = K.NONE;
    const t = spec.target;
    if (!t) return;
    switch (t.kind) {
      case 'ACCEPT':
        rows[o + O_KIND] = K.ACCEPT;
        break;
      case 'DROP':
        rows[o + O_KIND] = K.DROP;
        break;
      case 'REJECT':
        rows[o + O_KIND] = K.REJECT;
        break;
      case 'RETURN':
        rows[o + O_KIND] = K.RETURN;
        break;
      case 'LOG':
        rows[o + O_KIND] = K.LOG;
        break;
      case 'DNAT':
      case 'SNAT':
        rows[o + O_KIND] = t.kind === 'DNAT' ? K.DNAT : K.SNAT;
        rows[o + O_ARG] = t.addr | 0;
        rows[o + O_ARG2] = t.port ?? -1;
        break;
      case 'MASQUERADE':
        rows[o + O_KIND] = K.MASQ;
        break;
      case 'MARK':
        rows[o + O_KIND] = K.MARK;
        rows[o + O_ARG] = t.value | 0;
        rows[o + O_ARG2] = t.mask | 0;
        break;
      case 'chain': {
        const id = ids.get(t.name);
        if (id === undefined) throw new Error(`${spec.table}/${spec.chain} line ${spec.line}: jump to unknown chain '${t.name}'`);
        rows[o + O_KIND] = spec.goto ? K.GOTO : K.JUMP;
        rows[o + O_ARG] = id;
        break;
      }
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

/**
 * Moves a pure match into the row; returns the new flags, or `flags` unchanged when the match has
 * to stay a closure (a second match of the same kind, port lists, other address types).
 */
function hoist(rows: Int32Array, o: number, flags: number, m: MatchSpec): number {
  const onlyLocal = (t?: { value: string[] }) => t !== undefined && t.value.length === 1 && t.value[0] === 'LOCAL';
  switch (m.module) {
    case 'ports':
      if (flags & F_DPORT || !m.dport || m.sport || m.either || m.dport.value.length !== 1) return flags;
      rows[o + O_DPORT_LO] = m.dport.value[0]!.from;
      rows[o + O_DPORT_HI] = m.dport.value[0]!.to;
      return flags | F_DPORT | (m.dport.negate ? F_DPORT_NEG : 0);
    case 'mark':
      if (flags & F_MARK) return flags;
      rows[o + O_MARK_VALUE] = m.value | 0;
      rows[o + O_MARK_MASK] = m.mask | 0;
      return flags | F_MARK | (m.negate ? F_MARK_NEG : 0);
    case 'conntrack':
      if (flags & F_CT) return flags;
      rows[o + O_CT_STATES] = m.states;
      return flags | F_CT | (m.negate ? F_CT_NEG : 0);
    case 'addrtype': {
      if (flags & (F_SRC_LOCAL | F_DST_LOCAL)) return flags;
      if ((m.srcType && !onlyLocal(m.srcType)) || (m.dstType && !onlyLocal(m.dstType))) return flags;
      let f = flags;
      if (m.srcType) f |= F_SRC_LOCAL | (m.srcType.negate ? F_SRC_LOCAL_NEG : 0);
      if (m.dstType) f |= F_DST_LOCAL | (m.dstType.negate ? F_DST_LOCAL_NEG : 0);
      return f;
    }
    default:
      return flags;
  }
}

function newChain(spec: ChainSpec, table: string, program: Program, first: number): CChain {
  return { name: spec.name, table, builtin: spec.policy !== '-', policy: spec.policy === 'DROP' ? V.DROP : V.ACCEPT, first, count: spec.rules.length, index: undefined, program, code: undefined, calls: 0 };
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

// Index keys: (destination as int32, protocol class * 65536 + port). Class 0 is never keyed.
function protoClass(proto: number): number {
  return proto === 6 ? 1 : proto === 17 ? 2 : proto === 132 ? 3 : 0;
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

function buildIndex(rules: RuleSpec[]): ChainIndex | undefined {
  const full = new Map<string, { a: number; b: number; values: number[] }>();
  const port = new Map<number, { a: number; b: number; values: number[] }>();
  const wild: number[] = [];
  for (let i = 0; i < rules.length; i++) {
    const k = ruleKey(rules[i]!);
    if (!k) {
      wild.push(i);
      continue;
    }
    const pk = protoClass(k.proto) * 65536 + k.port;
    if (k.dst !== undefined) {
      const id = `${k.dst}/${pk}`;
      const l = full.get(id);
      if (l) l.values.push(i);
      else full.set(id, { a: k.dst | 0, b: pk, values: [i] });
    } else {
      const l = port.get(pk);
      if (l) l.values.push(i);
      else port.set(pk, { a: 0, b: pk, values: [i] });
    }
  }
  // Many unkeyed rules would make every lookup merge a long list: not worth an index.
  if (wild.length > 32) return undefined;
  return { full: new KeyTable([...full.values()]), port: new KeyTable([...port.values()]), wild: Int32Array.from(wild) };
}

/** Runs a builtin chain and applies its policy; a missing chain accepts. */
function runBuiltin(c: CChain | null, p: Packet, env: EvalEnv): V {
  if (c === null) return V.ACCEPT;
  let v = runChain(c, p, env, 0);
  if (v === V.CONTINUE) {
    v = c.policy;
    if (env.trace && c.count) env.trace({ table: c.table, chain: c.name, note: `policy ${v === V.DROP ? 'DROP' : 'ACCEPT'}` });
  }
  return v;
}

function runChain(chain: CChain, p: Packet, env: EvalEnv, depth: number): V {
  if (depth > MAX_DEPTH) throw new Error(`chain ${chain.name}: jumps nest deeper than ${MAX_DEPTH} (a loop in the rules?)`);
  const first = chain.first;
  const idx = chain.index;
  const prog = chain.program;
  const rows = prog.rows;
  if (idx === undefined) {
    if (prog.codegen && env.trace === undefined) {
      let code = chain.code;
      // Once the budget is spent, cold chains are not even counted (no write per walk).
      if (code === undefined && prog.codeBudget > 0 && ++chain.calls === prog.hotCalls) {
        prog.codeBudget--;
        code = chain.code = chainCode(chain, runChain);
      }
      if (code !== undefined) return code(p, env, depth) as V;
    }
    const end = first + chain.count;
    for (let i = first; i < end; i++) {
      const v = applyRule(chain, prog, rows, i, p, env, depth);
      if (v !== -1) return v;
    }
    return V.CONTINUE;
  }
  // Three ascending candidate lists, merged on the fly in rule order.
  let aList: Int32Array = idx.wild;
  let ia = 0;
  let aEnd = 0;
  let bList: Int32Array = idx.wild;
  let ib = 0;
  let bEnd = 0;
  const cls = protoClass(p.proto);
  if (cls !== 0) {
    const pk = cls * 65536 + p.dport;
    const fs = idx.full.find(p.dst | 0, pk);
    if (fs !== NO_SLOT) {
      aList = idx.full.values;
      ia = idx.full.startOf(fs);
      aEnd = ia + idx.full.lengthOf(fs);
    }
    const ps = idx.port.find(0, pk);
    if (ps !== NO_SLOT) {
      bList = idx.port.values;
      ib = idx.port.startOf(ps);
      bEnd = ib + idx.port.lengthOf(ps);
    }
  }
  const c = idx.wild;
  const cEnd = c.length;
  let ic = 0;
  for (;;) {
    const va = ia < aEnd ? aList[ia]! : 0x7fffffff;
    const vb = ib < bEnd ? bList[ib]! : 0x7fffffff;
    const vc = ic < cEnd ? c[ic]! : 0x7fffffff;
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
    const v = applyRule(chain, prog, rows, first + i, p, env, depth);
    if (v !== -1) return v;
  }
}

/** The row's own tests. Small on purpose: it runs for every rule a packet meets. */
function baseMatches(rows: Int32Array, o: number, f: number, p: Packet, env: EvalEnv): boolean {
  if (f & F_SRC && ((p.src & rows[o + O_SRC_MASK]!) === rows[o + O_SRC_NET]) === ((f & F_SRC_NEG) !== 0)) return false;
  if (f & F_DST && ((p.dst & rows[o + O_DST_MASK]!) === rows[o + O_DST_NET]) === ((f & F_DST_NEG) !== 0)) return false;
  if (f & F_PROTO && (p.proto === rows[o + O_PROTO]) === ((f & F_PROTO_NEG) !== 0)) return false;
  if (f & F_DPORT) {
    const d = p.dport;
    if ((d >= rows[o + O_DPORT_LO]! && d <= rows[o + O_DPORT_HI]!) === ((f & F_DPORT_NEG) !== 0)) return false;
  }
  if (f & F_MARK && ((p.mark & rows[o + O_MARK_MASK]!) === rows[o + O_MARK_VALUE]) === ((f & F_MARK_NEG) !== 0)) return false;
  if (f & F_CT && ((p.ctstate & rows[o + O_CT_STATES]!) !== 0) === ((f & F_CT_NEG) !== 0)) return false;
  if (f & F_DST_LOCAL && env.isLocal(p.dst) === ((f & F_DST_LOCAL_NEG) !== 0)) return false;
  if (f & F_SRC_LOCAL && env.isLocal(p.src) === ((f & F_SRC_LOCAL_NEG) !== 0)) return false;
  return true;
}

/** Returns -1 to go on with the next rule, else the chain's result. */
function applyRule(chain: CChain, prog: Program, rows: Int32Array, at: number, p: Packet, env: EvalEnv, depth: number): V | -1 {
  const o = at * STRIDE;
  const f = rows[o]!;
  if ((f & F_BASE) !== 0 && !baseMatches(rows, o, f, p, env)) return -1;
  if (f & F_STAT) {
    if (!env.chance(readProbability(rows, o))) return -1;
  } else if (f & F_PREDS) {
    const preds = prog.preds[at]!;
    for (let j = 0; j < preds.length; j++) if (!preds[j]!(p, env)) return -1;
  }
  if (env.trace !== undefined) return applyTargetTraced(chain, prog, rows, o, at, p, env, depth, env.trace);
  return applyTarget(prog, rows, o, p, env, depth);
}

/** A matched rule's target, without tracing: kept small, it runs for every rule that matches. */
function applyTarget(prog: Program, rows: Int32Array, o: number, p: Packet, env: EvalEnv, depth: number): V | -1 {
  switch (rows[o + O_KIND] as K) {
    case K.NONE:
    case K.LOG:
      return -1;
    case K.ACCEPT:
      return V.ACCEPT;
    case K.DROP:
      return V.DROP;
    case K.REJECT:
      return V.REJECT;
    case K.RETURN:
      return V.CONTINUE;
    case K.MARK:
      p.mark = ((p.mark & ~rows[o + O_ARG2]!) ^ rows[o + O_ARG]!) >>> 0;
      return -1;
    case K.DNAT: {
      p.dst = rows[o + O_ARG]! >>> 0;
      const port = rows[o + O_ARG2]!;
      if (port >= 0) p.dport = port;
      p.ctstate |= CT.DNAT;
      return V.ACCEPT;
    }
    case K.SNAT: {
      p.src = rows[o + O_ARG]! >>> 0;
      const port = rows[o + O_ARG2]!;
      if (port >= 0) p.sport = port;
      p.ctstate |= CT.SNAT;
      return V.ACCEPT;
    }
    case K.MASQ:
      p.src = env.masqueradeAddress(p.outIface);
      p.ctstate |= CT.SNAT;
      return V.ACCEPT;
    case K.JUMP: {
      const v = runChain(prog.chains[rows[o + O_ARG]!]!, p, env, depth + 1);
      return v === V.CONTINUE ? -1 : v;
    }
    case K.GOTO:
      return runChain(prog.chains[rows[o + O_ARG]!]!, p, env, depth + 1);
  }
}

/** The same as applyTarget, reporting each step to `trace`. */
function applyTargetTraced(chain: CChain, prog: Program, rows: Int32Array, o: number, at: number, p: Packet, env: EvalEnv, depth: number, trace: (hop: RuleHop) => void): V | -1 {
  const hop = (note: string): void => trace({ table: chain.table, chain: chain.name, rule: prog.specs[at]!.text, note });
  switch (rows[o + O_KIND] as K) {
    case K.NONE:
    case K.LOG:
      hop('matched');
      return -1;
    case K.ACCEPT:
      hop('verdict ACCEPT');
      return V.ACCEPT;
    case K.DROP:
      hop('verdict DROP');
      return V.DROP;
    case K.REJECT:
      hop('verdict REJECT');
      return V.REJECT;
    case K.RETURN:
      hop('RETURN');
      return V.CONTINUE;
    case K.MARK:
      p.mark = ((p.mark & ~rows[o + O_ARG2]!) ^ rows[o + O_ARG]!) >>> 0;
      hop(`MARK set to 0x${p.mark.toString(16)}`);
      return -1;
    case K.DNAT: {
      const before = `${formatIPv4(p.dst)}:${p.dport}`;
      applyTarget(prog, rows, o, p, env, depth);
      hop(`DNAT ${before} -> ${formatIPv4(p.dst)}:${p.dport}`);
      return V.ACCEPT;
    }
    case K.SNAT:
    case K.MASQ: {
      const before = formatIPv4(p.src);
      applyTarget(prog, rows, o, p, env, depth);
      hop(`${rows[o + O_KIND] === K.SNAT ? 'SNAT' : 'MASQUERADE'} source ${before} -> ${formatIPv4(p.src)}`);
      return V.ACCEPT;
    }
    case K.JUMP:
    case K.GOTO: {
      const target = prog.chains[rows[o + O_ARG]!]!;
      const goto = rows[o + O_KIND] === K.GOTO;
      hop(`${goto ? 'goto' : 'jump to'} ${target.name}`);
      const v = runChain(target, p, env, depth + 1);
      if (goto) return v;
      return v === V.CONTINUE ? -1 : v;
    }
  }
}
