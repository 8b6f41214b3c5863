/**
 * Compiles one hot chain of a packed program to a JavaScript function: each rule becomes an `if`
 * on its own constants, so V8 optimizes the chain like hand-written code instead of walking
 * rows. It does exactly what the row walk in evaluate.ts does, rule by rule, and is used only
 * when no trace is collected. Only integers taken from the program's Int32Array (masks,
 * addresses, ports, row and chain numbers) are written into the source: no text from a dump or
 * scenario ever reaches it.
 */
import { CT } from './packet.js';
import type { CChain, EvalEnv } from './evaluate.js';
import type { Packet } from './packet.js';
import {
  F_CT,
  F_CT_NEG,
  F_DPORT,
  F_DPORT_NEG,
  F_DST,
  F_DST_LOCAL,
  F_DST_LOCAL_NEG,
  F_DST_NEG,
  F_MARK,
  F_MARK_NEG,
  F_PREDS,
  F_PROTO,
  F_PROTO_NEG,
  F_SRC,
  F_SRC_LOCAL,
  F_SRC_LOCAL_NEG,
  F_SRC_NEG,
  F_STAT,
  K,
  O_ARG,
  O_ARG2,
  O_CT_STATES,
  O_DPORT_HI,
  O_DPORT_LO,
  O_DST_MASK,
  O_DST_NET,
  O_KIND,
  O_MARK_MASK,
  O_MARK_VALUE,
  O_PROTO,
  O_SRC_MASK,
  O_SRC_NET,
  STRIDE,
} from './program.js';

/** A compiled chain: returns the chain's result (0 = fell through, 1 accept, 2 drop, 3 reject). */
export type ChainCode = (p: Packet, env: EvalEnv, depth: number) => number;

/** The walk function generated code calls for jumps (evaluate.ts's runChain). */
export type RunChain = (chain: CChain, p: Packet, env: EvalEnv, depth: number) => number;

/** An integer for the generated source (throws on anything else, so nothing else is written). */
function int(x: number): string {
  if (!Number.isInteger(x)) throw new Error(`chain code: ${x} is not an integer`);
  return String(x);
}

/** The rule's conditions, in the order the row walk tests them. */
function conditions(rows: Int32Array, o: number, at: number, f: number, predCount: number): string[] {
  const c: string[] = [];
  const eq = (neg: number, a: string, b: string): string => `${a} ${f & neg ? '!==' : '==='} ${b}`;
  if (f & F_SRC) c.push(eq(F_SRC_NEG, `(p.src & ${int(rows[o + O_SRC_MASK]!)})`, int(rows[o + O_SRC_NET]!)));
  if (f & F_DST) c.push(eq(F_DST_NEG, `(p.dst & ${int(rows[o + O_DST_MASK]!)})`, int(rows[o + O_DST_NET]!)));
  if (f & F_PROTO) c.push(eq(F_PROTO_NEG, 'p.proto', int(rows[o + O_PROTO]!)));
  if (f & F_DPORT) {
    const lo = rows[o + O_DPORT_LO]!;
    const hi = rows[o + O_DPORT_HI]!;
    const inRange = lo === hi ? `p.dport === ${int(lo)}` : `(p.dport >= ${int(lo)} && p.dport <= ${int(hi)})`;
    c.push(f & F_DPORT_NEG ? `!(${inRange})` : inRange);
  }
  if (f & F_MARK) c.push(eq(F_MARK_NEG, `(p.mark & ${int(rows[o + O_MARK_MASK]!)})`, int(rows[o + O_MARK_VALUE]!)));
  if (f & F_CT) c.push(`(p.ctstate & ${int(rows[o + O_CT_STATES]!)}) ${f & F_CT_NEG ? '===' : '!=='} 0`);
  if (f & F_DST_LOCAL) c.push(`${f & F_DST_LOCAL_NEG ? '!' : ''}env.isLocal(p.dst)`);
  if (f & F_SRC_LOCAL) c.push(`${f & F_SRC_LOCAL_NEG ? '!' : ''}env.isLocal(p.src)`);
  if (f & F_STAT) c.push(`env.chance(probs[${int(at)}])`);
  else if (f & F_PREDS) for (let j = 0; j < predCount; j++) c.push(`preds[${int(at)}][${int(j)}](p, env)`);
  return c;
}

/** What a matched rule does. */
function target(rows: Int32Array, o: number): string {
  const arg = rows[o + O_ARG]!;
  const arg2 = rows[o + O_ARG2]!;
  switch (rows[o + O_KIND] as K) {
    case K.NONE:
    case K.LOG:
      return '';
    case K.ACCEPT:
      return 'return 1;';
    case K.DROP:
      return 'return 2;';
    case K.REJECT:
      return 'return 3;';
    case K.RETURN:
      return 'return 0;';
    case K.MARK:
      return `p.mark = ((p.mark & ${int(~arg2)}) ^ ${int(arg)}) >>> 0;`;
    case K.DNAT:
      return `p.dst = ${int(arg >>> 0)}; ${arg2 >= 0 ? `p.dport = ${int(arg2)}; ` : ''}p.ctstate |= ${int(CT.DNAT)}; return 1;`;
    case K.SNAT:
      return `p.src = ${int(arg >>> 0)}; ${arg2 >= 0 ? `p.sport = ${int(arg2)}; ` : ''}p.ctstate |= ${int(CT.SNAT)}; return 1;`;
    case K.MASQ:
      return `p.src = env.masqueradeAddress(p.outIface); p.ctstate |= ${int(CT.SNAT)}; return 1;`;
    case K.JUMP:
      return `v = run(chains[${int(arg)}], p, env, depth + 1); if (v !== 0) return v;`;
    case K.GOTO:
      return `return run(chains[${int(arg)}], p, env, depth + 1);`;
  }
}

/** Generates the function for `chain` (a chain without an index). */
export function chainCode(chain: CChain, run: RunChain): ChainCode {
  const prog = chain.program;
  const rows = prog.rows;
  const body: string[] = [];
  for (let at = chain.first; at < chain.first + chain.count; at++) {
    const o = at * STRIDE;
    const f = rows[o]!;
    const cond = conditions(rows, o, at, f, prog.preds[at]?.length ?? 0);
    const then = target(rows, o);
    // A rule without a target still evaluates its conditions (a statistic draw, a recent update).
    body.push(cond.length ? `if (${cond.join(' && ')}) {${then}}` : then);
  }
  const source = `return function chainCode(p, env, depth) {\nlet v = 0;\n${body.join('\n')}\nreturn 0;\n};`;
  const factory = new Function('chains', 'run', 'probs', 'preds', source) as (...args: unknown[]) => ChainCode;
  return factory(prog.chains, run, prog.probs, prog.preds);
}
