/**
 * Selectors and set keys compiled to small closures over the packet: a getter per selector, a
 * guard for what the selector needs from the packet (`tcp dport` needs TCP; any `ip6` field
 * needs an IPv6 packet, so it never matches here), and allocation-free key builders that fill a
 * per-site Int32Array for set and map lookups.
 */
import type { WalkEnv } from '../hook-rules.js';
import { formatIPv4 } from '../iptables/ip.js';
import { CT, protoName, type Packet } from '../iptables/packet.js';
import type { DataType, Selector } from './ast.js';
import { FIB_TYPES } from './datatypes.js';

export type Getter = (p: Packet, env: WalkEnv) => number;
export type Guard = (p: Packet) => boolean;

const CT_STATE_MASK = CT.NEW | CT.ESTABLISHED | CT.RELATED | CT.INVALID | CT.UNTRACKED;
const CT_STATUS_MASK = CT.DNAT | CT.SNAT;
const FIB_LOCAL = FIB_TYPES.local!;
const FIB_UNICAST = FIB_TYPES.unicast!;
const FIB_MULTICAST = FIB_TYPES.multicast!;
const FIB_BROADCAST = FIB_TYPES.broadcast!;

function fibType(env: WalkEnv, a: number): number {
  if (env.isLocal(a)) return FIB_LOCAL;
  if (a >>> 28 === 14) return FIB_MULTICAST;
  if (a === 0xffffffff) return FIB_BROADCAST;
  return FIB_UNICAST;
}

/**
 * A uniform choice in [0, n) through binary `chance` decisions, so exact mode branches on it with
 * probability exactly 1/n per value (as for iptables' `statistic` cascade).
 */
export function pickUniform(n: number, chance: (p: number) => boolean): number {
  for (let i = 0; i < n - 1; i++) if (chance(1 / (n - i))) return i;
  return n - 1;
}

export function getter(s: Selector): Getter {
  switch (s.kind) {
    case 'ip':
      return s.field === 'saddr' ? (p) => p.src : s.field === 'daddr' ? (p) => p.dst : (p) => p.proto;
    case 'ip6':
      return () => 0;
    case 'meta':
      switch (s.key) {
        case 'l4proto':
          return (p) => p.proto;
        case 'mark':
          return (p) => p.mark;
        case 'nfproto':
          return () => 2;
        default:
          throw new Error(`meta ${s.key} is not a number`);
      }
    case 'port':
      return s.field === 'dport' ? (p) => p.dport : (p) => p.sport;
    case 'ct':
      return s.key === 'state' ? (p) => p.ctstate & CT_STATE_MASK : (p) => p.ctstate & CT_STATUS_MASK;
    case 'fib':
      return s.addr === 'daddr' ? (p, env) => fibType(env, p.dst) : (p, env) => fibType(env, p.src);
    case 'numgen': {
      const { mod, offset } = s;
      return (_p, env) => pickUniform(mod, env.chance) + offset;
    }
    case 'binop': {
      const g = getter(s.left);
      const r = s.right;
      if (s.op === '&') return (p, env) => (g(p, env) & r) >>> 0;
      if (s.op === '|') return (p, env) => (g(p, env) | r) >>> 0;
      return (p, env) => (g(p, env) ^ r) >>> 0;
    }
  }
}

/** What the packet must be for the selector to read anything; null when any IPv4 packet will do. */
export function guard(s: Selector): Guard | null {
  switch (s.kind) {
    case 'ip6':
      return () => false;
    case 'port':
      if (s.proto !== null) {
        const proto = s.proto;
        return (p) => p.proto === proto;
      }
      return (p) => p.proto === 6 || p.proto === 17 || p.proto === 132;
    case 'binop':
      return guard(s.left);
    default:
      return null;
  }
}

/** All guards of a concatenation as one, or null. */
export function guards(parts: Selector[]): Guard | null {
  const gs = parts.map(guard).filter((g): g is Guard => g !== null);
  if (gs.length === 0) return null;
  if (gs.length === 1) return gs[0]!;
  return (p) => gs.every((g) => g(p));
}

/** Fills `out` with the key of a concatenation; returns false when a guard fails. */
export type KeyFill = (p: Packet, env: WalkEnv, out: Int32Array) => boolean;

export function keyFill(parts: Selector[]): KeyFill {
  const g = guards(parts);
  const gets = parts.map(getter);
  // The shapes kube-proxy uses most, unrolled.
  if (gets.length === 1) {
    const [a] = gets as [Getter];
    return g ? (p, env, o) => g(p) && ((o[0] = a(p, env)), true) : (p, env, o) => ((o[0] = a(p, env)), true);
  }
  if (gets.length === 2) {
    const [a, b] = gets as [Getter, Getter];
    return (p, env, o) => {
      if (g && !g(p)) return false;
      o[0] = a(p, env);
      o[1] = b(p, env);
      return true;
    };
  }
  if (gets.length === 3) {
    const [a, b, c] = gets as [Getter, Getter, Getter];
    return (p, env, o) => {
      if (g && !g(p)) return false;
      o[0] = a(p, env);
      o[1] = b(p, env);
      o[2] = c(p, env);
      return true;
    };
  }
  return (p, env, o) => {
    if (g && !g(p)) return false;
    for (let k = 0; k < gets.length; k++) o[k] = gets[k]!(p, env);
    return true;
  };
}

/** A key as nft prints it (`172.30.0.41 . tcp . 80`), for traces. */
export function formatKey(key: Int32Array, types: DataType[]): string {
  return types.map((t, k) => formatValue(key[k]! >>> 0, t)).join(' . ');
}

export function formatValue(v: number, t: DataType): string {
  switch (t) {
    case 'ipv4_addr':
      return formatIPv4(v);
    case 'inet_proto':
      return v === 6 || v === 17 || v === 132 ? protoName(v) : String(v);
    case 'mark':
      return `0x${v.toString(16).padStart(8, '0')}`;
    default:
      return String(v);
  }
}

/** The text key of a dynamic set element (these sets are few and small). */
export function textKey(key: Int32Array): string {
  let s = String(key[0]);
  for (let k = 1; k < key.length; k++) s += `.${key[k]}`;
  return s;
}
