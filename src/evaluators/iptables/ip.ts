/**
 * IPv4 addresses as unsigned 32-bit numbers, and CIDR prefixes over them. The evaluator compares
 * numbers, never strings, so matching an address against thousands of rules stays cheap.
 */

/** Parses dotted-quad IPv4; undefined when `text` is not one. */
export function parseIPv4(text: string): number | undefined {
  // By character codes: rule dumps hold hundreds of thousands of addresses.
  let value = 0;
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || octet > 255 || ++parts > 4) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      octet = octet * 10 + (c - 48);
    } else return undefined;
  }
  return parts === 4 ? value >>> 0 : undefined;
}

export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** A prefix: `(addr & mask) === net`. */
export interface Cidr {
  net: number;
  mask: number;
  bits: number;
}

/** Parses `a.b.c.d` (a /32) or `a.b.c.d/n`; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = parseIPv4(slash < 0 ? text : text.slice(0, slash));
  if (addr === undefined) return undefined;
  let bits = 32;
  if (slash >= 0) {
    const tail = text.slice(slash + 1);
    if (/^\d{1,2}$/.test(tail)) {
      bits = Number(tail);
      if (bits > 32) return undefined;
    } else {
      // Dotted masks (iptables prints them for non-contiguous masks).
      const m = parseIPv4(tail);
      if (m === undefined) return undefined;
      return { net: (addr & m) >>> 0, mask: m, bits: popcount(m) };
    }
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (addr & mask) >>> 0, mask, bits };
}

export function cidrContains(cidr: Cidr, addr: number): boolean {
  return ((addr & cidr.mask) >>> 0) === cidr.net;
}

/** The first host address of a prefix (a node's pod gateway). */
export function firstHost(cidr: Cidr): number {
  return (cidr.net + 1) >>> 0;
}

function popcount(v: number): number {
  let n = 0;
  for (let x = v >>> 0; x !== 0; x = (x & (x - 1)) >>> 0) n++;
  return n;
}

/** "10.0.0.1:80" -> [addr, port]; undefined when malformed. */
export function parseHostPort(text: string): { addr: number; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const addr = parseIPv4(text.slice(0, colon));
  const portText = text.slice(colon + 1);
  if (addr === undefined || !/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return { addr, port };
}
