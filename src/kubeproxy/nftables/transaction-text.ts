/**
 * knftables' text form (what kube-proxy pipes into `nft -f -`): one command per line,
 * `add table ip kube-proxy { comment "..." ; }`, `add chain ...`, `add rule ...`,
 * `add element ... { key comment "..." : value }`, and the flush/delete commands of a sync.
 * Two views: the transaction itself, and a dump of the resulting table as "add" commands
 * (the shape of knftables' fake Dump(), which kube-proxy's unit tests compare against).
 */
import {
  NFT_FAMILY,
  NFT_TABLE,
  joinKey,
  type NftChain,
  type NftElement,
  type NftObject,
  type NftOperation,
  type NftRule,
  type NftRuleset,
  type NftSet,
} from './ruleset.js';

const PREFIX = `${NFT_FAMILY} ${NFT_TABLE}`;

/** Go's %q for the ASCII comments kube-proxy writes. */
function quote(text: string): string {
  return JSON.stringify(text);
}

function chainText(verb: string, chain: Omit<NftChain, 'rules'>): string {
  let out = `${verb} chain ${PREFIX} ${chain.name}`;
  if (verb === 'add' && (chain.base !== undefined || chain.comment !== undefined)) {
    out += ' {';
    if (chain.base !== undefined) out += ` type ${chain.base.type} hook ${chain.base.hook} priority ${chain.base.priority} ;`;
    if (chain.comment !== undefined) out += ` comment ${quote(chain.comment)} ;`;
    out += ' }';
  }
  return out;
}

function setText(verb: string, set: Omit<NftSet, 'elements'>): string {
  let out = `${verb} ${set.kind} ${PREFIX} ${set.name}`;
  if (verb === 'add') {
    const type = joinKey(set.keyType) + (set.valueType !== undefined ? ` : ${set.valueType}` : '');
    out += ` { type ${type} ;`;
    if (set.flags !== undefined && set.flags.length > 0) out += ` flags ${set.flags.join(',')} ;`;
    if (set.timeoutSeconds !== undefined) out += ` timeout ${set.timeoutSeconds}s ;`;
    if (set.comment !== undefined) out += ` comment ${quote(set.comment)} ;`;
    out += ' }';
  }
  return out;
}

function ruleText(rule: NftRule): string {
  return `add rule ${PREFIX} ${rule.chain} ${rule.rule}${rule.comment !== undefined ? ` comment ${quote(rule.comment)}` : ''}`;
}

function elementText(verb: string, element: NftElement): string {
  let out = `${verb} element ${PREFIX} ${element.set} { ${joinKey(element.key)}`;
  if (verb === 'add') {
    if (element.comment !== undefined) out += ` comment ${quote(element.comment)}`;
    if (element.value !== undefined) out += ` : ${joinKey(element.value)}`;
  }
  return out + ' }';
}

export function operationText(op: NftOperation): string {
  const o: NftObject = op.object;
  switch (o.kind) {
    case 'table':
      return op.verb === 'add' && o.comment !== undefined
        ? `add table ${PREFIX} { comment ${quote(o.comment)} ; }`
        : `${op.verb} table ${PREFIX}`;
    case 'chain':
      return chainText(op.verb, o.chain);
    case 'rule':
      return ruleText(o.rule);
    case 'set':
      return setText(op.verb, o.set);
    case 'element':
      return elementText(op.verb, o.element);
    case 'counter':
      return `${op.verb} counter ${PREFIX} ${o.counter.name}`;
  }
}

/** The transaction as `nft -f` input, one command per line, ending in a newline. */
export function formatTransaction(operations: readonly NftOperation[]): string {
  const lines: string[] = new Array(operations.length);
  for (let i = 0; i < operations.length; i++) lines[i] = operationText(operations[i]);
  return lines.join('\n') + '\n';
}

/**
 * The resulting table as "add" commands: table, counters, sets and maps, chains, rules,
 * elements. Loading it into an empty namespace gives the same table as the transaction.
 */
export function formatRulesetDump(rs: NftRuleset): string {
  const lines: string[] = [];
  lines.push(rs.comment !== undefined ? `add table ${PREFIX} { comment ${quote(rs.comment)} ; }` : `add table ${PREFIX}`);
  for (const c of rs.counters.values()) lines.push(`add counter ${PREFIX} ${c.name}`);
  for (const s of rs.sets.values()) lines.push(setText('add', s));
  for (const c of rs.chains.values()) lines.push(chainText('add', c));
  for (const c of rs.chains.values()) for (const r of c.rules) lines.push(ruleText(r));
  for (const s of rs.sets.values()) for (const e of s.elements.values()) lines.push(elementText('add', e));
  return lines.join('\n') + '\n';
}
