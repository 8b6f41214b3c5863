/**
 * The packed layout of a compiled ruleset, shared by the evaluator and the chain code generator.
 */
import type { RuleSpec } from './ast.js';
import type { CChain, EvalEnv } from './evaluate.js';
import type { Packet } from './packet.js';

/*
 * Compiled form. Every rule of the ruleset is one 16-slot row of a single Int32Array, and the
 * rules of a chain are consecutive rows, so a walk reads memory in order and a row fits a cache
 * line. The pure base matches (addresses, protocol, one destination port range, mark, conntrack
 * state, addrtype LOCAL) are fields of the row, tested by one monomorphic function; a lone
 * `statistic` match is a probability in the row's last two slots; everything else (interfaces, port lists,
 * other addrtypes, recent) stays a closure, checked after the row's fields, in rule order.
 */
export const STRIDE = 16;
export const O_FLAGS = 0;
export const O_SRC_NET = 1;
export const O_SRC_MASK = 2;
export const O_DST_NET = 3;
export const O_DST_MASK = 4;
export const O_PROTO = 5;
export const O_DPORT_LO = 6;
export const O_DPORT_HI = 7;
export const O_MARK_VALUE = 8;
export const O_MARK_MASK = 9;
export const O_CT_STATES = 10;
export const O_KIND = 11;
/** Target argument: chain number (jump/goto), address (DNAT/SNAT), mark value (MARK). */
export const O_ARG = 12;
/** Second argument: port or -1 (DNAT/SNAT), mark mask (MARK). */
export const O_ARG2 = 13;
/** A `statistic` probability's 64 bits (read back exactly), so the walk needs no other array. */
export const O_PROB_LO = 14;
export const O_PROB_HI = 15;

const probBits = new Float64Array(1);
const probWords = new Int32Array(probBits.buffer);

export function writeProbability(rows: Int32Array, o: number, p: number): void {
  probBits[0] = p;
  rows[o + O_PROB_LO] = probWords[0]!;
  rows[o + O_PROB_HI] = probWords[1]!;
}

export function readProbability(rows: Int32Array, o: number): number {
  probWords[0] = rows[o + O_PROB_LO]!;
  probWords[1] = rows[o + O_PROB_HI]!;
  return probBits[0]!;
}

export const F_SRC = 1 << 0;
export const F_SRC_NEG = 1 << 1;
export const F_DST = 1 << 2;
export const F_DST_NEG = 1 << 3;
export const F_PROTO = 1 << 4;
export const F_PROTO_NEG = 1 << 5;
export const F_DPORT = 1 << 6;
export const F_DPORT_NEG = 1 << 7;
export const F_MARK = 1 << 8;
export const F_MARK_NEG = 1 << 9;
export const F_CT = 1 << 10;
export const F_CT_NEG = 1 << 11;
export const F_SRC_LOCAL = 1 << 12;
export const F_SRC_LOCAL_NEG = 1 << 13;
export const F_DST_LOCAL = 1 << 14;
export const F_DST_LOCAL_NEG = 1 << 15;
/** The row's tests above; any of them set means `baseMatches` runs. */
export const F_BASE = (1 << 16) - 1;
/** Closures in `preds[rule]` run after the row's tests. */
export const F_PREDS = 1 << 16;
/** `statistic --mode random` with `probs[rule]`, after the row's tests. */
export const F_STAT = 1 << 17;

export const enum K {
  NONE,
  ACCEPT,
  DROP,
  REJECT,
  RETURN,
  DNAT,
  SNAT,
  MASQ,
  MARK,
  LOG,
  JUMP,
  GOTO,
}

export type Pred = (p: Packet, env: EvalEnv) => boolean;

/** The packed program every chain of a ruleset points into. */
export interface Program {
  rows: Int32Array;
  probs: Float64Array;
  preds: (Pred[] | undefined)[];
  specs: RuleSpec[];
  chains: CChain[];
  /** Hot chains may be compiled to JavaScript (off on the plain path). */
  codegen: boolean;
  hotCalls: number;
  /** How many more chains may still be compiled to code. */
  codeBudget: number;
}

