/**
 * Parser for `iptables-save` text. Reads the `filter` and `nat` tables (other tables are skipped:
 * kube-proxy's Service data plane lives in these two). Every unknown option, match or target is an
 * error naming the line and its text, so a dump is never half-understood in silence.
 */
import { SvclabError, ExitCode } from '../../errors.js';
import type { ChainSpec, MatchSpec, PortRange, RuleSpec, Ruleset, TableSpec, TargetSpec } from './ast.js';
import { parseCidr, parseIPv4 } from './ip.js';
import { CT, protoNumber } from './packet.js';

/** A dump that does not parse. The message names `source:line`, the problem and the line's text. */
export class NetfilterParseError extends SvclabError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

const EVALUATED_TABLES = new Set(['filter', 'nat']);
const BUILTIN_TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'LOG']);

/** Splits a rule line into words, honouring double and single quotes and backslash escapes. */
export function tokenize(line: string): string[] {
  // Fast path: most rule lines have no quoting at all.
  if (line.indexOf('"') < 0 && line.indexOf("'") < 0 && line.indexOf('\\') < 0) {
    return line.split(/[ \t]+/).filter((w) => w !== '');
  }
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n) break;
    let word = '';
    let quote: string | null = null;
    while (i < n) {
      const ch = line[i]!;
      if (quote) {
        if (ch === '\\' && i + 1 < n && (line[i + 1] === quote || line[i + 1] === '\\')) {
          word += line[i + 1];
          i += 2;
          continue;
        }
        if (ch === quote) {
          quote = null;
          i++;
          continue;
        }
        // Copy the run of plain characters up to the next quote or backslash in one slice.
        let j = i + 1;
        while (j < n && line[j] !== quote && line[j] !== '\\') j++;
        word += line.slice(i, j);
        i = j;
        continue;
      }
      if (ch === ' ' || ch === '\t') break;
      if (ch === '"' || ch === "'") {
        quote = ch;
        i++;
        continue;
      }
      if (ch === '\\' && i + 1 < n) {
        word += line[i + 1];
        i += 2;
        continue;
      }
      // A run of plain characters up to the next blank, quote or backslash, in one slice.
      let j = i + 1;
      while (j < n) {
        const c = line.charCodeAt(j);
        if (c === 32 || c === 9 || c === 34 || c === 39 || c === 92) break;
        j++;
      }
      word += line.slice(i, j);
      i = j;
    }
    if (quote) throw new Error(`unterminated ${quote} quote`);
    out.push(word);
  }
  return out;
}

/**
 * Parsed rules by table and line text, kept between parses: a node's dump changes little from one
 * change step to the next, and the nodes of a cluster share most of their lines. A rule parses
 * the same from the same text in the same table, so a hit is copied with its new line number.
 * `rotate()` starts a generation; lines no parse met since the previous rotation are dropped.
 */
export class RuleCache {
  private current = new Map<string, Map<string, RuleSpec>>();
  private previous = new Map<string, Map<string, RuleSpec>>();
  hits = 0;
  misses = 0;

  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
    this.hits = 0;
    this.misses = 0;
  }

  /** Adds every rule of an already parsed dump (keyed by its text, as a parse would). */
  addAll(ruleset: Ruleset): void {
    for (const [name, table] of ruleset.tables) for (const chain of table.chains.values()) for (const rule of chain.rules) this.put(name, rule.text, rule);
  }

  get(table: string, line: string): RuleSpec | undefined {
    const now = this.current.get(table)?.get(line);
    if (now) return now;
    const before = this.previous.get(table)?.get(line);
    if (before) this.put(table, line, before);
    return before;
  }

  put(table: string, line: string, rule: RuleSpec): void {
    let t = this.current.get(table);
    if (!t) {
      t = new Map();
      this.current.set(table, t);
    }
    t.set(line, rule);
  }
}

/**
 * Parses a whole dump. `source` names it in error messages (a file path or "rules of node X");
 * `cache` lets repeated parses of similar dumps skip the lines they have seen.
 */
export function parseIptablesSave(text: string, source = '<rules>', cache?: RuleCache): Ruleset {
  const tables = new Map<string, TableSpec>();
  let table: TableSpec | null = null;
  let skipping = false;
  const lines = text.split('\n');
  const fail = (lineNo: number, msg: string, lineText: string): never => {
    throw new NetfilterParseError(`${source}:${lineNo}: ${msg}\n  ${lineText.trim()}`);
  };

  for (let idx = 0; idx < lines.length; idx++) {
    const lineNo = idx + 1;
    let raw = lines[idx]!;
    if (raw.length !== 0 && raw.charCodeAt(raw.length - 1) === 13) raw = raw.slice(0, -1);
    // trim() only when an end could be blank (ASCII blanks and controls, or any non-ASCII).
    const line = raw.length !== 0 && (isMaybeBlank(raw.charCodeAt(0)) || isMaybeBlank(raw.charCodeAt(raw.length - 1))) ? raw.trim() : raw;
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      if (table || skipping) fail(lineNo, `table '${line.slice(1)}' starts before the previous table's COMMIT`, raw);
      const name = line.slice(1).trim();
      if (EVALUATED_TABLES.has(name)) {
        table = tables.get(name) ?? { name, chains: new Map() };
        tables.set(name, table);
      } else {
        skipping = true;
      }
      continue;
    }
    if (line === 'COMMIT') {
      if (!table && !skipping) fail(lineNo, 'COMMIT outside a table', raw);
      table = null;
      skipping = false;
      continue;
    }
    if (skipping) continue;
    if (!table) fail(lineNo, "expected a table header such as '*nat' before this line", raw);
    const t = table!;
    if (line.charCodeAt(0) === 58) {
      const m = chainLine(line);
      if (!m) fail(lineNo, "malformed chain line, expected ':NAME POLICY [packets:bytes]'", raw);
      const policy = m![2]!;
      if (policy !== 'ACCEPT' && policy !== 'DROP' && policy !== '-') fail(lineNo, `unknown chain policy '${policy}'`, raw);
      if (!t.chains.has(m![1]!)) t.chains.set(m![1]!, { name: m![1]!, policy: policy as ChainSpec['policy'], rules: [] });
      continue;
    }
    const cached = cache?.get(t.name, line);
    if (cached) {
      cache!.hits++;
      const chain = t.chains.get(cached.chain);
      if (!chain) fail(lineNo, `chain '${cached.chain}' is not declared in table '${t.name}'`, raw);
      chain!.rules.push(relocated(cached, lineNo, line));
      continue;
    }
    let words: string[];
    try {
      words = tokenize(line);
    } catch (err) {
      return fail(lineNo, (err as Error).message, raw);
    }
    if (words[0] === '-A' || words[0] === '--append') {
      // iptables-save declares every chain of a table before its rules, so rules parse at once.
      const rule = parseRule(words, lineNo, line, t, (msg) => fail(lineNo, msg, raw));
      const chain = t.chains.get(rule.chain);
      if (!chain) fail(lineNo, `chain '${rule.chain}' is not declared in table '${t.name}'`, raw);
      chain!.rules.push(rule);
      if (cache) {
        cache.misses++;
        cache.put(t.name, line, rule);
      }
      continue;
    }
    if (words[0] === '-N' || words[0] === '--new-chain') {
      const name = words[1];
      if (!name) fail(lineNo, '-N needs a chain name', raw);
      if (!t.chains.has(name!)) t.chains.set(name!, { name: name!, policy: '-', rules: [] });
      continue;
    }
    fail(lineNo, `unexpected line (expected '*table', ':CHAIN', '-A CHAIN ...' or 'COMMIT')`, raw);
  }
  if (table) throw new NetfilterParseError(`${source}: table '${table.name}' has no COMMIT`);

  // Jump targets must exist: an unknown one is a dump we cannot walk.
  for (const t of tables.values()) {
    for (const chain of t.chains.values()) {
      for (const rule of chain.rules) {
        if (rule.target?.kind === 'chain' && !t.chains.has(rule.target.name)) {
          fail(rule.line, `unknown target or chain '${rule.target.name}' in table '${t.name}'`, rule.text);
        }
      }
    }
  }
  return { tables };
}

function isMaybeBlank(c: number): boolean {
  return c <= 32 || c >= 127;
}

/** `:NAME POLICY ...` as [line, name, policy] (the shape of a RegExp match); null when malformed. */
function chainLine(line: string): [string, string, string] | null {
  // Plain printable ASCII, spaces and tabs only; anything else takes the RegExp.
  const odd = (c: number): boolean => (c <= 32 && !isBlank(c)) || c >= 127;
  let i = 1;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (isBlank(c)) break;
    if (odd(c)) return chainLineSlow(line);
  }
  if (i === 1 || i >= line.length) return chainLineSlow(line);
  const name = line.slice(1, i);
  let j = i;
  while (j < line.length && isBlank(line.charCodeAt(j))) j++;
  let k = j;
  for (; k < line.length; k++) {
    const c = line.charCodeAt(k);
    if (isBlank(c)) break;
    if (odd(c)) return chainLineSlow(line);
  }
  if (k === j) return chainLineSlow(line);
  return [line, name, line.slice(j, k)];
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** The general form (other Unicode blanks), for lines the fast scan does not settle. */
function chainLineSlow(line: string): [string, string, string] | null {
  const m = /^:(\S+)\s+(\S+)/.exec(line);
  return m ? [m[0], m[1]!, m[2]!] : null;
}

/** A cached rule at its place in another dump. Every field written, in one order (one shape). */
function relocated(r: RuleSpec, line: number, text: string): RuleSpec {
  return {
    table: r.table,
    chain: r.chain,
    line,
    text,
    src: r.src,
    dst: r.dst,
    proto: r.proto,
    inIface: r.inIface,
    outIface: r.outIface,
    matches: r.matches,
    target: r.target,
    goto: r.goto,
  };
}

export function parseRule(words: string[], line: number, text: string, table: Pick<TableSpec, 'name'>, fail: (msg: string) => never): RuleSpec {
  const rule: RuleSpec = {
    table: table.name,
    chain: words[1] ?? '',
    line,
    text,
    src: undefined,
    dst: undefined,
    proto: undefined,
    inIface: undefined,
    outIface: undefined,
    matches: [],
    target: undefined,
    goto: false,
  };
  if (!rule.chain) fail('-A needs a chain name');
  let i = 2;
  let negate = false;
  let module: MatchSpec | null = null;
  let moduleName = '';
  const next = (opt: string): string => {
    const v = words[++i];
    if (v === undefined) fail(`option '${opt}' needs a value`);
    return v!;
  };
  const takeNeg = (): boolean => {
    const v = negate;
    negate = false;
    return v;
  };
  const cidr = (opt: string, v: string) => {
    if (v.includes(',')) fail(`'${opt} ${v}': address lists are not supported (iptables-save writes one rule per address)`);
    if (v.includes(':')) fail(`'${opt} ${v}': IPv6 addresses are not supported (give an IPv4 iptables-save dump)`);
    const c = parseCidr(v);
    if (!c) fail(`'${opt}' expects an IPv4 address or CIDR, got '${v}'`);
    return c!;
  };

  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '!') {
      negate = true;
      continue;
    }
    switch (w) {
      case '-s':
      case '--source':
      case '--src':
        rule.src = { value: cidr(w, next(w)), negate: takeNeg() };
        continue;
      case '-d':
      case '--destination':
      case '--dst':
        rule.dst = { value: cidr(w, next(w)), negate: takeNeg() };
        continue;
      case '-p':
      case '--protocol': {
        const v = next(w);
        const num = protoNumber(v);
        if (num === undefined) fail(`unknown protocol '${v}'`);
        rule.proto = { value: num!, negate: takeNeg() };
        continue;
      }
      case '-i':
      case '--in-interface':
        rule.inIface = { value: next(w), negate: takeNeg() };
        continue;
      case '-o':
      case '--out-interface':
        rule.outIface = { value: next(w), negate: takeNeg() };
        continue;
      case '-m':
      case '--match': {
        moduleName = next(w);
        module = newMatch(moduleName, fail);
        if (module) rule.matches.push(module);
        continue;
      }
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        if (rule.target) fail('a rule can have only one target');
        const name = next(w);
        rule.goto = w === '-g' || w === '--goto';
        i = parseTarget(rule, name, words, i, fail);
        continue;
      }
      case '-c':
      case '--set-counters':
        i += 2;
        continue;
      default:
        break;
    }
    if (!(module?.module === 'ports') && /^--(dport|sport|destination-port|source-port)$/.test(w) && rule.proto && [6, 17, 132].includes(rule.proto.value)) {
      // `-p tcp --dport N` without `-m tcp` loads the protocol's match implicitly.
      module = { module: 'ports' };
      moduleName = 'tcp';
      rule.matches.push(module);
    }
    if (!module) fail(`unknown option '${w}'`);
    i = parseMatchOption(module, moduleName, words, i, takeNeg, fail);
  }
  if (negate) fail("'!' is not followed by an option");
  return rule;
}

function newMatch(name: string, fail: (msg: string) => never): MatchSpec | null {
  switch (name) {
    case 'comment':
      return { module: 'comment', comment: '' };
    case 'tcp':
    case 'udp':
    case 'sctp':
    case 'multiport':
      return { module: 'ports' };
    case 'addrtype':
      return { module: 'addrtype' };
    case 'statistic':
      return { module: 'statistic', probability: NaN };
    case 'mark':
      return { module: 'mark', value: 0, mask: 0xffffffff, negate: false };
    case 'conntrack':
    case 'state':
      return { module: 'conntrack', states: 0, negate: false };
    case 'recent':
      return { module: 'recent', command: 'rcheck', negate: false, name: 'DEFAULT', reap: false, mask: 0xffffffff, rdest: false };
    case 'nfacct':
      return { module: 'nfacct', name: '' };
    default:
      return fail(`unknown match '-m ${name}' (supported: comment, tcp, udp, sctp, multiport, addrtype, statistic, mark, conntrack, state, recent, nfacct)`);
  }
}

function parsePorts(v: string, fail: (msg: string) => never): PortRange[] {
  return v.split(',').map((part) => {
    const m = /^(\d+)(?:[:-](\d+))?$/.exec(part);
    if (!m) fail(`bad port or port range '${part}'`);
    const from = Number(m![1]);
    const to = m![2] === undefined ? from : Number(m![2]);
    if (from > 65535 || to > 65535 || to < from) fail(`bad port range '${part}'`);
    return { from, to };
  });
}

function parseMatchOption(
  m: MatchSpec | null,
  moduleName: string,
  words: string[],
  i: number,
  takeNeg: () => boolean,
  fail: (msg: string) => never,
): number {
  const opt = words[i]!;
  const value = (): string => {
    const v = words[i + 1];
    if (v === undefined) fail(`option '${opt}' needs a value`);
    i++;
    return v!;
  };
  const unknown = (): never => fail(`unknown option '${opt}' for match '-m ${moduleName}'`);
  if (!m) return unknown();
  switch (m.module) {
    case 'comment': {
      if (opt !== '--comment') unknown();
      m.comment = value();
      // Lenient: hand-written dumps (kube-proxy's own test fixtures) leave multi-word comments
      // unquoted; take words up to the next option.
      while (i + 1 < words.length && !words[i + 1]!.startsWith('-') && words[i + 1] !== '!') m.comment += ' ' + words[++i]!;
      return i;
    }
    case 'ports': {
      const neg = takeNeg();
      if (opt === '--dport' || opt === '--destination-port' || opt === '--dports' || opt === '--destination-ports') {
        m.dport = { value: parsePorts(value(), fail), negate: neg };
      } else if (opt === '--sport' || opt === '--source-port' || opt === '--sports' || opt === '--source-ports') {
        m.sport = { value: parsePorts(value(), fail), negate: neg };
      } else if (opt === '--ports' && moduleName === 'multiport') {
        m.either = { value: parsePorts(value(), fail), negate: neg };
      } else unknown();
      return i;
    }
    case 'addrtype': {
      const neg = takeNeg();
      if (opt === '--src-type') m.srcType = { value: value().split(','), negate: neg };
      else if (opt === '--dst-type') m.dstType = { value: value().split(','), negate: neg };
      else if (opt === '--limit-iface-in' || opt === '--limit-iface-out') {
        // Restricts the LOCAL test to one interface; every local address here is on the node.
      } else unknown();
      return i;
    }
    case 'statistic':
      if (opt === '--mode') {
        const mode = value();
        if (mode !== 'random') fail(`statistic --mode ${mode} is not supported (only random)`);
      } else if (opt === '--probability') {
        const p = Number(value());
        if (!(p >= 0 && p <= 1)) fail(`--probability must be between 0 and 1`);
        m.probability = p;
      } else unknown();
      return i;
    case 'mark': {
      if (opt !== '--mark') unknown();
      m.negate = takeNeg();
      const [v, mask] = value().split('/');
      m.value = Number(v) >>> 0;
      m.mask = mask === undefined ? 0xffffffff : Number(mask) >>> 0;
      if (Number.isNaN(Number(v)) || Number.isNaN(m.mask)) fail(`bad mark '${words[i]}'`);
      return i;
    }
    case 'conntrack': {
      if (opt !== '--ctstate' && opt !== '--state') unknown();
      m.negate = takeNeg();
      for (const s of value().split(',')) {
        const bit = (CT as Record<string, number>)[s];
        if (bit === undefined) fail(`unknown conntrack state '${s}'`);
        m.states |= bit!;
      }
      return i;
    }
    case 'recent': {
      const neg = takeNeg();
      switch (opt) {
        case '--set':
        case '--rcheck':
        case '--update':
        case '--remove':
          m.command = opt.slice(2) as 'set' | 'rcheck' | 'update' | 'remove';
          m.negate = neg;
          return i;
        case '--name':
          m.name = value();
          return i;
        case '--seconds':
          m.seconds = Number(value());
          return i;
        case '--hitcount':
          m.hitcount = Number(value());
          return i;
        case '--reap':
          m.reap = true;
          return i;
        case '--rsource':
          m.rdest = false;
          return i;
        case '--rdest':
          m.rdest = true;
          return i;
        case '--rttl':
          return i;
        case '--mask': {
          const mask = parseIPv4(value());
          if (mask === undefined) fail(`bad --mask '${words[i]}'`);
          m.mask = mask!;
          return i;
        }
        default:
          return unknown();
      }
    }
    case 'nfacct':
      if (opt !== '--nfacct-name') unknown();
      m.name = value();
      return i;
  }
}

function parseTarget(rule: RuleSpec, name: string, words: string[], i: number, fail: (msg: string) => never): number {
  const opts: [string, string | undefined][] = [];
  // Target options run to the end of the line (iptables-save writes the target last).
  let j = i + 1;
  while (j < words.length) {
    const w = words[j]!;
    if (!w.startsWith('--')) fail(`unexpected '${w}' after target ${name}`);
    const v = words[j + 1];
    if (v !== undefined && !v.startsWith('--')) {
      opts.push([w, v]);
      j += 2;
    } else {
      opts.push([w, undefined]);
      j += 1;
    }
  }
  const need = (o: string, v: string | undefined): string => {
    if (v === undefined) fail(`target option '${o}' needs a value`);
    return v!;
  };
  const unknown = (o: string): never => fail(`unknown option '${o}' for target ${name}`);
  let target: TargetSpec;
  if (!BUILTIN_TARGETS.has(name)) {
    if (isKnownExtensionTarget(name)) fail(`unsupported target '${name}' (supported: ACCEPT, DROP, REJECT, RETURN, DNAT, SNAT, MASQUERADE, MARK, LOG, and jumps to chains)`);
    if (opts.length) fail(`chain jump '${name}' takes no options`);
    target = { kind: 'chain', name };
  } else {
    switch (name) {
      case 'ACCEPT':
      case 'DROP':
      case 'RETURN':
        if (opts.length) unknown(opts[0]![0]);
        target = { kind: name };
        break;
      case 'REJECT': {
        let rejectWith = 'icmp-port-unreachable';
        for (const [o, v] of opts) {
          if (o === '--reject-with') rejectWith = need(o, v);
          else unknown(o);
        }
        target = { kind: 'REJECT', rejectWith };
        break;
      }
      case 'DNAT':
      case 'SNAT': {
        let to: string | undefined;
        for (const [o, v] of opts) {
          if ((name === 'DNAT' && o === '--to-destination') || (name === 'SNAT' && o === '--to-source')) to = need(o, v);
          else if (o === '--random' || o === '--random-fully' || o === '--persistent') continue;
          else unknown(o);
        }
        if (!to) fail(`${name} needs ${name === 'DNAT' ? '--to-destination' : '--to-source'}`);
        const m = /^(\d+\.\d+\.\d+\.\d+)(?:-\d+\.\d+\.\d+\.\d+)?(?::(\d+)(?:-\d+)?)?$/.exec(to!);
        const addr = m ? parseIPv4(m[1]!) : undefined;
        if (!m || addr === undefined) fail(`${name} target '${to}' is not an IPv4 address[:port]`);
        target = { kind: name, addr: addr!, port: m![2] === undefined ? undefined : Number(m![2]), text: to! };
        break;
      }
      case 'MASQUERADE': {
        let randomFully = false;
        for (const [o] of opts) {
          if (o === '--random-fully') randomFully = true;
          else if (o === '--random' || o === '--to-ports') continue;
          else unknown(o);
        }
        target = { kind: 'MASQUERADE', randomFully };
        break;
      }
      case 'MARK': {
        if (opts.length !== 1) fail('MARK needs exactly one of --set-xmark, --set-mark, --or-mark, --xor-mark, --and-mark');
        const [o, v] = opts[0]!;
        const [a, b] = need(o, v).split('/');
        const val = Number(a) >>> 0;
        const mask = b === undefined ? 0xffffffff : Number(b) >>> 0;
        if (Number.isNaN(Number(a)) || Number.isNaN(Number(b ?? 0))) fail(`bad mark value '${v}'`);
        switch (o) {
          case '--set-xmark':
            target = { kind: 'MARK', value: val, mask };
            break;
          case '--set-mark':
            // (mark & ~mask) | value == (mark & ~(mask|value)) ^ value
            target = { kind: 'MARK', value: val, mask: (mask | val) >>> 0 };
            break;
          case '--or-mark':
            target = { kind: 'MARK', value: val, mask: val };
            break;
          case '--xor-mark':
            target = { kind: 'MARK', value: val, mask: 0 };
            break;
          case '--and-mark':
            target = { kind: 'MARK', value: 0, mask: ~val >>> 0 };
            break;
          default:
            return unknown(o);
        }
        break;
      }
      case 'LOG':
        target = { kind: 'LOG' };
        break;
      default:
        return fail(`unsupported target '${name}'`);
    }
  }
  rule.target = target;
  return words.length;
}

/** Extension targets we know of but do not evaluate; naming them beats treating them as chains. */
function isKnownExtensionTarget(name: string): boolean {
  return ['CT', 'NOTRACK', 'TPROXY', 'REDIRECT', 'NFQUEUE', 'TCPMSS', 'CONNMARK', 'TRACE', 'AUDIT', 'NFLOG', 'CHECKSUM', 'TEE', 'SET', 'CLASSIFY', 'DSCP', 'TOS', 'TTL', 'NETMAP', 'SECMARK', 'CONNSECMARK', 'ULOG'].includes(name);
}
