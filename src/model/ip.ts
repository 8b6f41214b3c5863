/**
 * IPv4/IPv6 addresses and CIDRs as big integers: parsing, containment, overlap and the n-th address
 * of a range (for deterministic pod, cluster-IP and pod-CIDR allocation).
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** Network address (host bits cleared). */
  base: bigint;
  prefix: number;
  /** Whether the written address had host bits set (e.g. 10.0.0.1/24). */
  hostBitsSet: boolean;
}

export function ipFamily(ip: string): Family | undefined {
  const f = isIP(ip);
  return f === 4 ? 4 : f === 6 ? 6 : undefined;
}

export function parseIp(ip: string): { family: Family; value: bigint } | undefined {
  if (isIPv4(ip)) {
    const parts = ip.split('.').map(Number);
    return { family: 4, value: BigInt(((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]) };
  }
  if (isIPv6(ip)) {
    let text = ip;
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
      const p = parseIp(v4[1])!.value;
      text = text.slice(0, v4.index) + `${(p >> 16n).toString(16)}:${(p & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
    const fill = tail === undefined ? [] : new Array(8 - h.length - t.length).fill('0');
    const groups = [...h, ...fill, ...t];
    let value = 0n;
    for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
    return { family: 6, value };
  }
  return undefined;
}

export function formatIp(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}

const bits = (f: Family) => (f === 4 ? 32 : 128);

export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  if (!ip) return undefined;
  const prefix = Number(m[2]);
  if (prefix > bits(ip.family)) return undefined;
  const hostBits = BigInt(bits(ip.family) - prefix);
  const base = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, base, prefix, hostBitsSet: base !== ip.value };
}

export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(bits(c.family) - c.prefix);
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const p = parseIp(ip);
  if (!p || p.family !== c.family) return false;
  return p.value >= c.base && p.value < c.base + cidrSize(c);
}

/** Whether `ip` lies inside the CIDR written `cidr` ("10.10.1.0/24"); false when either is malformed. */
export function inCidr(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  return c !== undefined && cidrContains(c, ip);
}

/**
 * First host address of an IPv4 CIDR ("10.10.1.0/24" -> "10.10.1.1"): a node's gateway for its
 * pods, the source its masquerade towards them uses. Undefined for a malformed or IPv6 CIDR and
 * for a /31 or /32 (no room for a gateway).
 */
export function firstHostAddress(cidr: string): string | undefined {
  const c = parseCidr(cidr);
  if (c === undefined || c.family !== 4 || c.prefix > 30) return undefined;
  return formatIp(4, c.base + 1n);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + cidrSize(inner) <= outer.base + cidrSize(outer);
}

/** The address at offset `n` from the network address (0 = network address). */
export function nthAddress(c: Cidr, n: bigint | number): string | undefined {
  const off = BigInt(n);
  if (off < 0n || off >= cidrSize(c)) return undefined;
  return formatIp(c.family, c.base + off);
}

/** Offset of `ip` inside `c`, or undefined when outside. */
export function offsetIn(c: Cidr, ip: string): bigint | undefined {
  const p = parseIp(ip);
  if (!p || p.family !== c.family) return undefined;
  const off = p.value - c.base;
  return off >= 0n && off < cidrSize(c) ? off : undefined;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.family, c.base)}/${c.prefix}`;
}

/** The `index`-th subnet of `prefix` length inside `c` (e.g. the 3rd /24 of a /16). */
export function subnet(c: Cidr, prefix: number, index: number): Cidr | undefined {
  if (prefix < c.prefix || prefix > bits(c.family)) return undefined;
  const count = 1n << BigInt(prefix - c.prefix);
  if (BigInt(index) >= count) return undefined;
  const size = 1n << BigInt(bits(c.family) - prefix);
  return { family: c.family, base: c.base + BigInt(index) * size, prefix, hostBitsSet: false };
}

/** Canonical text of an address (so 10.0.0.01-style or IPv6 spellings compare equal). */
export function canonicalIp(ip: string): string {
  const p = parseIp(ip);
  return p ? formatIp(p.family, p.value) : ip;
}
