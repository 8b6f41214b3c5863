/**
 * The text `nft list table ip kube-proxy` (and `nft list ruleset` on a node with only this table)
 * prints for a ruleset, as nftables 1.0.6 prints it: counters, then sets and maps, then chains,
 * each in creation order, blocks separated by blank lines; named-set elements sorted the way
 * nft sorts them and wrapped the way it wraps them; rules in nft's canonical spelling (see
 * rule-list-form.ts). Verified against the real nft by test/kubeproxy/nftables/nft-load.test.ts.
 */
import { joinKey, type NftChain, type NftElement, type NftHook, type NftRuleset, type NftSet } from './ruleset.js';
import { compareElementKeys } from './element-order.js';
import { listFormOfRule } from './rule-list-form.js';

/** nft's standard priorities (ip family), in the order it tries them. */
const STD_PRIOS: readonly [string, number][] = [
  ['raw', -300],
  ['mangle', -150],
  ['dstnat', -100],
  ['filter', 0],
  ['security', 50],
  ['srcnat', 100],
];

/** A priority as nft prints it: a standard name within 10 of the value ("dstnat - 10"), else the number. */
export function priorityText(priority: number, hook: NftHook): string {
  for (const [name, value] of STD_PRIOS) {
    if (Math.abs(priority - value) > 10) continue;
    // dstnat is only named in prerouting, srcnat only in postrouting.
    if ((value === -100 && hook !== 'prerouting') || (value === 100 && hook !== 'postrouting')) break;
    const offset = priority - value;
    return offset > 0 ? `${name} + ${offset}` : offset < 0 ? `${name} - ${-offset}` : name;
  }
  return String(priority);
}

/** nft's time format: "3h", "1d3h46m40s", "10s". */
export function durationText(seconds: number): string {
  if (seconds === 0) return '0s';
  const parts: [number, string][] = [
    [Math.floor(seconds / 86400), 'd'],
    [Math.floor((seconds % 86400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join('');
}

const quote = (text: string): string => JSON.stringify(text);
const NEWLINE_DELIM = ',\n\t\t\t     ';

function elementText(e: NftElement): string {
  let out = joinKey(e.key);
  if (e.comment !== undefined) out += ` comment ${quote(e.comment)}`;
  if (e.value !== undefined) out += ` : ${joinKey(e.value)}`;
  return out;
}

/** `elements = { ... }` with nft's line breaks: two addresses per line, one concatenation per line. */
function elementsText(set: NftSet): string {
  const elements = [...set.elements.values()].sort((a, b) => compareElementKeys(set.keyType, a.key, b.key));
  const perLine = set.keyType.length === 1 && set.keyType[0] === 'ipv4_addr' ? 2 : 1;
  let out = '{ ';
  let count = 0;
  for (let i = 0; i < elements.length; i++) {
    out += elementText(elements[i]);
    if (i === elements.length - 1) break;
    count++;
    if (count < perLine) {
      out += ', ';
    } else {
      count = 0;
      out += NEWLINE_DELIM;
    }
  }
  return out + ' }';
}

function setBlock(set: NftSet, updated: ReadonlySet<string>): string[] {
  const lines = [`\t${set.kind} ${set.name} {`];
  lines.push(`\t\ttype ${joinKey(set.keyType)}${set.valueType !== undefined ? ` : ${set.valueType}` : ''}`);
  // nft gives a set that an `update @set` statement fills its default maximum size.
  if (set.flags?.includes('dynamic') && updated.has(set.name)) lines.push('\t\tsize 65535');
  if (set.flags !== undefined && set.flags.length > 0) lines.push(`\t\tflags ${set.flags.join(',')}`);
  if (set.timeoutSeconds !== undefined) lines.push(`\t\ttimeout ${durationText(set.timeoutSeconds)}`);
  if (set.comment !== undefined) lines.push(`\t\tcomment ${quote(set.comment)}`);
  if (set.elements.size > 0) lines.push(`\t\telements = ${elementsText(set)}`);
  lines.push('\t}');
  return lines;
}

function chainBlock(chain: NftChain): string[] {
  const lines = [`\tchain ${chain.name} {`];
  if (chain.comment !== undefined) lines.push(`\t\tcomment ${quote(chain.comment)}`);
  if (chain.base !== undefined) {
    const b = chain.base;
    lines.push(`\t\ttype ${b.type} hook ${b.hook} priority ${priorityText(b.priority, b.hook)}; policy accept;`);
  }
  for (const r of chain.rules) {
    const text = listFormOfRule(r.rule);
    lines.push(`\t\t${text}${r.comment !== undefined ? ` comment ${quote(r.comment)}` : ''}`);
  }
  lines.push('\t}');
  return lines;
}

/** Sets filled by an `update @name { ... }` statement somewhere in the table. */
function updatedSets(rs: NftRuleset): Set<string> {
  const out = new Set<string>();
  for (const chain of rs.chains.values()) {
    for (const r of chain.rules) {
      const m = /^update @(\S+) /.exec(r.rule);
      if (m !== null) out.add(m[1]);
    }
  }
  return out;
}

/** `nft list table ip kube-proxy` output for the ruleset, ending in a newline. */
export function formatNftList(rs: NftRuleset): string {
  const blocks: string[][] = [];
  for (const c of rs.counters.values()) blocks.push([`\tcounter ${c.name} {`, '\t\tpackets 0 bytes 0', '\t}']);
  const updated = updatedSets(rs);
  for (const s of rs.sets.values()) blocks.push(setBlock(s, updated));
  for (const c of rs.chains.values()) blocks.push(chainBlock(c));
  const lines = [`table ${rs.family} ${rs.table} {`];
  if (rs.comment !== undefined) lines.push(`\tcomment ${quote(rs.comment)}`);
  blocks.forEach((block, i) => {
    if (i > 0) lines.push('');
    for (const line of block) lines.push(line);
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}
