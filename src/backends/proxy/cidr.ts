/** IPv4 CIDR membership, enough for routes and source ranges. */
import net from 'node:net';

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => (acc * 256 + Number(o)) >>> 0, 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!net.isIPv4(ip) || !net.isIPv4(base) || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  if (bits === 0) return true;
  const mask = (~0 << (32 - bits)) >>> 0;
  return ((toInt(ip) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}

/** First host address of an IPv4 CIDR (a node's pod gateway), or undefined for a bad CIDR. */
export function firstHost(cidr: string): string | undefined {
  const [base, bits] = cidr.split('/');
  if (!net.isIPv4(base) || bits === undefined || Number(bits) > 30) return undefined;
  const n = (toInt(base) + 1) >>> 0;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
