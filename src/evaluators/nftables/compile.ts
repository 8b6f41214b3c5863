/**
 * Walks packets through a parsed nftables ruleset the way the kernel does. At each hook the base
 * chains of every ip and inet table run in priority order (filter -110 before dstnat -100 before
 * filter 0, ...): `accept` ends only that base chain and the packet goes on to the next one;
 * `drop` and `reject` are final. nat chains see only the first packet of a flow, and once one of
 * them has set up the flow's NAT at a hook the others are skipped. Inside a chain, each rule's
 * matches and statements run left to right; jump, goto, return, verdict maps and the chain
 * policy behave as in nft. Every rule is a list of small closures (steps), built once per
 * ruleset; sets and maps are hash tables (./set-table.ts), so a lookup does not grow with them.
 */
import { HOOK, type HookId, type HookRules, type RuleHop, type Verdict, type WalkEnv } from '../hook-rules.js';
import { formatIPv4 } from '../iptables/ip.js';
import { CT, type Packet } from '../iptables/packet.js';
import type { ChainSpec, DataType, Element, Item, NatTarget, NftRuleset, Operand, RuleSpec, Selector, SetRef, SetSpec, TableSpec, ValueExpr, VerdictSpec } from './ast.js';
import { formatKey, getter, guard, guards, keyFill, textKey, type KeyFill } from './compile-expr.js';
import { parseNftRuleset } from './parse.js';
import { selectorType } from './parse-rule.js';
import { SetTable } from './set-table.js';

/** Step results: go on with the rule's next item; the rule is over; or the chain's result. */
const NEXT = -2;
const BREAK = -1;
const RETURN = 0;
const ACCEPT = 1;
const DROP = 2;
const REJECT = 3;

type Step = (p: Packet, env: WalkEnv, depth: number) => number;

interface NRule {
  steps: Step[];
  /** Rules without a statement report 'matched' when traced. */
  statements: number;
  text: string;
}

interface NChain {
  name: string;
  /** `ip kube-proxy` */
  table: string;
  rules: NRule[];
  base?: { type: 'filter' | 'nat' | 'route'; hook: string; priority: number; policy: number; order: number };
}

interface CompiledSet {
  spec: SetSpec | { keyTypes: DataType[]; dataTypes: DataType[]; elements: Element[]; flags: Set<string>; timeout?: number };
  table: SetTable;
  /** Dynamic sets also hold elements added at run time, per host, under this id. */
  dynamicId?: string;
}

const MAX_DEPTH = 64;
const HOOK_IDS: Record<string, HookId | undefined> = { prerouting: HOOK.PREROUTING, input: HOOK.INPUT, forward: HOOK.FORWARD, output: HOOK.OUTPUT, postrouting: HOOK.POSTROUTING };

export function compileNftRuleset(text: string, source: string): NftHookRules {
  return new NftHookRules(parseNftRuleset(text, source));
}

export class NftHookRules implements HookRules {
  readonly mode = 'nftables' as const;
  /** Base chains per hook, in priority order. */
  private readonly hooks: NChain[][] = [[], [], [], [], []];
  private readonly dynamicIds = new Set<string>();

  constructor(readonly ruleset: NftRuleset) {
    let order = 0;
    for (const t of ruleset.tables) {
      const label = `${t.family} ${t.name}`;
      const chains = new Map<string, NChain>();
      for (const c of t.chains.values()) chains.set(c.name, { name: c.name, table: label, rules: [] });
      const sets = new Map<string, CompiledSet>();
      const updated = new Set<string>();
      for (const c of t.chains.values()) for (const r of c.rules) for (const it of r.items) if (it.kind === 'set-update') updated.add(it.set);
      for (const s of t.sets.values()) {
        const dynamic = s.flags.has('dynamic') || s.flags.has('timeout') || updated.has(s.name);
        const dynamicId = dynamic ? `${label}/${s.name}` : undefined;
        if (dynamicId) this.dynamicIds.add(dynamicId);
        sets.set(s.name, { spec: s, table: new SetTable(s.keyTypes.length, s.elements), dynamicId });
      }
      const ctx: Ctx = { table: t, label, chains, sets };
      for (const c of t.chains.values()) {
        const chain = chains.get(c.name)!;
        chain.rules = c.rules.map((r) => compileRule(ctx, c, r));
        if (c.base) {
          const hook = HOOK_IDS[c.base.hook];
          // ingress/egress (netdev-style hooks) are not on the routed path the walk models.
          if (hook === undefined) continue;
          chain.base = { type: c.base.type, hook: c.base.hook, priority: c.base.priority, policy: c.base.policy === 'drop' ? DROP : ACCEPT, order: order++ };
          this.hooks[hook]!.push(chain);
        }
      }
    }
    for (const list of this.hooks) list.sort((a, b) => a.base!.priority - b.base!.priority || a.base!.order - b.base!.order);
  }

  runHook(hook: HookId, p: Packet, env: WalkEnv, isNew: boolean): Verdict {
    const chains = this.hooks[hook]!;
    const natBit = hook === HOOK.PREROUTING || hook === HOOK.OUTPUT ? CT.DNAT : CT.SNAT;
    let natDone = false;
    for (let i = 0; i < chains.length; i++) {
      const c = chains[i]!;
      const base = c.base!;
      const nat = base.type === 'nat';
      if (nat && (!isNew || natDone)) continue;
      let v = runChain(c, p, env, 0);
      if (v === RETURN) {
        v = base.policy;
        if (env.trace !== undefined && c.rules.length) env.trace({ table: c.table, chain: c.name, note: `policy ${v === DROP ? 'drop' : 'accept'}` });
      }
      if (v === DROP || v === REJECT) {
        env.verdictAt = `${c.table} ${c.name}`;
        return v === DROP ? 'DROP' : 'REJECT';
      }
      if (nat && (p.ctstate & natBit) !== 0) natDone = true;
    }
    return 'ACCEPT';
  }

  retainState(env: WalkEnv): void {
    env.sets.retainOnly(this.dynamicIds);
  }

  /** `hook: chain, chain, ...` for every hook with base chains (diagnostics, docs). */
  describeHooks(): string[] {
    const names = ['prerouting', 'input', 'forward', 'output', 'postrouting'];
    return this.hooks.flatMap((l, i) => (l.length ? [`${names[i]}: ${l.map((c) => `${c.name} (${c.base!.type}, ${c.base!.priority})`).join(', ')}`] : []));
  }
}

function runChain(chain: NChain, p: Packet, env: WalkEnv, depth: number): number {
  if (depth > MAX_DEPTH) throw new Error(`chain ${chain.name}: jumps nest deeper than ${MAX_DEPTH} (a loop in the rules?)`);
  const rules = chain.rules;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const steps = rule.steps;
    let r = NEXT;
    for (let j = 0; j < steps.length; j++) {
      r = steps[j]!(p, env, depth);
      if (r !== NEXT) break;
    }
    if (r === NEXT) {
      if (rule.statements === 0 && env.trace !== undefined) env.trace({ table: chain.table, chain: chain.name, rule: rule.text, note: 'matched' });
      continue;
    }
    if (r === BREAK) continue;
    return r;
  }
  return RETURN;
}

interface Ctx {
  table: TableSpec;
  label: string;
  chains: Map<string, NChain>;
  sets: Map<string, CompiledSet>;
}

function compileRule(ctx: Ctx, chain: ChainSpec, spec: RuleSpec): NRule {
  const hop = (note: string): RuleHop => ({ table: ctx.label, chain: chain.name, rule: spec.text, note });
  let statements = 0;
  const steps = spec.items.map((it) => {
    if (it.kind !== 'cmp' && it.kind !== 'lookup') statements++;
    return compileItem(ctx, it, hop);
  });
  return { steps, statements, text: spec.text };
}

function resolveSet(ctx: Ctx, ref: SetRef): CompiledSet {
  if ('named' in ref) return ctx.sets.get(ref.named)!;
  const a = ref.anonymous;
  return { spec: { ...a, flags: new Set() }, table: new SetTable(a.keyTypes.length, a.elements) };
}

/** Finds the element of `set` keyed by `key`: its index, or -2 for a run-time element, or -1. */
function findElement(set: CompiledSet, key: Int32Array, env: WalkEnv): number {
  const i = set.table.find(key);
  if (i >= 0 || set.dynamicId === undefined) return i;
  return env.sets.has(set.dynamicId, textKey(key), env.now) ? -2 : -1;
}

/** A verdict's step; `hop` is null where the caller already reported it (a verdict map). */
function compileVerdict(ctx: Ctx, v: VerdictSpec, hop: ((note: string) => RuleHop) | null): Step {
  const say = (env: WalkEnv, note: string): void => {
    if (hop !== null && env.trace !== undefined) env.trace(hop(note));
  };
  switch (v.kind) {
    case 'accept':
      return (_p, env) => (say(env, 'accept'), ACCEPT);
    case 'drop':
      return (_p, env) => (say(env, 'drop'), DROP);
    case 'continue':
      return (_p, env) => (say(env, 'continue'), BREAK);
    case 'return':
      return (_p, env) => (say(env, 'return'), RETURN);
    case 'jump': {
      const target = ctx.chains.get(v.chain)!;
      return (p, env, depth) => {
        say(env, `jump ${target.name}`);
        const r = runChain(target, p, env, depth + 1);
        return r === RETURN ? BREAK : r;
      };
    }
    case 'goto': {
      const target = ctx.chains.get(v.chain)!;
      return (p, env, depth) => {
        say(env, `goto ${target.name}`);
        return runChain(target, p, env, depth + 1);
      };
    }
  }
}

function describeVerdict(v: VerdictSpec): string {
  return v.kind === 'jump' || v.kind === 'goto' ? `${v.kind} ${v.chain}` : v.kind;
}

function compileItem(ctx: Ctx, it: Item, hop: (note: string) => RuleHop): Step {
  switch (it.kind) {
    case 'cmp':
      return compileCmp(it.left, it.op, it.right);
    case 'lookup': {
      const set = resolveSet(ctx, it.set);
      const fill = keyFill(it.left);
      const key = new Int32Array(it.left.length);
      const want = !it.negate;
      return (p, env) => (fill(p, env, key) && findElement(set, key, env) !== -1) === want ? NEXT : BREAK;
    }
    case 'vmap': {
      const map = resolveSet(ctx, it.map);
      const fill = keyFill(it.left);
      const key = new Int32Array(it.left.length);
      const types = it.left.map(selectorType);
      const elements = map.spec.elements;
      const verdicts = elements.map((e) => compileVerdict(ctx, e.verdict!, null));
      const name = 'named' in it.map ? `@${it.map.named}` : '{ ... }';
      return (p, env, depth) => {
        if (!fill(p, env, key)) return BREAK;
        const i = map.table.find(key);
        if (i < 0) return BREAK;
        if (env.trace !== undefined) env.trace(hop(`${describeVerdict(elements[i]!.verdict!)} (vmap ${name}: ${formatKey(key, types)})`));
        return verdicts[i]!(p, env, depth);
      };
    }
    case 'verdict':
      return compileVerdict(ctx, it.verdict, hop);
    case 'reject': {
      const how = it.with;
      return (_p, env) => (env.trace?.(hop(`reject (with ${how})`)), REJECT);
    }
    case 'nat':
      return compileNat(ctx, it.type, it.target, hop);
    case 'masquerade':
      return (p, env) => {
        const before = p.src;
        p.src = env.masqueradeAddress(p.outIface);
        p.ctstate |= CT.SNAT;
        env.trace?.(hop(`masquerade source ${formatIPv4(before)} -> ${formatIPv4(p.src)}`));
        return ACCEPT;
      };
    case 'mark-set': {
      const value = compileValue(ctx, it.value);
      return (p, env) => {
        const v = value(p, env);
        if (v < 0) return BREAK;
        p.mark = v;
        env.trace?.(hop(`mark set to 0x${v.toString(16)}`));
        return NEXT;
      };
    }
    case 'set-update': {
      const set = ctx.sets.get(it.set)!;
      const id = set.dynamicId!;
      const fill = keyFill(it.key);
      const key = new Int32Array(it.key.length);
      const timeout = it.timeout ?? set.spec.timeout;
      const op = it.op;
      return (p, env) => {
        if (!fill(p, env, key)) return BREAK;
        if (env.mutate) {
          if (op === 'delete') env.sets.delete(id, textKey(key));
          else env.sets.put(id, textKey(key), env.now, timeout, op === 'update');
        }
        env.trace?.(hop(`${op} @${it.set} { ${formatKey(key, set.spec.keyTypes)} }${env.mutate ? '' : ' (not kept: exact exploration)'}`));
        return NEXT;
      };
    }
    case 'counter':
      return () => NEXT;
    case 'log': {
      const note = it.prefix !== undefined ? `log prefix "${it.prefix}"` : 'log';
      return (_p, env) => (env.trace?.(hop(note)), NEXT);
    }
  }
}

function compileCmp(left: Selector[], op: string, right: Operand): Step {
  const g = guards(left);
  if (right.kind === 'string') {
    const s = left[0]!;
    const read = s.kind === 'meta' && s.key === 'oifname' ? (p: Packet) => p.outIface : (p: Packet) => p.inIface;
    const { value, wildcard } = right;
    const eq = op === '==';
    return wildcard ? (p) => (read(p).startsWith(value) === eq ? NEXT : BREAK) : (p) => ((read(p) === value) === eq ? NEXT : BREAK);
  }
  if (right.kind === 'flags') {
    const get = getter(left[0]!);
    const bits = right.bits;
    const want = op !== '!=';
    return (p, env) => (((get(p, env) & bits) !== 0) === want ? NEXT : BREAK);
  }
  const gets = left.map(getter);
  const ranges = right.value;
  if (gets.length === 1) {
    const get = gets[0]!;
    const { lo, hi } = ranges[0]!;
    let test: (v: number) => boolean;
    switch (op) {
      case '<':
        test = (v) => v < lo;
        break;
      case '>':
        test = (v) => v > lo;
        break;
      case '<=':
        test = (v) => v <= lo;
        break;
      case '>=':
        test = (v) => v >= lo;
        break;
      default: {
        const want = op === '==';
        test = lo === hi ? (v) => (v === lo) === want : (v) => (v >= lo && v <= hi) === want;
      }
    }
    if (g) return (p, env) => (g(p) && test(get(p, env)) ? NEXT : BREAK);
    return (p, env) => (test(get(p, env)) ? NEXT : BREAK);
  }
  const want = op === '==';
  return (p, env) => {
    if (g && !g(p)) return BREAK;
    let all = true;
    for (let k = 0; k < gets.length && all; k++) {
      const v = gets[k]!(p, env);
      all = v >= ranges[k]!.lo && v <= ranges[k]!.hi;
    }
    return all === want ? NEXT : BREAK;
  };
}

/** A value for `mark set`: >= 0, or -1 when a map has no element for the key. */
function compileValue(ctx: Ctx, v: ValueExpr): (p: Packet, env: WalkEnv) => number {
  switch (v.kind) {
    case 'const': {
      const c = v.value >>> 0;
      return () => c;
    }
    case 'selector': {
      const get = getter(v.selector);
      const g = guard(v.selector);
      return g ? (p, env) => (g(p) ? get(p, env) >>> 0 : -1) : (p, env) => get(p, env) >>> 0;
    }
    case 'map': {
      const map = resolveSet(ctx, v.map);
      const fill = keyFill(v.key);
      const key = new Int32Array(v.key.length);
      return (p, env) => {
        if (!fill(p, env, key)) return -1;
        const i = map.table.find(key);
        return i < 0 ? -1 : map.spec.elements[i]!.data![0]! >>> 0;
      };
    }
  }
}

function compileNat(ctx: Ctx, type: 'dnat' | 'snat', target: NatTarget, hop: (note: string) => RuleHop): Step {
  const dnat = type === 'dnat';
  const apply = (p: Packet, env: WalkEnv, addr: number, port: number | undefined): number => {
    const before = dnat ? `${formatIPv4(p.dst)}:${p.dport}` : `${formatIPv4(p.src)}:${p.sport}`;
    if (dnat) {
      p.dst = addr >>> 0;
      if (port !== undefined) p.dport = port;
      p.ctstate |= CT.DNAT;
    } else {
      p.src = addr >>> 0;
      if (port !== undefined) p.sport = port;
      p.ctstate |= CT.SNAT;
    }
    if (env.trace !== undefined) env.trace(hop(`${type} ${before} -> ${dnat ? `${formatIPv4(p.dst)}:${p.dport}` : `${formatIPv4(p.src)}:${p.sport}`}`));
    return ACCEPT;
  };
  if (target.kind === 'fixed') {
    const { addr, port } = target;
    return (p, env) => apply(p, env, addr, port);
  }
  const map = resolveSet(ctx, target.map);
  const fill = keyFill(target.key);
  const key = new Int32Array(target.key.length);
  const elements = map.spec.elements;
  return (p, env) => {
    if (!fill(p, env, key)) return BREAK;
    const i = map.table.find(key);
    if (i < 0) return BREAK;
    const d = elements[i]!.data!;
    return apply(p, env, d[0]!, d[1]);
  };
}
