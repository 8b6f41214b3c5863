/**
 * The nftables ruleset model: the operations of one kube-proxy transaction (what knftables sends
 * to `nft -f`), and the table state they leave behind (what `nft list table` shows). The state is
 * computed by applying the operations the way nft does (add is idempotent, flush empties, delete
 * removes), so both views always agree. Objects keep creation order, which is the order the
 * kernel lists them in.
 */

/** The only table kube-proxy's IPv4 nftables proxier writes. */
export const NFT_FAMILY = 'ip';
export const NFT_TABLE = 'kube-proxy';

export type NftHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export interface NftBaseChain {
  type: 'filter' | 'nat';
  hook: NftHook;
  /** Numeric priority, as knftables writes it (e.g. -110 for "dstnat-10"). */
  priority: number;
}

export interface NftRule {
  chain: string;
  /** Rule text as kube-proxy writes it (knftables syntax), without the comment. */
  rule: string;
  comment?: string;
}

export interface NftChain {
  name: string;
  base?: NftBaseChain;
  comment?: string;
  rules: NftRule[];
}

export interface NftElement {
  /** Set or map name. */
  set: string;
  /** Key components, e.g. ["172.30.0.41", "tcp", "80"]. */
  key: string[];
  /** Map value components (a verdict such as "goto service-…" or "drop"); absent in sets. */
  value?: string[];
  comment?: string;
}

/** A named set or map (kube-proxy's maps are all verdict maps). */
export interface NftSet {
  kind: 'set' | 'map';
  name: string;
  /** Key type components, e.g. ["ipv4_addr", "inet_proto", "inet_service"]. */
  keyType: string[];
  /** "verdict" for maps. */
  valueType?: string;
  flags?: string[];
  timeoutSeconds?: number;
  comment?: string;
  /** Elements by joined key ("a . b . c"), in insertion order. */
  elements: Map<string, NftElement>;
}

export interface NftCounter {
  name: string;
}

export type NftObject =
  | { kind: 'table'; comment?: string }
  | { kind: 'chain'; chain: Omit<NftChain, 'rules'> }
  | { kind: 'rule'; rule: NftRule }
  | { kind: 'set'; set: Omit<NftSet, 'elements'> }
  | { kind: 'element'; element: NftElement; map: boolean }
  | { kind: 'counter'; counter: NftCounter };

export interface NftOperation {
  verb: 'add' | 'flush' | 'delete';
  object: NftObject;
}

/** The table as it stands after a transaction. */
export interface NftRuleset {
  family: typeof NFT_FAMILY;
  table: typeof NFT_TABLE;
  comment?: string;
  counters: Map<string, NftCounter>;
  /** Sets and maps together, in creation order (nft lists them interleaved in that order). */
  sets: Map<string, NftSet>;
  chains: Map<string, NftChain>;
}

export function joinKey(parts: readonly string[]): string {
  return parts.join(' . ');
}

/** Collects operations in order; `apply` turns them into the resulting state. */
export class NftTransaction {
  readonly operations: NftOperation[] = [];

  add(object: NftObject): void {
    this.operations.push({ verb: 'add', object });
  }
  flush(object: NftObject): void {
    this.operations.push({ verb: 'flush', object });
  }
  delete(object: NftObject): void {
    this.operations.push({ verb: 'delete', object });
  }

  addChain(name: string, extra: { base?: NftBaseChain; comment?: string } = {}): void {
    this.add({ kind: 'chain', chain: { name, ...extra } });
  }
  flushChain(name: string): void {
    this.flush({ kind: 'chain', chain: { name } });
  }
  addRule(chain: string, rule: string, comment?: string): void {
    this.add({ kind: 'rule', rule: comment === undefined ? { chain, rule } : { chain, rule, comment } });
  }
  addElement(set: string, map: boolean, key: string[], value?: string[], comment?: string): void {
    const element: NftElement = { set, key };
    if (value !== undefined) element.value = value;
    if (comment !== undefined) element.comment = comment;
    this.add({ kind: 'element', element, map });
  }
}

function emptyRuleset(): NftRuleset {
  return { family: NFT_FAMILY, table: NFT_TABLE, counters: new Map(), sets: new Map(), chains: new Map() };
}

/**
 * The state `operations` leave in an empty network namespace. Throws on an operation nft would
 * refuse (a rule in a missing chain, an element of a missing set, deleting what does not exist),
 * so a renderer bug shows up as an error rather than as a silently different table.
 */
export function applyTransaction(operations: readonly NftOperation[]): NftRuleset {
  const rs = emptyRuleset();
  let tableExists = false;
  const need = (what: string): never => {
    throw new Error(`nft transaction: ${what}`);
  };
  for (const op of operations) {
    const o = op.object;
    if (o.kind !== 'table' && !tableExists) need(`${op.verb} ${o.kind} before the table exists`);
    switch (o.kind) {
      case 'table':
        if (op.verb === 'add') {
          tableExists = true;
          if (o.comment !== undefined) rs.comment = o.comment;
        } else need(`${op.verb} table is not used by kube-proxy`);
        break;
      case 'chain': {
        const existing = rs.chains.get(o.chain.name);
        if (op.verb === 'add') {
          if (existing === undefined) rs.chains.set(o.chain.name, { ...o.chain, rules: [] });
        } else if (existing === undefined) {
          need(`${op.verb} chain ${o.chain.name}: no such chain`);
        } else if (op.verb === 'flush') {
          existing.rules = [];
        } else {
          rs.chains.delete(o.chain.name);
        }
        break;
      }
      case 'rule': {
        const chain = rs.chains.get(o.rule.chain) ?? need(`add rule: no chain ${o.rule.chain}`);
        chain.rules.push(o.rule);
        break;
      }
      case 'set': {
        const existing = rs.sets.get(o.set.name);
        if (op.verb === 'add') {
          if (existing === undefined) rs.sets.set(o.set.name, { ...o.set, elements: new Map() });
        } else if (existing === undefined) {
          need(`${op.verb} ${o.set.kind} ${o.set.name}: no such ${o.set.kind}`);
        } else if (op.verb === 'flush') {
          existing.elements.clear();
        } else {
          rs.sets.delete(o.set.name);
        }
        break;
      }
      case 'element': {
        const set = rs.sets.get(o.element.set) ?? need(`${op.verb} element: no set/map ${o.element.set}`);
        const key = joinKey(o.element.key);
        if (op.verb === 'add') {
          if (!set.elements.has(key)) set.elements.set(key, o.element);
        } else if (op.verb === 'delete') {
          if (!set.elements.delete(key)) need(`delete element ${key} from ${set.name}: no such element`);
        } else need('flush element is not an operation');
        break;
      }
      case 'counter':
        if (op.verb === 'add') {
          if (!rs.counters.has(o.counter.name)) rs.counters.set(o.counter.name, o.counter);
        } else if (op.verb === 'delete') {
          if (!rs.counters.delete(o.counter.name)) need(`delete counter ${o.counter.name}: no such counter`);
        } else need('flush counter is not used by kube-proxy');
        break;
    }
  }
  return rs;
}
