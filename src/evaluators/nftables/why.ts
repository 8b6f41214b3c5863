/**
 * The one-line reason for a verdict traced over an `nft list ruleset` dump, in kube-proxy's words
 * where it left some: the comment of the rule that decided, else the Service its chain is named
 * after (`service-ULMVA6XW-ns1/svc1/tcp/p80` -> `ns1/svc1:p80`), else the rule's line.
 * The iptables counterpart is ../iptables/why.ts; both feed ../trace-dump.ts.
 */
import type { RuleHop } from '../hook-rules.js';
import type { NftRuleset } from './ast.js';

export type WhyVerdict = 'ok' | 'drop' | 'reject' | 'local' | 'none';

/** kube-proxy's per-Service chain names: `<kind>-<hash>-<ns>/<name>/<proto>/<port>[__<endpoint>]`. */
const SERVICE_CHAIN = /^(?:service|external|firewall|endpoint)-[A-Z0-9]+-([^/]+)\/([^/]+)\/[^/]+\/([^_/]+)/;

export function serviceOfChain(chain: string): string | undefined {
  const m = SERVICE_CHAIN.exec(chain);
  return m ? `${m[1]}/${m[2]}:${m[3]}` : undefined;
}

const namesService = (c: string): boolean => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[a-z0-9]/.test(c);

export function nftExplainer(ruleset: NftRuleset): (verdict: WhyVerdict, path: RuleHop[], hook?: string) => string {
  const rules = new Map<string, { line: number; comment?: string }>();
  for (const t of ruleset.tables) {
    const label = `${t.family} ${t.name}`;
    for (const c of t.chains.values()) for (const r of c.rules) rules.set(`${label}\0${c.name}\0${r.text}`, { line: r.line, comment: r.comment });
  }
  const ruleOf = (h: RuleHop) => (h.rule === undefined ? undefined : rules.get(`${h.table}\0${h.chain}\0${h.rule}`));
  const serviceName = (h: RuleHop): string | undefined => {
    const c = ruleOf(h)?.comment;
    return c !== undefined && namesService(c) ? c : serviceOfChain(h.chain);
  };
  const label = (h: RuleHop): string => {
    const r = ruleOf(h);
    if (r?.comment) return r.comment;
    const svc = serviceOfChain(h.chain);
    if (svc) return svc;
    return r ? `${h.table} ${h.chain} rule at line ${r.line}` : `${h.table} ${h.chain}`;
  };
  return (verdict, path, hook) => {
    const last = (pred: (h: RuleHop) => boolean): number => {
      for (let i = path.length - 1; i >= 0; i--) if (pred(path[i]!)) return i;
      return -1;
    };
    if (verdict === 'ok') {
      const i = last((h) => h.note.startsWith('dnat '));
      if (i < 0) return 'DNATed';
      const hop = path[i]!;
      const to = hop.note.replace(/^dnat \S+ -> /, '');
      const named = [hop, ...path.slice(0, i).reverse()].find((h) => serviceName(h) !== undefined);
      return `${named ? (serviceName(named) ?? label(named)) : label(hop)} -> DNAT to ${to}`;
    }
    if (verdict === 'drop' || verdict === 'reject') {
      const i = last((h) => h.note === 'drop' || h.note.startsWith('reject') || h.note.startsWith('drop (vmap ') || h.note === 'policy drop');
      if (i < 0) return hook ? `no rule accepted it -> ${hook} policy drop` : verdict === 'drop' ? 'dropped' : 'rejected';
      const hop = path[i]!;
      if (hop.note === 'policy drop') return `no rule accepted it -> ${hop.table} ${hop.chain} policy drop`;
      // The verdict map lookup that led here (kube-proxy's no-endpoint and firewall maps).
      const ownVmap = /\((vmap [^)]*)\)/.exec(hop.note)?.[1];
      const via = ownVmap ?? path.slice(0, i).reverse().map((h) => /\((vmap [^)]*)\)/.exec(h.note)?.[1]).find((v) => v !== undefined);
      const action = `${hop.note.startsWith('reject') ? 'REJECT' : 'DROP'}${via ? ` (${ownVmap ? '' : 'via '}${via})` : ''}`;
      const own = ruleOf(hop)?.comment;
      if (own) return `${own} -> ${action}`;
      const named = [hop, ...path.slice(0, i).reverse()].find((h) => serviceName(h) !== undefined);
      return `${named ? (serviceName(named) ?? label(named)) : label(hop)} -> ${action}`;
    }
    if (verdict === 'local') return "no rule DNATed it; the destination is one of the node's own addresses -> delivered locally";
    return 'no rule matched it (not a Service address or port in these rules) -> routed on unchanged';
  };
}
