/**
 * The order `nft list` prints set and map elements in (nftables 1.0.6 mergesort.c): each key is
 * turned into bytes (addresses and ports big-endian, protocols one byte), the bytes of a
 * concatenation are read as one little-endian number, and elements are sorted by that number.
 * So a single address sorts numerically, while "ip . proto . port" keys sort by the low byte of
 * the port first (the last byte is the most significant).
 */
import { parseIPv4 } from '../iptables/ipv4.js';

const PROTOCOL_NUMBERS: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, icmp: 1 };

function componentBytes(type: string, value: string): number[] {
  switch (type) {
    case 'ipv4_addr': {
      const v = parseIPv4(value);
      if (v === undefined) throw new Error(`not an IPv4 address in an ipv4_addr key: ${value}`);
      return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    }
    case 'inet_proto': {
      const n = PROTOCOL_NUMBERS[value] ?? Number(value);
      if (!Number.isInteger(n)) throw new Error(`unknown protocol in an inet_proto key: ${value}`);
      return [n];
    }
    case 'inet_service': {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new Error(`not a port in an inet_service key: ${value}`);
      return [(n >>> 8) & 255, n & 255];
    }
    default:
      throw new Error(`no sort order for key type ${type}`);
  }
}

function keyBytes(types: readonly string[], key: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < types.length; i++) for (const b of componentBytes(types[i], key[i])) out.push(b);
  return out;
}

/** Compares two element keys of a set whose key type is `types`, as nft's listing sorts them. */
export function compareElementKeys(types: readonly string[], a: readonly string[], b: readonly string[]): number {
  const x = keyBytes(types, a);
  const y = keyBytes(types, b);
  if (types.length === 1) {
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  }
  for (let i = x.length - 1; i >= 0; i--) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
