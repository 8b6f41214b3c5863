/**
 * kube-proxy's standard chains and hook rules, added to a pasted ruleset that lacks them (a
 * `grep` for one Service keeps its own chains but not PREROUTING -> KUBE-SERVICES or
 * KUBE-MARK-MASQ). Every addition is reported as an assumption; nothing is added when the paste
 * has the chain's own rules or a jump to it.
 */
import type { Ruleset } from './ast.js';

/** Adds one rule (`-A CHAIN ...`, kube-proxy's text) to a table, creating the chain if needed. */
export type AddRule = (table: 'nat' | 'filter', text: string) => void;

const MASQ_MARK = '0x4000';
const DROP_MARK = '0x8000';

function jumpsTo(ruleset: Ruleset, table: string, from: string, to: string): boolean {
  const chain = ruleset.tables.get(table)?.chains.get(from);
  return chain !== undefined && chain.rules.some((r) => r.target?.kind === 'chain' && r.target.name === to);
}

function referenced(ruleset: Ruleset, table: string, name: string): boolean {
  const t = ruleset.tables.get(table);
  if (!t) return false;
  for (const c of t.chains.values()) if (c.rules.some((r) => r.target?.kind === 'chain' && r.target.name === name)) return true;
  return false;
}

function hasRules(ruleset: Ruleset, table: string, name: string): boolean {
  return (ruleset.tables.get(table)?.chains.get(name)?.rules.length ?? 0) > 0;
}

function exists(ruleset: Ruleset, table: string, name: string): boolean {
  return ruleset.tables.get(table)?.chains.has(name) ?? false;
}

/** Fills in what kube-proxy always writes and the paste left out; returns one warning per assumption. */
export function assumeKubeProxyStandard(ruleset: Ruleset, add: AddRule): string[] {
  const warnings: string[] = [];
  const natHasRules = [...(ruleset.tables.get('nat')?.chains.values() ?? [])].some((c) => c.rules.length > 0);

  // nat: service portals, node ports, masquerade marking and SNAT.
  if (exists(ruleset, 'nat', 'KUBE-NODEPORTS') && hasRules(ruleset, 'nat', 'KUBE-NODEPORTS') && !referenced(ruleset, 'nat', 'KUBE-NODEPORTS')) {
    add('nat', '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
    warnings.push("no rule jumps from KUBE-SERVICES to KUBE-NODEPORTS: assumed kube-proxy's standard last rule (local destinations -> KUBE-NODEPORTS)");
  }
  if (exists(ruleset, 'nat', 'KUBE-SERVICES') && natHasRules) {
    const missing = ['PREROUTING', 'OUTPUT'].filter((b) => !jumpsTo(ruleset, 'nat', b, 'KUBE-SERVICES'));
    for (const b of missing) add('nat', `-A ${b} -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`);
    if (missing.length) warnings.push(`no rule jumps from ${missing.join(' or ')} to KUBE-SERVICES: assumed kube-proxy's standard hooks`);
  }
  if (referenced(ruleset, 'nat', 'KUBE-MARK-MASQ') && !hasRules(ruleset, 'nat', 'KUBE-MARK-MASQ')) {
    add('nat', `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`);
    warnings.push(`KUBE-MARK-MASQ has no rules in the dump: assumed kube-proxy's standard one (set mark ${MASQ_MARK})`);
  }
  if (referenced(ruleset, 'nat', 'KUBE-MARK-MASQ') && !hasRules(ruleset, 'nat', 'KUBE-POSTROUTING')) {
    add('nat', `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`);
    add('nat', `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`);
    add('nat', '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
    warnings.push(`KUBE-POSTROUTING has no rules in the dump: assumed kube-proxy's standard ones (masquerade packets marked ${MASQ_MARK})`);
  }
  if (hasRules(ruleset, 'nat', 'KUBE-POSTROUTING') && !jumpsTo(ruleset, 'nat', 'POSTROUTING', 'KUBE-POSTROUTING')) {
    add('nat', '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
    warnings.push("no rule jumps from POSTROUTING to KUBE-POSTROUTING: assumed kube-proxy's standard hook");
  }
  if (referenced(ruleset, 'nat', 'KUBE-MARK-DROP') && !hasRules(ruleset, 'nat', 'KUBE-MARK-DROP')) {
    add('nat', `-A KUBE-MARK-DROP -j MARK --or-mark ${DROP_MARK}`);
    warnings.push(`KUBE-MARK-DROP has no rules in the dump: assumed kube-proxy's standard one (set mark ${DROP_MARK})`);
  }
  // Packets marked for dropping are dropped by filter KUBE-FIREWALL (kube-proxy before 1.28).
  if (referenced(ruleset, 'nat', 'KUBE-MARK-DROP') && !dropsMarked(ruleset)) {
    add('filter', `-A KUBE-FIREWALL -m comment --comment "kubernetes firewall for dropping marked packets" -m mark --mark ${DROP_MARK}/${DROP_MARK} -j DROP`);
    warnings.push(`no filter rule drops packets marked ${DROP_MARK} (KUBE-MARK-DROP): assumed kube-proxy's KUBE-FIREWALL rule`);
  }

  // filter: the chains kube-proxy hooks into INPUT, FORWARD and OUTPUT.
  const ctNew = '-m conntrack --ctstate NEW';
  const filterHooks: [string, string[], string][] = [
    ['KUBE-PROXY-FIREWALL', ['INPUT', 'FORWARD', 'OUTPUT'], `${ctNew} -m comment --comment "kubernetes load balancer firewall"`],
    ['KUBE-NODEPORTS', ['INPUT'], '-m comment --comment "kubernetes health check service ports"'],
    ['KUBE-EXTERNAL-SERVICES', ['INPUT', 'FORWARD'], `${ctNew} -m comment --comment "kubernetes externally-visible service portals"`],
    ['KUBE-FORWARD', ['FORWARD'], '-m comment --comment "kubernetes forwarding rules"'],
    ['KUBE-SERVICES', ['FORWARD', 'OUTPUT'], `${ctNew} -m comment --comment "kubernetes service portals"`],
    ['KUBE-FIREWALL', ['INPUT', 'OUTPUT'], ''],
  ];
  for (const [chain, builtins, args] of filterHooks) {
    if (!hasRules(ruleset, 'filter', chain) || referenced(ruleset, 'filter', chain)) continue;
    for (const b of builtins) add('filter', `-A ${b}${args ? ' ' + args : ''} -j ${chain}`);
    warnings.push(`no rule jumps from ${orList(builtins)} to filter ${chain}: assumed kube-proxy's standard hooks`);
  }
  return warnings;
}

function dropsMarked(ruleset: Ruleset): boolean {
  const t = ruleset.tables.get('filter');
  if (!t) return false;
  for (const c of t.chains.values()) {
    for (const r of c.rules) {
      if (r.target?.kind === 'DROP' && r.matches.some((m) => m.module === 'mark' && !m.negate && (m.value & 0x8000) !== 0)) return true;
    }
  }
  return false;
}

/** 'A', 'A or B', 'A, B or C'. */
function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
