/**
 * One rule of `nft list ruleset`: a line of matches and statements. nft's syntax is context
 * sensitive (what follows `ip daddr` decides whether it is a comparison, a set lookup or a map
 * dispatch, and the selector's type decides how a literal reads), so the parser reads a selector
 * first, then what it is used for. Anything it does not know is an error at that token naming
 * what was expected; nothing is skipped.
 */
import type { AnonymousSet, DataType, Element, Item, NatTarget, Operand, Range, Selector, SetRef, ValueExpr, VerdictSpec } from './ast.js';
import { CT_STATE_BITS, CT_STATUS_BITS, describeType, isBitmask, parseDuration, parseInteger, parseLiteral } from './datatypes.js';
import type { Cursor, Token } from './lexer.js';
import { parseIPv4 } from '../iptables/ip.js';

/** Statements nft has that the walk does not model: named so the error says what it met. */
const UNSUPPORTED_STATEMENTS: Record<string, string> = {
  limit: 'limit (its verdict depends on packet rates)',
  quota: 'quota (its verdict depends on byte counts)',
  notrack: 'notrack',
  redirect: 'redirect',
  queue: 'queue (hands packets to user space)',
  tproxy: 'tproxy',
  synproxy: 'synproxy',
  flow: 'flow offload',
  dup: 'dup',
  fwd: 'fwd',
  meter: 'meter',
};

export function selectorType(s: Selector): DataType {
  switch (s.kind) {
    case 'ip':
      return s.field === 'protocol' ? 'inet_proto' : 'ipv4_addr';
    case 'ip6':
      return 'ipv6_addr';
    case 'meta':
      return s.key === 'l4proto' ? 'inet_proto' : s.key === 'mark' ? 'mark' : s.key === 'nfproto' ? 'nf_proto' : s.key === 'protocol' ? 'integer' : 'ifname';
    case 'port':
      return 'inet_service';
    case 'ct':
      return s.key === 'state' ? 'ct_state' : 'ct_status';
    case 'fib':
      return 'fib_addrtype';
    case 'numgen':
      return 'integer';
    case 'binop':
      return selectorType(s.left);
  }
}

/** Words that start a selector. */
function startsSelector(c: Cursor): boolean {
  const t = c.peek();
  if (t.kind !== 'word') return false;
  return ['ip', 'ip6', 'meta', 'th', 'tcp', 'udp', 'sctp', 'ct', 'fib', 'numgen', 'mark', 'iifname', 'oifname', 'l4proto'].includes(t.text);
}

export function parseSelector(c: Cursor): Selector {
  const t = c.word('a selector (ip, meta, th, tcp, udp, ct, fib, numgen, ...)');
  let s: Selector;
  switch (t.text) {
    case 'ip': {
      const f = c.word('an ip field (saddr, daddr, protocol)');
      if (f.text !== 'saddr' && f.text !== 'daddr' && f.text !== 'protocol') throw c.error('expected an ip field the walk models (saddr, daddr, protocol)', f);
      s = { kind: 'ip', field: f.text };
      break;
    }
    case 'ip6':
      s = { kind: 'ip6', field: c.word('an ip6 field').text };
      break;
    case 'meta': {
      const k = c.word('a meta key');
      if (!['l4proto', 'mark', 'iifname', 'oifname', 'nfproto'].includes(k.text)) throw c.error('expected a meta key the walk models (l4proto, mark, iifname, oifname, nfproto)', k);
      s = { kind: 'meta', key: k.text as 'l4proto' };
      break;
    }
    case 'mark':
    case 'iifname':
    case 'oifname':
    case 'l4proto':
      s = { kind: 'meta', key: t.text };
      break;
    case 'th':
    case 'tcp':
    case 'udp':
    case 'sctp': {
      const f = c.word('sport or dport');
      if (f.text !== 'sport' && f.text !== 'dport') throw c.error(`expected a ${t.text} field the walk models (sport, dport)`, f);
      s = { kind: 'port', field: f.text, proto: t.text === 'th' ? null : t.text === 'tcp' ? 6 : t.text === 'udp' ? 17 : 132 };
      break;
    }
    case 'ct': {
      const k = c.word('a ct key');
      if (k.text !== 'state' && k.text !== 'status') throw c.error('expected a ct key the walk models (state, status)', k);
      s = { kind: 'ct', key: k.text };
      break;
    }
    case 'fib': {
      const a = c.word('saddr or daddr');
      if (a.text !== 'saddr' && a.text !== 'daddr') throw c.error('expected saddr or daddr', a);
      if (c.is('.')) throw c.error("expected 'type' (fib lookups with . iif/. oif/. mark are not modelled)");
      c.expect('type', "'type' (the walk models fib ... type)");
      s = { kind: 'fib', addr: a.text };
      break;
    }
    case 'numgen': {
      const mode = c.word('random');
      if (mode.text !== 'random') throw c.error("expected 'random' (numgen inc keeps state the walk does not model)", mode);
      c.expect('mod');
      const n = c.word('a modulus');
      const mod = parseInteger(n.text);
      if (mod === undefined || mod < 1) throw c.error('expected a positive modulus', n);
      let offset = 0;
      if (c.accept('offset')) {
        const o = c.word('an offset');
        const v = parseInteger(o.text);
        if (v === undefined) throw c.error('expected an integer offset', o);
        offset = v;
      }
      s = { kind: 'numgen', mod, offset };
      break;
    }
    default:
      throw c.error('expected a selector (ip, meta, th, tcp, udp, sctp, ct, fib, numgen, mark, iifname, oifname)', t);
  }
  while (c.is('&') || c.is('|') || c.is('^')) {
    const op = c.next().text as '&' | '|' | '^';
    const n = c.word('an integer');
    const v = parseInteger(n.text);
    if (v === undefined) throw c.error('expected an integer', n);
    s = { kind: 'binop', op, left: s, right: v };
  }
  return s;
}

function parseConcat(c: Cursor): Selector[] {
  const parts = [parseSelector(c)];
  while (c.is('.')) {
    c.next();
    parts.push(parseSelector(c));
  }
  return parts;
}

function literal(c: Cursor, t: DataType): Range {
  const tok = c.peek();
  if (tok.kind !== 'word') throw c.error(`expected ${describeType(t)}`);
  const r = parseLiteral(t, tok.text);
  if (!r) throw c.error(`expected ${describeType(t)}`);
  c.next();
  return r;
}

/** `a . b . c` of the given component types. */
function tuple(c: Cursor, types: DataType[]): Range[] {
  const out: Range[] = [];
  types.forEach((t, i) => {
    if (i > 0) c.expect('.', `'.' and ${describeType(t)} (the key has ${types.length} parts)`);
    out.push(literal(c, t));
  });
  return out;
}

function parseVerdict(c: Cursor): VerdictSpec {
  const t = c.word('a verdict (accept, drop, continue, return, jump CHAIN, goto CHAIN)');
  switch (t.text) {
    case 'accept':
    case 'drop':
    case 'continue':
    case 'return':
      return { kind: t.text };
    case 'jump':
    case 'goto': {
      const n = c.peek();
      if (n.kind !== 'word' && n.kind !== 'string') throw c.error('expected a chain name');
      c.next();
      return { kind: t.text, chain: n.text, at: { line: n.line, col: n.col } };
    }
    default:
      throw c.error('expected a verdict (accept, drop, continue, return, jump CHAIN, goto CHAIN)', t);
  }
}

/** Element options nft prints after a key: timeout, expires, comment, counter. */
function elementOptions(c: Cursor, el: Element): void {
  for (;;) {
    if (c.accept('timeout')) {
      const d = c.word('a duration');
      const v = parseDuration(d.text);
      if (v === undefined) throw c.error('expected a duration like 3h or 10800s', d);
      el.timeout = v;
    } else if (c.accept('expires')) {
      const d = c.word('a duration');
      if (parseDuration(d.text) === undefined) throw c.error('expected a duration like 2h59m', d);
    } else if (c.accept('comment')) {
      if (c.peek().kind !== 'string') throw c.error('expected a quoted comment');
      c.next();
    } else if (c.accept('counter')) {
      c.expect('packets');
      c.word('a packet count');
      c.expect('bytes');
      c.word('a byte count');
    } else return;
  }
}

/**
 * `{ e1, e2, ... }` with the opening brace next: keys of `keyTypes`, and for maps `: data`
 * (a verdict when `dataTypes` is ['verdict']). Newlines inside the braces are blanks.
 */
export function parseElements(c: Cursor, keyTypes: DataType[], dataTypes: DataType[], isMap: boolean): Element[] {
  c.expect('{');
  const out: Element[] = [];
  for (;;) {
    c.skipNewlines();
    if (c.accept('}')) break;
    const first = c.peek();
    const el: Element = { key: tuple(c, keyTypes), line: first.line };
    elementOptions(c, el);
    if (isMap) {
      c.expect(':', "':' and the element's value");
      if (dataTypes.length === 1 && dataTypes[0] === 'verdict') el.verdict = parseVerdict(c);
      else {
        // Data components after the first are optional: nft 1.0.6 lists `dnat ip to ... map
        // { 0 : 10.0.0.1 . 80 }` and `... map { 0 : 10.0.0.1 }` alike under one header.
        el.data = [literal(c, dataTypes[0]!).lo];
        for (let k = 1; k < dataTypes.length && c.is('.'); k++) {
          c.next();
          el.data.push(literal(c, dataTypes[k]!).lo);
        }
      }
    }
    out.push(el);
    c.skipNewlines();
    if (c.accept(',')) continue;
    c.skipNewlines();
    c.expect('}', "',' or '}'");
    break;
  }
  return out;
}

function setRef(c: Cursor, keyTypes: DataType[], dataTypes: DataType[], isMap: boolean): SetRef {
  const t = c.peek();
  if (t.kind === 'word' && t.text.startsWith('@') && t.text.length > 1) {
    c.next();
    return { named: t.text.slice(1), at: { line: t.line, col: t.col } };
  }
  if (c.is('{')) {
    const anonymous: AnonymousSet = { keyTypes, dataTypes, elements: parseElements(c, keyTypes, dataTypes, isMap) };
    return { anonymous };
  }
  throw c.error(`expected @SET or { ... }`);
}

/** The right-hand side of a comparison whose left side has types `types`. */
function operand(c: Cursor, types: DataType[], bitmask: boolean): Operand {
  if (types.length === 1 && types[0] === 'ifname') {
    const t = c.next();
    if (t.kind !== 'string' && t.kind !== 'word') throw c.error('expected an interface name', t);
    const wildcard = t.text.endsWith('*');
    return { kind: 'string', value: wildcard ? t.text.slice(0, -1) : t.text, wildcard };
  }
  if (bitmask) {
    let bits = 0;
    const names = types[0] === 'ct_state' ? CT_STATE_BITS : CT_STATUS_BITS;
    do {
      const w = c.word(describeType(types[0]!));
      const b = names[w.text];
      if (b === undefined) throw c.error(`expected ${describeType(types[0]!)}`, w);
      bits |= b;
    } while (c.accept(','));
    return { kind: 'flags', bits };
  }
  return { kind: 'value', value: tuple(c, types) };
}

const OPS = new Set(['==', '!=', '<', '>', '<=', '>=', 'eq', 'ne', 'lt', 'gt', 'le', 'ge']);
const OP_WORDS: Record<string, '==' | '!=' | '<' | '>' | '<=' | '>='> = { eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=' };

/** A value for `meta mark set ...`: a constant, a selector with bit operations, or a map lookup. */
function valueExpr(c: Cursor, type: DataType): ValueExpr {
  if (startsSelector(c)) {
    const key = parseConcat(c);
    if (c.accept('map')) return { kind: 'map', key, map: setRef(c, key.map(selectorType), [type], true) };
    if (key.length > 1) throw c.error("expected 'map' after a concatenation");
    return { kind: 'selector', selector: key[0]! };
  }
  const w = c.word(describeType(type));
  const v = parseInteger(w.text);
  if (v === undefined) throw c.error(`expected ${describeType(type)}`, w);
  return { kind: 'const', value: v };
}

function natTarget(c: Cursor, withPort: boolean): NatTarget {
  if (startsSelector(c)) {
    const key = parseConcat(c);
    c.expect('map', "'map' (a NAT target read from a selector needs a map)");
    return { kind: 'map', key, map: setRef(c, key.map(selectorType), withPort ? ['ipv4_addr', 'inet_service'] : ['ipv4_addr'], true) };
  }
  const t = c.word('an address, address:port, or SELECTOR map { ... }');
  const colon = t.text.lastIndexOf(':');
  const addrText = colon >= 0 ? t.text.slice(0, colon) : t.text;
  const addr = parseIPv4(addrText);
  if (addr === undefined) throw c.error('expected an IPv4 address (or address:port)', t);
  let port: number | undefined;
  if (colon >= 0) {
    const p = parseInteger(t.text.slice(colon + 1));
    if (p === undefined || p > 65535) throw c.error('expected a port after the colon', t);
    port = p;
  }
  if (c.is('.')) {
    c.next();
    const p = literal(c, 'inet_service');
    port = p.lo;
  }
  return { kind: 'fixed', addr, port };
}

const NAT_FLAGS = new Set(['random', 'fully-random', 'persistent']);

function statement(c: Cursor, t: Token): Item | undefined {
  switch (t.text) {
    case 'accept':
    case 'drop':
    case 'continue':
    case 'return':
    case 'jump':
    case 'goto':
      return { kind: 'verdict', verdict: parseVerdict(c) };
    case 'reject': {
      c.next();
      const parts: string[] = [];
      if (c.accept('with')) {
        const kind = c.word('icmp, icmpx, icmpv6 or tcp');
        parts.push(kind.text);
        if (kind.text === 'tcp') c.expect('reset');
        else {
          if (!['icmp', 'icmpx', 'icmpv6'].includes(kind.text)) throw c.error('expected icmp, icmpx, icmpv6 or tcp reset', kind);
          c.accept('type');
          parts.push(c.word('a reject code').text);
        }
      }
      return { kind: 'reject', with: parts.join(' ') || 'icmp port-unreachable' };
    }
    case 'dnat':
    case 'snat': {
      c.next();
      c.accept('ip');
      let withPort = false;
      if (c.accept('addr')) {
        c.expect('.', "'. port'");
        c.expect('port');
        withPort = true;
      }
      c.expect('to', "'to'");
      // nft 1.0.6 prints `dnat ip to numgen ... map { 0 : a . p }` without `addr . port`.
      const target = natTarget(c, true);
      if (target.kind === 'map' && !withPort) withPort = true;
      while (c.peek().kind === 'word' && NAT_FLAGS.has(c.peek().text)) c.next();
      return { kind: 'nat', type: t.text as 'dnat', target };
    }
    case 'masquerade': {
      c.next();
      const flags: string[] = [];
      for (;;) {
        const w = c.peek();
        if (w.kind === 'word' && NAT_FLAGS.has(w.text)) flags.push(c.next().text);
        else if (c.is(',')) c.next();
        else break;
      }
      if (c.is('to')) throw c.error('expected a masquerade flag (masquerade to :PORT is not modelled)');
      return { kind: 'masquerade', flags };
    }
    case 'counter': {
      c.next();
      if (c.accept('name')) {
        const n = c.next();
        if (n.kind !== 'word' && n.kind !== 'string') throw c.error('expected a counter name', n);
      } else if (c.accept('packets')) {
        c.word('a packet count');
        c.expect('bytes');
        c.word('a byte count');
      }
      return { kind: 'counter' };
    }
    case 'log': {
      c.next();
      let prefix: string | undefined;
      for (;;) {
        if (c.accept('prefix')) {
          const s = c.next();
          if (s.kind !== 'string' && s.kind !== 'word') throw c.error('expected a log prefix', s);
          prefix = s.text;
        } else if (c.accept('level') || c.accept('group') || c.accept('snaplen') || c.accept('queue-threshold')) c.word('a value');
        else if (c.accept('flags')) {
          do c.word('a log flag');
          while (c.accept(','));
        } else break;
      }
      return { kind: 'log', prefix };
    }
    case 'add':
    case 'update':
    case 'delete': {
      c.next();
      const r = c.word('@SET');
      if (!r.text.startsWith('@') || r.text.length < 2) throw c.error('expected @SET', r);
      c.expect('{');
      const key = parseConcat(c);
      let timeout: number | undefined;
      if (c.accept('timeout')) {
        const d = c.word('a duration');
        timeout = parseDuration(d.text);
        if (timeout === undefined) throw c.error('expected a duration like 3h', d);
      }
      c.expect('}');
      return { kind: 'set-update', op: t.text, set: r.text.slice(1), at: { line: r.line, col: r.col }, key, timeout };
    }
    default:
      return undefined;
  }
}

/** Parses one rule's items up to the end of its line; the comment, if any, is returned apart. */
export function parseRuleItems(c: Cursor): { items: Item[]; comment?: string } {
  const items: Item[] = [];
  let comment: string | undefined;
  while (!c.atLineEnd()) {
    const t = c.peek();
    if (t.kind === 'word' && t.text === 'comment') {
      c.next();
      const s = c.next();
      if (s.kind !== 'string') throw c.error('expected a quoted comment', s);
      comment = s.text;
      if (!c.atLineEnd()) throw c.error('expected the end of the rule after its comment');
      break;
    }
    if (t.kind !== 'word') throw c.error('expected a match or a statement');
    const stmt = statement(c, t);
    if (stmt) {
      items.push(stmt);
      if (stmt.kind === 'verdict' && !c.atLineEnd() && !c.is('comment')) throw c.error('expected the end of the rule after its verdict');
      continue;
    }
    if (!startsSelector(c)) {
      const what = UNSUPPORTED_STATEMENTS[t.text];
      if (what) throw c.error(`unsupported statement: ${what} is not modelled by the walk`, t);
      throw c.error('expected a match or a statement (accept, drop, jump, goto, return, reject, dnat, snat, masquerade, counter, log, meta mark set, add/update @set, or a selector such as ip daddr, meta l4proto, th dport, ct state, fib daddr type, numgen)', t);
    }
    const left = parseConcat(c);
    const types = left.map(selectorType);
    if (c.is('set')) {
      const s = left[0]!;
      if (left.length !== 1 || s.kind !== 'meta' || s.key !== 'mark') throw c.error('unsupported statement: only meta mark set is modelled', t);
      c.next();
      items.push({ kind: 'mark-set', value: valueExpr(c, 'mark') });
      continue;
    }
    if (c.accept('vmap')) {
      items.push({ kind: 'vmap', left, map: setRef(c, types, ['verdict'], true) });
      if (!c.atLineEnd() && !c.is('comment')) throw c.error('expected the end of the rule after its verdict map');
      continue;
    }
    let op: '==' | '!=' | '<' | '>' | '<=' | '>=' = '==';
    const opTok = c.peek();
    if (opTok.kind === 'word' && OPS.has(opTok.text)) {
      c.next();
      op = OP_WORDS[opTok.text] ?? (opTok.text as '==');
    }
    if (c.is('{') || (c.peek().kind === 'word' && c.peek().text.startsWith('@'))) {
      if (op !== '==' && op !== '!=') throw c.error(`expected a value after '${op}' (a set lookup takes == or !=)`);
      items.push({ kind: 'lookup', left, set: setRef(c, types, [], false), negate: op === '!=' });
      continue;
    }
    if (c.atLineEnd()) throw c.error(`expected ${describeType(types[0]!)} to compare with`);
    const bitmask = left.length === 1 && isBitmask(types[0]!) && left[0]!.kind !== 'binop';
    items.push({ kind: 'cmp', left, op, right: operand(c, types, bitmask) });
  }
  return { items, comment };
}
