/**
 * `iptables-save` text in a canonical form, so kube-proxy's rules and svclab's compare equal
 * exactly when they mean the same thing. Both texts come from iptables-save itself, which already
 * rewrites `/32`, `--set-xmark` and match order the same way for both; what is left to even out:
 * - counters (`[0:0]`) and comments, and the canary chains kube-proxy makes to notice flushes;
 * - builtin chains that exist with no rules (which ones exist depends on who touched the table);
 * - table and chain order (the kernel's listing order follows creation order);
 * - the order of per-service rules in the dispatch chains, which follows kube-proxy's map
 *   iteration (random) there: those rules are sorted by their service comment, stably, while
 *   every other rule keeps its place; likewise the final per-address jumps to KUBE-NODEPORTS
 *   (kube-proxy collects the node-port addresses in a map). Chain hash names are kept as is.
 */

/** Chains whose per-service rules kube-proxy writes in map (random) order. */
const DISPATCH_CHAINS = new Set(['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES', 'KUBE-PROXY-FIREWALL']);
/** Chains kube-proxy (and kubelet) create only to notice that someone flushed the tables. */
const CANARY_CHAINS = new Set(['KUBE-PROXY-CANARY', 'KUBE-KUBELET-CANARY']);
const BUILTIN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

interface Table {
  chains: Map<string, string>;
  rules: Map<string, string[]>;
}

/** The service a dispatch rule belongs to (its `--comment "ns/name:port ..."`), if any. */
function serviceOf(rule: string): string | undefined {
  return /--comment "?([a-z0-9.-]+\/[a-z0-9.-]+(?::[a-z0-9-]*)?)/.exec(rule)?.[1];
}

/** Sorts the rules `keyOf` picks among the places they hold (stably); other rules stay put. */
function sortAmongPlaces(rules: string[], keyOf: (rule: string) => string | undefined): string[] {
  const places = rules.flatMap((rule, i) => (keyOf(rule) !== undefined ? [i] : []));
  const sorted = places.map((i) => rules[i]).sort((a, b) => (keyOf(a)! < keyOf(b)! ? -1 : keyOf(a)! > keyOf(b)! ? 1 : 0));
  const out = [...rules];
  places.forEach((place, k) => (out[place] = sorted[k]));
  return out;
}

/**
 * A dispatch chain's rules with the per-service ones sorted by service, and the final "hand local
 * destinations to KUBE-NODEPORTS" rules (one per node-port address, which kube-proxy collects in
 * a map) sorted among themselves.
 */
function sortDispatchRules(rules: string[]): string[] {
  const bySvc = sortAmongPlaces(rules, serviceOf);
  return sortAmongPlaces(bySvc, (rule) => (rule.includes('this must be the last rule') ? rule : undefined));
}

function parse(text: string): Map<string, Table> {
  const tables = new Map<string, Table>();
  let table: Table | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith('*')) {
      table = { chains: new Map(), rules: new Map() };
      tables.set(line.slice(1), table);
    } else if (table === undefined) {
      continue;
    } else if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      table.chains.set(name, policy);
    } else if (line.startsWith('-A ')) {
      const chain = line.split(/\s+/)[1];
      const list = table.rules.get(chain) ?? [];
      list.push(line);
      table.rules.set(chain, list);
    }
  }
  return tables;
}

/** The canonical lines of an iptables-save text (see the module comment). */
export function normalizeIptablesSave(text: string): string[] {
  const out: string[] = [];
  const tables = parse(text);
  for (const name of [...tables.keys()].sort()) {
    const { chains, rules } = tables.get(name)!;
    const kept = [...chains.keys()]
      .filter((chain) => !CANARY_CHAINS.has(chain))
      .filter((chain) => !(BUILTIN_CHAINS.has(chain) && chains.get(chain) === 'ACCEPT' && (rules.get(chain)?.length ?? 0) === 0))
      .sort();
    if (kept.length === 0) continue;
    out.push(`*${name}`);
    for (const chain of kept) out.push(`:${chain} ${chains.get(chain)}`);
    for (const chain of kept) {
      const list = rules.get(chain) ?? [];
      out.push(...(DISPATCH_CHAINS.has(chain) ? sortDispatchRules(list) : list));
    }
  }
  return out;
}
