/**
 * How nft 1.0.6 prints back the rules kube-proxy writes. kube-proxy uses a handful of shorthand
 * spellings that nft normalizes on listing:
 *   mark and 0x004000 != 0          -> meta mark & 0x00004000 != 0x00000000 (bit 31: != 0x00000000/1)
 *   mark set mark or|xor 0x004000   -> meta mark set meta mark | or ^ 0x00004000
 *   dnat ip addr . port to          -> dnat ip to
 *   { a , b } in maps               -> { a, b }
 *   ip saddr != { one }             -> ip saddr != one   (a one-element anonymous set)
 *   ip daddr { a,b } with prefixes  -> interval set: merged, sorted, ranges as prefixes
 * Every other construct kube-proxy writes is printed by nft exactly as written.
 */
import { formatIPv4, parseIPv4Cidr } from '../iptables/ipv4.js';

const hex8 = (text: string): string => '0x' + Number.parseInt(text, 16).toString(16).padStart(8, '0');

/**
 * `mark and M != 0`: nft prints a mask made of leading one bits (only 0x80000000 among the
 * single-bit masks kube-proxy can use) as a prefix match, any other mask as `&`.
 */
function markTest(maskText: string): string {
  const mask = Number.parseInt(maskText, 16);
  const ones = Math.clz32(~mask >>> 0);
  const isPrefix = mask !== 0 && (mask >>> 0) === (ones === 32 ? 0xffffffff : ((0xffffffff << (32 - ones)) >>> 0));
  return isPrefix ? `meta mark != 0x00000000/${ones}` : `meta mark & ${hex8(maskText)} != 0x00000000`;
}

interface Range {
  start: number;
  end: number;
}

function rangeText(r: Range): string {
  if (r.start === r.end) return formatIPv4(r.start);
  const size = r.end - r.start + 1;
  if (Number.isInteger(Math.log2(size)) && r.start % size === 0) return `${formatIPv4(r.start)}/${32 - Math.log2(size)}`;
  return `${formatIPv4(r.start)}-${formatIPv4(r.end)}`;
}

/** An anonymous address set as nft prints it back. */
export function anonymousSetText(elements: readonly string[]): string {
  const items = elements.map((e) => e.trim()).filter((e) => e !== '');
  const ranges: Range[] = [];
  let interval = false;
  for (const item of items) {
    const cidr = parseIPv4Cidr(item);
    if (cidr === undefined) throw new Error(`not an IPv4 address or CIDR in an anonymous set: ${item}`);
    if (item.includes('/')) interval = true;
    ranges.push({ start: cidr.base, end: cidr.base + 2 ** (32 - cidr.bits) - 1 });
  }
  if (items.length === 1) return rangeText(ranges[0]);
  ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Range[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && (interval ? r.start <= last.end + 1 : r.start === last.start)) {
      last.end = Math.max(last.end, r.end);
    } else {
      merged.push({ ...r });
    }
  }
  return `{ ${merged.map(rangeText).join(', ')} }`;
}

/** The rule text nft lists for a rule kube-proxy wrote as `rule` (comment excluded). */
export function listFormOfRule(rule: string): string {
  let out = rule;
  if (out.includes('mark')) {
    out = out.replace(/(^|\s)mark and (0x[0-9a-f]+) != 0(?=\s|$)/g, (_m, pre: string, v: string) => `${pre}${markTest(v)}`);
    out = out.replace(/(^|\s)mark set mark (or|xor) (0x[0-9a-f]+)(?=\s|$)/g, (_m, pre: string, op: string, v: string) =>
      `${pre}meta mark set meta mark ${op === 'or' ? '|' : '^'} ${hex8(v)}`,
    );
  }
  out = out.replace(' dnat ip addr . port to ', ' dnat ip to ');
  out = out.replace(/(ip [sd]addr (?:!= )?)\{ ([^}]*) \}/g, (_m, head: string, body: string) => head + anonymousSetText(body.split(',')));
  return out.replaceAll(' , ', ', ');
}

