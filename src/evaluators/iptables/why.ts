/**
 * The one-line reason for a traced verdict, in kube-proxy's own words where it left some: the
 * comment of the rule that decided ("default/nginx-ext: has no local endpoints -> DROP").
 */
import type { RuleHop } from './evaluate.js';
import type { Ruleset } from './ast.js';
import { tokenize } from './parse.js';

/** The `--comment` text of a rule line, or undefined. */
export function commentOf(rule: string | undefined): string | undefined {
  if (rule === undefined) return undefined;
  let words: string[];
  try {
    words = tokenize(rule);
  } catch {
    return undefined;
  }
  const at = words.indexOf('--comment');
  if (at < 0 || at + 1 >= words.length) return undefined;
  const out = [words[at + 1]!];
  // Unquoted multi-word comments (older kube-proxy logs) run to the next option.
  for (let i = at + 2; i < words.length && !words[i]!.startsWith('-') && words[i] !== '!'; i++) out.push(words[i]!);
  return out.join(' ');
}

/** A comment that names a Service ("ns/name:port ...") rather than a generic kube-proxy chain. */
const namesService = (c: string): boolean => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[a-z0-9]/.test(c);

function label(hop: RuleHop, lineOf: (text: string) => number | undefined): string {
  const c = commentOf(hop.rule);
  if (c) return c;
  const line = hop.rule === undefined ? undefined : lineOf(hop.rule);
  return line ? `${hop.chain} rule at line ${line}` : line === 0 ? `${hop.chain} (assumed kube-proxy rule)` : hop.chain;
}

export type WhyVerdict = 'ok' | 'drop' | 'reject' | 'local' | 'none';

/**
 * One line for a branch. `lineOf` maps a rule's text to its line in the dump (0 for rules svclab
 * assumed). The deciding hop: the DNAT for ok, the DROP/REJECT (or the chain policy) for drop and
 * reject; when that rule's comment is generic (KUBE-FIREWALL's), the latest Service-named hop
 * before it says why the packet was sent there.
 */
export interface WhyContext {
  /** A rule's line in the dump by its text (0 for rules svclab assumed). */
  lineOf: (text: string) => number | undefined;
  /** User chains without rules (a grep that missed them): a jump there explains a miss. */
  emptyChains: Set<string>;
  /** Where a drop or reject happened ('filter FORWARD'), for drops by a chain's policy. */
  hook?: string;
}

export function whyLine(verdict: WhyVerdict, path: RuleHop[], ctx: WhyContext): string {
  const lineOf = ctx.lineOf;
  const last = (pred: (h: RuleHop) => boolean): number => {
    for (let i = path.length - 1; i >= 0; i--) if (pred(path[i]!)) return i;
    return -1;
  };
  if (verdict === 'ok') {
    const i = last((h) => h.note.startsWith('DNAT'));
    if (i < 0) return 'DNATed';
    const hop = path[i]!;
    const to = hop.note.replace(/^DNAT \S+ -> /, '');
    const named = namesService(commentOf(hop.rule) ?? '') ? hop : path.slice(0, i).reverse().find((h) => namesService(commentOf(h.rule) ?? ''));
    return `${label(named ?? hop, lineOf)} -> DNAT to ${to}`;
  }
  if (verdict === 'drop' || verdict === 'reject') {
    const i = last((h) => h.note === 'verdict DROP' || h.note === 'verdict REJECT' || h.note === 'policy DROP');
    if (i < 0) return ctx.hook ? `no rule accepted it -> ${ctx.hook} policy DROP` : verdict === 'drop' ? 'dropped' : 'rejected';
    const hop = path[i]!;
    const action = hop.note.startsWith('policy') ? `${hop.table} ${hop.chain} policy DROP` : hop.note.replace('verdict ', '');
    if (hop.note.startsWith('policy')) return `no rule accepted it -> ${action}`;
    const own = commentOf(hop.rule);
    if (own && namesService(own)) return `${own} -> ${action}`;
    const named = path.slice(0, i).reverse().find((h) => namesService(commentOf(h.rule) ?? ''));
    return `${named ? label(named, lineOf) : label(hop, lineOf)} -> ${action}`;
  }
  const intoEmpty = path.find((h) => h.note.startsWith('jump to ') && ctx.emptyChains.has(h.note.slice(8)));
  if (intoEmpty) {
    return `${label(intoEmpty, lineOf)} -> jump to ${intoEmpty.note.slice(8)}, which has no rules in the dump (the walk returned from it; paste its rules to follow it)`;
  }
  if (verdict === 'local') return 'no rule DNATed it; the destination is one of the node\'s own addresses -> delivered locally';
  return 'no rule matched it (not a Service address or port in these rules) -> routed on unchanged';
}

/** The why of a trace over this ruleset: rule lines and rule-less chains looked up once. */
export function iptablesExplainer(ruleset: Ruleset): (verdict: WhyVerdict, path: RuleHop[], hook?: string) => string {
  const lines = new Map<string, number>();
  for (const t of ruleset.tables.values()) for (const c of t.chains.values()) for (const r of c.rules) if (!lines.has(r.text)) lines.set(r.text, r.line);
  const lineOf = (text: string) => lines.get(text);
  const emptyChains = new Set<string>();
  for (const t of ruleset.tables.values()) for (const c of t.chains.values()) if (c.policy === '-' && c.rules.length === 0) emptyChains.add(c.name);
  return (verdict, path, hook) => whyLine(verdict, path, { lineOf, emptyChains, hook });
}
