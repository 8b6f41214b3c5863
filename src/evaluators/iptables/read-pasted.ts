/**
 * Reads iptables rules as people paste them into issues and chats: full `iptables-save` output,
 * fragments of it (`iptables-save | grep SVC`: no table header, chains used but not declared, no
 * COMMIT) and `iptables -S` / `iptables -t nat -S` output (-P, -N, -A lines). What had to be
 * assumed comes back as warnings. Decisions (documented in docs/trace-input.md):
 *   - a rule without a known table takes it from its target or chain (table-inference.ts);
 *   - a rule with a match, option or target svclab does not evaluate is left out (it is treated
 *     as not matching) and named in a warning;
 *   - a jump to a chain the paste does not contain: kube-proxy's standard chains are filled in
 *     (kube-hooks.ts), any other becomes an empty chain (the packet returns from it), with a warning;
 *   - a line that is no rule, chain, policy or table line is a located error (exit 3).
 */
import { ExitCode, SvclabError } from '../../errors.js';
import type { ChainSpec, RuleSpec, Ruleset, TableSpec } from './ast.js';
import { assumeKubeProxyStandard } from './kube-hooks.js';
import { parseRule, tokenize } from './parse.js';
import { tableOfChain, tableOfPolicies, tableOfTarget, targetWord, type TableName } from './table-inference.js';

/** Input that is not a rule dump at all. The message names file:line:col and what was expected. */
export class DumpInputError extends SvclabError {
  constructor(message: string) {
    super(message, ExitCode.invalidScenario);
  }
}

export type PastedFormat = 'iptables-save' | 'iptables-save fragment' | 'iptables -S';

export interface PastedRules {
  ruleset: Ruleset;
  format: PastedFormat;
  /** What was assumed or left out, one line each ("line 7: ..." when it concerns one line). */
  warnings: string[];
}

const BUILTINS: Record<TableName, string[]> = { nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], filter: ['INPUT', 'FORWARD', 'OUTPUT'] };
const EXPECTED = "expected an iptables-save or 'iptables -S' line ('*table', ':CHAIN POLICY', '-P CHAIN POLICY', '-N CHAIN', '-A CHAIN ...' or 'COMMIT')";
/** A shell prompt line with the command that made the paste (`$ sudo iptables-save | grep x`). */
const PROMPT = /(^|[\s$#>])(sudo\s+)?(iptables|ip6tables)(-save|-legacy|-nft|-legacy-save|-nft-save)?(\s|:|$)/;

interface PolicyBlock {
  chains: Map<string, ChainSpec['policy']>;
  table: string | undefined;
}

interface Pending {
  line: number;
  col: number;
  text: string;
  words: string[];
  table?: TableName;
}

/** True when the text looks like iptables rules (for detection beside other formats). */
export function looksLikeIptables(text: string): boolean {
  return /^\s*(\[\d+:\d+\]\s*)?(-A|-N|-P)\s+\S+/m.test(text) || /^\s*\*(nat|filter|mangle|raw)\s*$/m.test(text);
}

export function readPastedIptables(text: string, source: string): PastedRules {
  const warnings: string[] = [];
  const errors: string[] = [];
  const pending: Pending[] = [];
  const declared: { name: string; policy: ChainSpec['policy']; table?: TableName }[] = [];
  const skipped = new Map<string, number>();
  let header: string | undefined; // table of the current `*table` section
  let sawHeader = false;
  let sawS = false;
  // `iptables -S` output: a run of -P lines opens a table, told by which builtins it lists.
  const blocks: PolicyBlock[] = [];
  let lastWasPolicy = false;
  const lines = text.split('\n');

  for (let idx = 0; idx < lines.length; idx++) {
    const lineNo = idx + 1;
    let raw = lines[idx]!;
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    const lead = raw.length - raw.trimStart().length;
    let line = raw.trim();
    let col = lead + 1;
    // `iptables-save -c` counters before a rule.
    const counters = /^\[\d+:\d+\]\s+/.exec(line);
    if (counters) {
      line = line.slice(counters[0].length);
      col += counters[0].length;
    }
    if (line === '' || line.startsWith('#')) continue;
    const where = `${source}:${lineNo}:${col}`;
    if (line.startsWith('*')) {
      const name = line.slice(1).trim();
      if (!/^[a-z]+$/.test(name)) {
        errors.push(`${where}: expected a table name after '*', found '${line}'`);
        continue;
      }
      if (header !== undefined) warnings.push(`line ${lineNo}: table '${name}' starts before '${header}' was committed (truncated paste?)`);
      header = name;
      sawHeader = true;
      continue;
    }
    if (line === 'COMMIT') {
      header = undefined;
      continue;
    }
    const table = header ?? blocks[blocks.length - 1]?.table;
    const skippedTable = table !== undefined && table !== 'nat' && table !== 'filter';
    if (line.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)/.exec(line);
      if (!m || !['ACCEPT', 'DROP', '-'].includes(m[2]!)) {
        errors.push(`${where}: expected ':CHAIN POLICY [packets:bytes]' with policy ACCEPT, DROP or -, found '${line}'`);
        continue;
      }
      if (!skippedTable) declared.push({ name: m[1]!, policy: m[2] as ChainSpec['policy'], table: table as TableName | undefined });
      continue;
    }
    let words: string[];
    try {
      words = tokenize(line);
    } catch (err) {
      errors.push(`${where}: ${(err as Error).message}`);
      continue;
    }
    const verb = words[0]!;
    if (verb === '-P' || verb === '--policy') {
      sawS = true;
      // A run of -P lines opens a table (several `iptables -t X -S` outputs pasted in a row).
      if (!lastWasPolicy && header === undefined) blocks.push({ chains: new Map(), table: undefined });
      lastWasPolicy = true;
      if (!words[1] || !['ACCEPT', 'DROP'].includes(words[2] ?? '')) {
        errors.push(`${where}: expected '-P CHAIN ACCEPT|DROP', found '${line}'`);
        continue;
      }
      if (header !== undefined) {
        if (header === 'nat' || header === 'filter') declared.push({ name: words[1], policy: words[2] as ChainSpec['policy'], table: header });
        continue;
      }
      const b = blocks[blocks.length - 1]!;
      b.chains.set(words[1], words[2] as ChainSpec['policy']);
      b.table = tableOfPolicies(new Set(b.chains.keys()));
      continue;
    }
    lastWasPolicy = false;
    if (verb === '-N' || verb === '--new-chain') {
      sawS = true;
      if (!words[1]) {
        errors.push(`${where}: expected a chain name after -N`);
        continue;
      }
      if (!skippedTable) declared.push({ name: words[1], policy: '-', table: table as TableName | undefined });
      continue;
    }
    if (verb === '-A' || verb === '--append') {
      if (!words[1]) {
        errors.push(`${where}: expected a chain name after -A`);
        continue;
      }
      if (skippedTable) {
        skipped.set(table!, (skipped.get(table!) ?? 0) + 1);
        continue;
      }
      pending.push({ line: lineNo, col, text: line, words, table: table as TableName | undefined });
      continue;
    }
    if (verb === '-X' || verb === '-F' || verb === '-Z' || verb === '-D' || verb === '-I') {
      warnings.push(`line ${lineNo}: '${verb}' is a change, not a rule listing: left out`);
      continue;
    }
    if (PROMPT.test(line) && !line.startsWith('-')) {
      warnings.push(`line ${lineNo}: shell command line left out: ${line}`);
      continue;
    }
    if (/^Chain \S+ \((policy|\d+ references)/.test(line)) {
      errors.push(`${where}: this is 'iptables -L' output, which drops the details a trace needs; ${EXPECTED}. Paste 'iptables-save' (or 'iptables -t nat -S') instead`);
      break;
    }
    errors.push(`${where}: ${EXPECTED}, found '${line.length > 60 ? line.slice(0, 57) + '...' : line}'`);
  }
  for (const b of blocks) {
    if (b.table === 'nat' || b.table === 'filter') for (const [name, policy] of b.chains) declared.push({ name, policy, table: b.table });
    else if (b.table === undefined) warnings.push(`policies for ${[...b.chains.keys()].join(', ')} do not tell a table: left out`);
  }
  if (header !== undefined) warnings.push(`table '${header}' has no COMMIT (truncated paste?): read to the end`);
  if (errors.length) throw new DumpInputError(summarize(errors));
  if (!pending.length && !declared.length) throw new DumpInputError(`${source}:1:1: ${EXPECTED}; found no rules`);
  for (const [t, n] of skipped) warnings.push(`table '${t}' (${n} rule${n === 1 ? '' : 's'}) left out: only nat and filter are evaluated`);

  const format: PastedFormat = sawHeader ? 'iptables-save' : sawS ? 'iptables -S' : 'iptables-save fragment';
  inferTables(pending, warnings);
  const ruleset = build(pending, declared, warnings, sawHeader);
  return { ruleset, format, warnings };
}

function summarize(errors: string[]): string {
  const shown = errors.slice(0, 5);
  if (errors.length > shown.length) shown.push(`(${errors.length - shown.length} more)`);
  return shown.join('\n');
}

/** Gives every rule a table: from its section, else its target, chain, or the chain's other rules. */
function inferTables(pending: Pending[], warnings: string[]): void {
  const votes = new Map<string, TableName>();
  let inferred = 0;
  for (const p of pending) {
    if (p.table) continue;
    const t = tableOfTarget(targetWord(p.words)) ?? tableOfChain(p.words[1]!);
    if (t) {
      p.table = t;
      inferred++;
      if (!votes.has(p.words[1]!)) votes.set(p.words[1]!, t);
    }
  }
  for (const p of pending) {
    if (p.table) continue;
    const t = votes.get(p.words[1]!);
    p.table = t ?? 'nat';
    inferred++;
    if (!t) warnings.push(`line ${p.line}: nothing tells this rule's table; assumed nat`);
  }
  if (inferred) warnings.push(`no table header: took the table of ${inferred} rule${inferred === 1 ? '' : 's'} from their targets and chains (DNAT, KUBE-SVC-, KUBE-SEP-, KUBE-MARK-* are nat; REJECT, KUBE-FORWARD, KUBE-EXTERNAL-SERVICES are filter)`);
}

function build(pending: Pending[], declared: { name: string; policy: ChainSpec['policy']; table?: TableName }[], warnings: string[], strict: boolean): Ruleset {
  const tables = new Map<string, TableSpec>();
  for (const name of ['filter', 'nat'] as TableName[]) {
    const chains = new Map<string, ChainSpec>();
    for (const b of BUILTINS[name]) chains.set(b, { name: b, policy: 'ACCEPT', rules: [] });
    tables.set(name, { name, chains });
  }
  const chainIn = (table: string, name: string): ChainSpec => {
    const chains = tables.get(table)!.chains;
    let c = chains.get(name);
    if (!c) {
      c = { name, policy: '-', rules: [] };
      chains.set(name, c);
    }
    return c;
  };
  for (const d of declared) {
    const t = d.table ?? tableOfChain(d.name) ?? (pending.find((p) => p.words[1] === d.name || targetWord(p.words) === d.name)?.table) ?? 'nat';
    chainIn(t, d.name).policy = d.policy;
  }
  const undeclared = new Set<string>();
  for (const p of pending) {
    let rule: RuleSpec;
    try {
      rule = parseRule(p.words, p.line, p.text, { name: p.table! }, (msg) => {
        throw new RuleProblem(msg);
      });
    } catch (err) {
      if (!(err instanceof RuleProblem)) throw err;
      warnings.push(`line ${p.line}:${columnOf(p, err.message)}: ${err.message}: rule left out (treated as not matching)`);
      continue;
    }
    const chains = tables.get(p.table!)!.chains;
    if (!chains.has(rule.chain)) undeclared.add(rule.chain);
    chainIn(p.table!, rule.chain).rules.push(rule);
  }
  if (strict && undeclared.size) warnings.push(`chain${undeclared.size === 1 ? '' : 's'} used without a declaration: ${[...undeclared].join(', ')}`);
  const ruleset: Ruleset = { tables };

  warnings.push(
    ...assumeKubeProxyStandard(ruleset, (table, text) => {
      const words = tokenize(text);
      const rule = parseRule(words, 0, text, { name: table }, (msg) => {
        throw new Error(`kube-hooks: ${msg}`);
      });
      chainIn(table, rule.chain).rules.push(rule);
    }),
  );

  // Per-Service chains declared but empty: a grep matched their declaration, not their rules.
  const perService = /^KUBE-(SVC|SVL|SEP|EXT|FW|XLB)-/;
  for (const t of tables.values()) {
    const used = new Set<string>();
    for (const c of t.chains.values()) for (const r of c.rules) if (r.target?.kind === 'chain') used.add(r.target.name);
    const empty = [...t.chains.values()].filter((c) => perService.test(c.name) && c.rules.length === 0 && used.has(c.name)).map((c) => c.name);
    if (empty.length) warnings.push(`${empty.length === 1 ? 'chain' : 'chains'} ${empty.join(', ')} ${empty.length === 1 ? 'is' : 'are'} jumped to but ${empty.length === 1 ? 'has' : 'have'} no rules in the dump (cut by grep?): treated as empty`);
  }
  // Jumps to chains the paste does not have: empty chains, named.
  for (const [tname, t] of tables) {
    for (const c of [...t.chains.values()]) {
      for (const r of c.rules) {
        if (r.target?.kind !== 'chain' || t.chains.has(r.target.name)) continue;
        chainIn(tname, r.target.name);
        warnings.push(`line ${r.line}: jumps to ${r.target.name}, which has no rules in the dump: treated as empty (the packet returns from it)`);
      }
    }
  }
  return ruleset;
}

class RuleProblem extends Error {}

/** Column of the word a parse message quotes ('-m set', '--foo'), else of the rule. */
function columnOf(p: Pending, message: string): number {
  for (const m of message.matchAll(/'([^']+)'/g)) {
    const at = p.text.indexOf(m[1]!);
    if (at >= 0) return p.col + at;
  }
  return p.col;
}
