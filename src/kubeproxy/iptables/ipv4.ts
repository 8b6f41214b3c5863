/**
 * The small amount of IPv4 arithmetic the rule renderer needs: kube-proxy's iptables proxier is
 * per IP family, and svclab renders the IPv4 one. Addresses are parsed the way Go's
 * `netutils.ParseIPSloppy` does (leading zeros are decimal, so "172.30.0.041" is 172.30.0.41),
 * which is what makes kube-proxy print canonical addresses even for sloppy input (TestBadIPs).
 */

/** Parses a dotted-quad IPv4 address (leading zeros allowed); undefined when it is not one. */
export function parseIPv4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      octet = octet * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || octet > 255 || ++dots > 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0 || octet > 255) return undefined;
  return value * 256 + octet;
}

/** Dotted-quad text of a 32-bit address. */
export function formatIPv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Canonical text of an IPv4 address, or undefined when `text` is not IPv4 (e.g. IPv6). */
export function canonicalIPv4(text: string): string | undefined {
  const trimmed = text.trim();
  const value = parseIPv4(trimmed);
  if (value === undefined) return undefined;
  // Most addresses are already canonical; reuse the string instead of rebuilding it.
  return /(^|\.)0\d/.test(trimmed) ? formatIPv4(value) : trimmed;
}

/** An IPv4 network: base address (host bits cleared) and prefix length. */
export interface IPv4Cidr {
  base: number;
  bits: number;
}

function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/**
 * Parses "a.b.c.d/n" (sloppy octets and prefix allowed, e.g. "203.0.113.000/025"); a bare address
 * is a /32. Host bits are cleared, as Go's `net.ParseCIDR` does for the network it returns.
 */
export function parseIPv4Cidr(text: string): IPv4Cidr | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addrText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const addr = parseIPv4(addrText);
  if (addr === undefined) return undefined;
  let bits = 32;
  if (slash >= 0) {
    const bitsText = trimmed.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(bitsText)) return undefined;
    bits = Number(bitsText);
    if (bits > 32) return undefined;
  }
  return { base: (addr & maskOf(bits)) >>> 0, bits };
}

/** "base/bits" text, as Go prints an `*net.IPNet`. */
export function formatIPv4Cidr(cidr: IPv4Cidr): string {
  return `${formatIPv4(cidr.base)}/${cidr.bits}`;
}

/** Whether `addr` lies inside `cidr`. */
export function cidrContains(cidr: IPv4Cidr, addr: number): boolean {
  return ((addr & maskOf(cidr.bits)) >>> 0) === cidr.base;
}

/** 127.0.0.1, the loopback address every node has. */
export const IPV4_LOOPBACK = parseIPv4('127.0.0.1') as number;
