/**
 * Parser for `nft list ruleset` text (as nft 1.0.x prints it): tables, their sets and maps with
 * elements, base chains (type, hook, priority, policy) and regular chains with their rules.
 * Tables of the ip and inet families are evaluated; tables of other families never see an IPv4
 * packet on the hooks the walk models and are listed as skipped. Named counters, quotas, ct
 * objects and flowtables are declarations that decide no verdict by themselves; a rule that uses
 * one in a way that would (a quota, a flow offload) is an error at that rule.
 */
import type { BaseChainSpec, ChainSpec, DataType, Hook, NftRuleset, SetSpec, TableSpec } from './ast.js';
import { parseDuration, parseInteger, typeByName } from './datatypes.js';
import { Cursor, NftParseError, located, tokenize } from './lexer.js';
import { parseElements, parseRuleItems, parseSelector, selectorType } from './parse-rule.js';

export { NftParseError };

const PRIORITY_NAMES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
const HOOKS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress', 'egress']);
const EVALUATED_FAMILIES = new Set(['ip', 'inet']);
const KNOWN_FAMILIES = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);

export function parseNftRuleset(text: string, source = '<ruleset>'): NftRuleset {
  const { tokens, lines } = tokenize(text, source);
  const c = new Cursor(tokens, lines, source);
  const out: NftRuleset = { tables: [], skipped: [] };
  for (;;) {
    c.skipNewlines();
    if (c.peek().kind === 'eof') break;
    const t = c.peek();
    if (!c.is('table')) throw c.error("expected 'table' (the text of `nft list ruleset`)");
    c.next();
    const fam = c.word('a table family (ip, inet, ip6, arp, bridge, netdev)');
    if (!KNOWN_FAMILIES.has(fam.text)) throw c.error('expected a table family (ip, inet, ip6, arp, bridge, netdev)', fam);
    const name = c.next();
    if (name.kind !== 'word' && name.kind !== 'string') throw c.error('expected a table name', name);
    if (!EVALUATED_FAMILIES.has(fam.text)) {
      skipBlock(c);
      out.skipped.push({ family: fam.text, name: name.text, line: t.line });
      continue;
    }
    const table: TableSpec = { family: fam.text as 'ip', name: name.text, sets: new Map(), chains: new Map(), line: t.line };
    parseTable(c, table);
    if (out.tables.some((x) => x.family === table.family && x.name === table.name)) {
      throw located(source, lines, t.line, t.col, `table ${table.family} ${table.name} is listed twice`);
    }
    out.tables.push(table);
  }
  for (const table of out.tables) checkReferences(table, source, lines);
  return out;
}

/** Skips a `{ ... }` block (with the brace next), nested blocks included. */
function skipBlock(c: Cursor): void {
  c.expect('{');
  let depth = 1;
  while (depth > 0) {
    const t = c.next();
    if (t.kind === 'eof') throw c.error("expected '}' to close the block", t);
    if (t.kind === 'punct' && t.text === '{') depth++;
    if (t.kind === 'punct' && t.text === '}') depth--;
  }
}

function parseTable(c: Cursor, table: TableSpec): void {
  c.expect('{');
  for (;;) {
    c.skipNewlines();
    if (c.accept('}')) return;
    const t = c.peek();
    if (c.accept('comment')) {
      if (c.next().kind !== 'string') throw c.error('expected a quoted comment', t);
    } else if (c.accept('flags')) {
      do {
        const f = c.word('a table flag');
        if (f.text === 'dormant') throw c.error('expected an active table (a dormant table is not modelled)', f);
      } while (c.accept(','));
    } else if (c.is('set') || c.is('map')) {
      const set = parseSet(c);
      if (table.sets.has(set.name)) throw c.error(`set ${set.name} is declared twice`, t);
      table.sets.set(set.name, set);
    } else if (c.is('chain')) {
      const chain = parseChain(c, table.name);
      if (table.chains.has(chain.name)) throw c.error(`chain ${chain.name} is declared twice`, t);
      table.chains.set(chain.name, chain);
    } else if (c.is('counter') || c.is('quota') || c.is('flowtable') || c.is('limit') || c.is('secmark') || c.is('synproxy')) {
      c.next();
      c.next();
      skipBlock(c);
    } else if (c.is('ct')) {
      c.next();
      c.word('helper, timeout or expectation');
      c.next();
      skipBlock(c);
    } else throw c.error("expected set, map, chain, counter, quota, flowtable, comment, flags or '}'");
    if (!c.atLineEnd()) throw c.error('expected the end of the line');
  }
}

function declType(c: Cursor): DataType {
  const w = c.word('a datatype');
  const t = typeByName(w.text);
  if (!t) throw c.error('expected a datatype the walk models (ipv4_addr, inet_proto, inet_service, mark, ifname, ct_state, verdict, ...)', w);
  return t;
}

function parseSet(c: Cursor): SetSpec {
  const kw = c.next();
  const name = c.next();
  if (name.kind !== 'word' && name.kind !== 'string') throw c.error('expected a set name', name);
  const set: SetSpec = { name: name.text, isMap: kw.text === 'map', keyTypes: [], dataTypes: [], flags: new Set(), elements: [], line: kw.line };
  c.expect('{');
  for (;;) {
    c.skipNewlines();
    if (c.accept('}')) break;
    const t = c.peek();
    if (c.accept('type')) {
      set.keyTypes.push(declType(c));
      while (c.accept('.')) set.keyTypes.push(declType(c));
      if (set.isMap) {
        c.expect(':', "':' and the map's data type");
        set.dataTypes.push(declType(c));
        while (c.accept('.')) set.dataTypes.push(declType(c));
      }
    } else if (c.accept('typeof')) {
      set.keyTypes.push(selectorType(parseSelector(c)));
      while (c.accept('.')) set.keyTypes.push(selectorType(parseSelector(c)));
      if (set.isMap) {
        c.expect(':', "':' and the map's data");
        if (c.is('verdict')) {
          c.next();
          set.dataTypes.push('verdict');
        } else {
          set.dataTypes.push(selectorType(parseSelector(c)));
          while (c.accept('.')) set.dataTypes.push(selectorType(parseSelector(c)));
        }
      }
    } else if (c.accept('flags')) {
      do {
        const f = c.word('a set flag');
        if (!['constant', 'interval', 'timeout', 'dynamic'].includes(f.text)) throw c.error('expected a set flag (constant, interval, timeout, dynamic)', f);
        set.flags.add(f.text);
      } while (c.accept(','));
    } else if (c.accept('timeout')) {
      const d = c.word('a duration');
      set.timeout = parseDuration(d.text);
      if (set.timeout === undefined) throw c.error('expected a duration like 3h', d);
    } else if (c.accept('gc-interval') || c.accept('size')) {
      c.word('a value');
    } else if (c.accept('policy')) {
      c.word('performance or memory');
    } else if (c.accept('auto-merge') || c.accept('counter')) {
      // no effect on lookups
    } else if (c.accept('comment')) {
      if (c.next().kind !== 'string') throw c.error('expected a quoted comment', t);
    } else if (c.accept('elements')) {
      c.expect('=');
      if (!set.keyTypes.length) throw c.error("expected 'type' before the elements", t);
      set.elements = parseElements(c, set.keyTypes, set.dataTypes, set.isMap);
    } else throw c.error("expected type, typeof, flags, timeout, size, policy, comment, elements or '}'");
    if (!c.atLineEnd() && !c.is('}')) throw c.error('expected the end of the line');
  }
  if (!set.keyTypes.length) throw c.error(`set ${set.name} has no type`, name);
  if (set.isMap && !set.dataTypes.length) throw c.error(`map ${set.name} has no data type`, name);
  return set;
}

function priority(c: Cursor): number {
  const t = c.word('a priority (a number or raw, mangle, dstnat, filter, security, srcnat)');
  let base = parseSignedInt(t.text);
  if (base === undefined) {
    base = PRIORITY_NAMES[t.text];
    if (base === undefined) throw c.error('expected a priority (a number or raw, mangle, dstnat, filter, security, srcnat)', t);
  }
  if (c.is('+') || c.is('-')) {
    const sign = c.next().text === '-' ? -1 : 1;
    const n = c.word('a number');
    const v = parseInteger(n.text);
    if (v === undefined) throw c.error('expected a number', n);
    base += sign * v;
  }
  return base;
}

function parseSignedInt(text: string): number | undefined {
  if (text.startsWith('-')) {
    const v = parseInteger(text.slice(1));
    return v === undefined ? undefined : -v;
  }
  return parseInteger(text);
}

function parseChain(c: Cursor, table: string): ChainSpec {
  const kw = c.next();
  const name = c.next();
  if (name.kind !== 'word' && name.kind !== 'string') throw c.error('expected a chain name', name);
  const chain: ChainSpec = { name: name.text, table, rules: [], line: kw.line };
  c.expect('{');
  for (;;) {
    c.skipNewlines();
    if (c.accept('}')) break;
    const first = c.peek();
    if (c.is('type') && chain.rules.length === 0 && !chain.base) {
      chain.base = baseChain(c);
    } else if (c.is('comment') && c.peek(1).kind === 'string' && (c.peek(2).kind === 'nl' || c.peek(2).kind === 'eof') && chain.rules.length === 0) {
      c.next();
      c.next();
    } else {
      const text = c.lineText(first);
      const { items, comment } = parseRuleItems(c);
      chain.rules.push({ line: first.line, text, items, comment });
    }
    if (!c.atLineEnd()) throw c.error('expected the end of the line');
  }
  return chain;
}

function baseChain(c: Cursor): BaseChainSpec {
  c.expect('type');
  const type = c.word('filter, nat or route');
  if (type.text !== 'filter' && type.text !== 'nat' && type.text !== 'route') throw c.error('expected a chain type (filter, nat, route)', type);
  c.expect('hook');
  const hook = c.word('a hook');
  if (!HOOKS.has(hook.text)) throw c.error('expected a hook (prerouting, input, forward, output, postrouting)', hook);
  if (c.accept('device')) {
    c.next();
  } else if (c.accept('devices')) {
    c.expect('=');
    skipBlock(c);
  }
  c.expect('priority');
  const prio = priority(c);
  c.expect(';', "';' after the priority");
  let policy: 'accept' | 'drop' = 'accept';
  if (c.accept('policy')) {
    const p = c.word('accept or drop');
    if (p.text !== 'accept' && p.text !== 'drop') throw c.error('expected a policy (accept, drop)', p);
    policy = p.text;
    c.expect(';', "';' after the policy");
  }
  return { type: type.text, hook: hook.text as Hook, priority: prio, policy };
}

/** Every jump, goto and @set names something the table declares, with the right shape. */
function checkReferences(table: TableSpec, source: string, lines: string[]): void {
  const err = (at: { line: number; col: number }, msg: string) => located(source, lines, at.line, at.col, msg);
  const chainExists = (v: { kind: string; chain?: string; at?: { line: number; col: number } }, fallback: { line: number; col: number }) => {
    if ((v.kind === 'jump' || v.kind === 'goto') && !table.chains.has(v.chain!)) throw err(v.at ?? fallback, `${v.kind} to unknown chain '${v.chain}' (table ${table.family} ${table.name})`);
  };
  for (const set of table.sets.values()) for (const e of set.elements) if (e.verdict) chainExists(e.verdict, { line: e.line, col: 1 });
  const named = (ref: { named: string; at: { line: number; col: number } }, arity: number, wantMap: 'verdict' | 'data' | 'set') => {
    const s = table.sets.get(ref.named);
    if (!s) throw err(ref.at, `unknown set or map '@${ref.named}' (table ${table.family} ${table.name})`);
    if (s.keyTypes.length !== arity) throw err(ref.at, `@${ref.named} has ${s.keyTypes.length}-part keys, but the expression has ${arity} part(s)`);
    const isVerdict = s.isMap && s.dataTypes[0] === 'verdict';
    if (wantMap === 'verdict' && !isVerdict) throw err(ref.at, `@${ref.named} is not a verdict map`);
    if (wantMap === 'data' && (!s.isMap || isVerdict)) throw err(ref.at, `@${ref.named} is not a data map`);
    if (wantMap === 'set' && s.isMap) throw err(ref.at, `@${ref.named} is a map; a lookup needs a set`);
  };
  for (const chain of table.chains.values()) {
    for (const rule of chain.rules) {
      for (const it of rule.items) {
        const at = { line: rule.line, col: 1 };
        if (it.kind === 'verdict') chainExists(it.verdict, at);
        if (it.kind === 'vmap') {
          if ('named' in it.map) named(it.map, it.left.length, 'verdict');
          else for (const e of it.map.anonymous.elements) if (e.verdict) chainExists(e.verdict, at);
        }
        if (it.kind === 'lookup' && 'named' in it.set) named(it.set, it.left.length, 'set');
        if (it.kind === 'nat' && it.target.kind === 'map' && 'named' in it.target.map) named(it.target.map, it.target.key.length, 'data');
        if (it.kind === 'mark-set' && it.value.kind === 'map' && 'named' in it.value.map) named(it.value.map, it.value.key.length, 'data');
        if (it.kind === 'set-update') {
          const s = table.sets.get(it.set);
          if (!s) throw err(it.at, `unknown set '@${it.set}' (table ${table.family} ${table.name})`);
          if (s.keyTypes.length !== it.key.length) throw err(it.at, `@${it.set} has ${s.keyTypes.length}-part keys, but the update gives ${it.key.length}`);
        }
      }
    }
  }
}
