/**
 * `svclab trace --rules`: one node's rules dump (an `iptables-save` or an `nft list ruleset`
 * text, told apart by ./dump-format.ts), one packet, every random branch. The node is described
 * only by its addresses: a packet from one of them is generated on the node (OUTPUT), anything
 * else arrives from the network (PREROUTING). Results:
 *   ok     the packet was DNATed (endpoints lists where to, with exact probabilities)
 *   drop / reject   a filter rule (or a drop policy) ended it
 *   local  not DNATed and addressed to the node itself
 *   none   nothing intercepted it; it is routed on unchanged
 * Every branch, and the result, carries a one-line why (./iptables/why.ts, ./nftables/why.ts).
 */
import { exploreBranches } from './iptables/explore.js';
import { NetfilterHost } from './host.js';
import type { HookRules, RuleHop } from './hook-rules.js';
import type { IptablesHookRules } from './iptables/hook-rules.js';
import { iptablesExplainer } from './iptables/why.js';
import type { NftHookRules } from './nftables/compile.js';
import { nftExplainer } from './nftables/why.js';
import { formatIPv4, parseIPv4 } from './iptables/ip.js';
import { CT, protoNumber } from './iptables/packet.js';

export type RulesVerdict = 'ok' | 'drop' | 'reject' | 'local' | 'none';

export interface RulesTraceBranch {
  verdict: RulesVerdict;
  endpoint?: string;
  masquerade: boolean;
  probability: number;
  /** One line: the comment of the rule that decided, and what it did. */
  why: string;
  path: RuleHop[];
}

export interface RulesTraceResult {
  verdict: RulesVerdict;
  endpoints: { endpoint: string; probability: number }[];
  /** Source NAT on any branch that got through. */
  masquerade: boolean;
  branches: RulesTraceBranch[];
  /** The why of the most likely branch. */
  why: string;
}

/** The one-line why of a branch; `hook` is where a drop or reject was decided. */
export type Explain = (verdict: RulesVerdict, path: RuleHop[], hook?: string) => string;

/** The explainer for the walker's own dialect (rule comments, notes, chain names). */
export function defaultExplainer(rules: HookRules): Explain {
  return rules.mode === 'iptables' ? iptablesExplainer((rules as IptablesHookRules).compiled.ruleset) : nftExplainer((rules as NftHookRules).ruleset);
}

export interface RulesTraceInput {
  nodeIPs: string[];
  from: string;
  to: string;
  port: number;
  protocol?: string;
  /** Source port of the packet (default 40000). */
  sport?: number;
}

export function traceHookRules(rules: HookRules, input: RulesTraceInput, explain: Explain = defaultExplainer(rules)): RulesTraceResult {
  const local = new Set<number>();
  for (const ip of input.nodeIPs) {
    const a = parseIPv4(ip);
    if (a === undefined) throw new Error(`node IP '${ip}' is not an IPv4 address`);
    local.add(a);
  }
  const primary = parseIPv4(input.nodeIPs[0] ?? '') ?? 0;
  const src = parseIPv4(input.from);
  const dst = parseIPv4(input.to);
  if (src === undefined) throw new Error(`--from '${input.from}' is not an IPv4 address`);
  if (dst === undefined) throw new Error(`--to '${input.to}' is not an IPv4 address`);
  const proto = protoNumber(input.protocol ?? 'tcp');
  if (proto === undefined) throw new Error(`unknown protocol '${input.protocol}'`);
  const isLocal = (a: number) => a >>> 24 === 127 || local.has(a);
  const host = new NetfilterHost({
    name: 'node',
    rules,
    isLocal,
    route: (d) => (isLocal(d) ? { kind: 'local' } : { kind: 'out', iface: 'eth0' }),
    ifaceAddress: (iface) => (iface === 'lo' ? 0x7f000001 : primary),
  });
  const generated = isLocal(src);
  const branches = exploreBranches((chance) => {
    const path: RuleHop[] = [];
    const res = host.process(
      { src, dst, proto, sport: input.sport ?? 40000, dport: input.port, mark: 0, inIface: '', outIface: '', ctstate: 0 },
      generated ? null : 'eth0',
      { chance, now: 0, mutate: false, trace: (h) => path.push({ table: h.table, chain: h.chain, rule: h.rule, note: h.note }) },
    );
    const p = res.packet;
    const masquerade = (p.ctstate & CT.SNAT) !== 0;
    if (res.kind === 'drop' || res.kind === 'reject') return { verdict: res.kind, masquerade, path, hook: res.hook };
    if (p.ctstate & CT.DNAT) return { verdict: 'ok' as const, endpoint: `${formatIPv4(p.dst)}:${p.dport}`, masquerade, path };
    return { verdict: res.kind === 'local' ? ('local' as const) : ('none' as const), masquerade, path };
  });
  const out: RulesTraceBranch[] = branches.map(({ result: { hook, ...r }, probability }) => ({ ...r, probability, why: explain(r.verdict, r.path, hook) }));
  return summarize(out);
}

function summarize(branches: RulesTraceBranch[]): RulesTraceResult {
  const byEndpoint = new Map<string, number>();
  for (const b of branches) if (b.endpoint) byEndpoint.set(b.endpoint, (byEndpoint.get(b.endpoint) ?? 0) + b.probability);
  const endpoints = [...byEndpoint].map(([endpoint, probability]) => ({ endpoint, probability })).sort((a, b) => (a.endpoint < b.endpoint ? -1 : 1));
  let verdict: RulesVerdict;
  if (endpoints.length) verdict = 'ok';
  else {
    // No endpoint on any branch: the most likely verdict (they agree unless rules are odd).
    const mass = new Map<RulesVerdict, number>();
    for (const b of branches) mass.set(b.verdict, (mass.get(b.verdict) ?? 0) + b.probability);
    verdict = [...mass].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none';
  }
  const top = [...branches].sort((a, b) => b.probability - a.probability)[0];
  const why = verdict === 'ok' && endpoints.length > 1 ? `${(top?.why ?? '').replace(/ -> DNAT to .*$/, '')} -> DNAT to one of ${endpoints.length} endpoints, chosen at random` : (top?.why ?? '');
  return { verdict, why, endpoints, masquerade: branches.some((b) => b.endpoint !== undefined && b.masquerade) || (!endpoints.length && branches.some((b) => b.masquerade)), branches };
}
