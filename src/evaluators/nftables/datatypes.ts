/**
 * Literal values of each nftables datatype, as `nft list ruleset` prints them, turned into
 * numeric ranges. A value that is not valid for its type is reported by the caller with its
 * location; these functions only say "not a T" by returning undefined.
 */
import { parseIPv4 } from '../iptables/ip.js';
import { CT, protoNumber } from '../iptables/packet.js';
import type { DataType, Range } from './ast.js';

export const CT_STATE_BITS: Record<string, number> = {
  new: CT.NEW,
  established: CT.ESTABLISHED,
  related: CT.RELATED,
  invalid: CT.INVALID,
  untracked: CT.UNTRACKED,
};

/** `ct status` flags the walk models: the NAT a flow went through. */
export const CT_STATUS_BITS: Record<string, number> = { dnat: CT.DNAT, snat: CT.SNAT };

/** fib address types; an address is one of the first four on the simulated hosts. */
export const FIB_TYPES: Record<string, number> = {
  unspec: 0,
  unicast: 1,
  local: 2,
  broadcast: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
};

export const NF_PROTO: Record<string, number> = { ipv4: 2, ipv6: 10 };

/** A name a datatype spells out, for error messages. */
export function describeType(t: DataType): string {
  switch (t) {
    case 'ipv4_addr':
      return 'an IPv4 address or prefix';
    case 'ipv6_addr':
      return 'an IPv6 address';
    case 'inet_proto':
      return 'a protocol (tcp, udp, sctp, icmp or a number)';
    case 'inet_service':
      return 'a port number or range';
    case 'mark':
    case 'integer':
      return 'an integer';
    case 'ifname':
      return 'an interface name';
    case 'ct_state':
      return `a conntrack state (${Object.keys(CT_STATE_BITS).join(', ')})`;
    case 'ct_status':
      return `a conntrack status (${Object.keys(CT_STATUS_BITS).join(', ')})`;
    case 'fib_addrtype':
      return `an address type (${Object.keys(FIB_TYPES).join(', ')})`;
    case 'nf_proto':
      return 'ipv4 or ipv6';
    case 'verdict':
      return 'a verdict';
  }
}

/** Bit width of a type's values (for prefix masks). */
function parseInteger(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) {
    const v = parseInt(text.slice(2), 16);
    return v <= 0xffffffff ? v : undefined;
  }
  if (/^\d+$/.test(text)) {
    const v = Number(text);
    return v <= 0xffffffff ? v : undefined;
  }
  return undefined;
}

export { parseInteger };

function single(parse: (s: string) => number | undefined, text: string): Range | undefined {
  const v = parse(text);
  if (v !== undefined) return { lo: v, hi: v };
  const dash = text.indexOf('-', 1);
  if (dash > 0) {
    const lo = parse(text.slice(0, dash));
    const hi = parse(text.slice(dash + 1));
    if (lo !== undefined && hi !== undefined && lo <= hi) return { lo, hi };
  }
  return undefined;
}

/** One literal of type `t` (a value, a range `a-b`, or for addresses a prefix `a/n`). */
export function parseLiteral(t: DataType, text: string): Range | undefined {
  switch (t) {
    case 'ipv4_addr': {
      const slash = text.indexOf('/');
      if (slash > 0) {
        const addr = parseIPv4(text.slice(0, slash));
        const bitsText = text.slice(slash + 1);
        if (addr === undefined || !/^\d{1,2}$/.test(bitsText) || Number(bitsText) > 32) return undefined;
        const bits = Number(bitsText);
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const lo = (addr & mask) >>> 0;
        return { lo, hi: (lo | (~mask >>> 0)) >>> 0 };
      }
      return single(parseIPv4, text);
    }
    case 'ipv6_addr':
      // Never compared with an IPv4 packet: kept only as "some IPv6 address".
      return text.includes(':') ? { lo: -1, hi: -1 } : undefined;
    case 'inet_proto': {
      const n = parseInteger(text);
      if (n !== undefined) return n <= 255 ? { lo: n, hi: n } : undefined;
      const p = protoNumber(text);
      return p !== undefined && p !== 0 && text !== 'all' ? { lo: p, hi: p } : undefined;
    }
    case 'inet_service': {
      const r = single(parseInteger, text);
      return r && r.hi <= 65535 ? r : undefined;
    }
    case 'mark':
    case 'integer':
      return single(parseInteger, text);
    case 'ct_state': {
      const b = CT_STATE_BITS[text];
      return b !== undefined ? { lo: b, hi: b } : undefined;
    }
    case 'ct_status': {
      const b = CT_STATUS_BITS[text];
      return b !== undefined ? { lo: b, hi: b } : undefined;
    }
    case 'fib_addrtype': {
      const v = FIB_TYPES[text];
      return v !== undefined ? { lo: v, hi: v } : undefined;
    }
    case 'nf_proto': {
      const v = NF_PROTO[text] ?? parseInteger(text);
      return v !== undefined ? { lo: v, hi: v } : undefined;
    }
    case 'ifname':
    case 'verdict':
      return undefined;
  }
}

/** The datatype a `type` declaration names. */
export function typeByName(name: string): DataType | undefined {
  switch (name) {
    case 'ipv4_addr':
    case 'ipv6_addr':
    case 'inet_proto':
    case 'inet_service':
    case 'mark':
    case 'ifname':
    case 'ct_state':
    case 'ct_status':
    case 'verdict':
    case 'integer':
      return name;
    case 'fib_addrtype':
      return 'fib_addrtype';
    case 'nf_proto':
      return 'nf_proto';
    default:
      return undefined;
  }
}

/** Bitmask types: a bare value matches when any of its bits is set. */
export function isBitmask(t: DataType): boolean {
  return t === 'ct_state' || t === 'ct_status';
}

/** Seconds of an nft duration: `3h`, `10800s`, `1d2h3m4s`, `500ms`. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(d|h|ms|m|s))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(d|h|ms|m|s)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'd' ? n * 86400 : m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
  }
  return total;
}
