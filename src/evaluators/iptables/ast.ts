/**
 * The parsed form of an `iptables-save` dump: tables of chains of rules, each rule keeping its
 * source line and text so traces can quote it.
 */
import type { Cidr } from './ip.js';

export interface Negatable<T> {
  value: T;
  negate: boolean;
}

/** Inclusive port range; a single port has `from === to`. */
export interface PortRange {
  from: number;
  to: number;
}

export type MatchSpec =
  | { module: 'comment'; comment: string }
  | { module: 'ports'; dport?: Negatable<PortRange[]>; sport?: Negatable<PortRange[]>; either?: Negatable<PortRange[]> }
  | { module: 'addrtype'; srcType?: Negatable<string[]>; dstType?: Negatable<string[]> }
  | { module: 'statistic'; probability: number }
  | { module: 'mark'; value: number; mask: number; negate: boolean }
  | { module: 'conntrack'; states: number; negate: boolean }
  | {
      module: 'recent';
      command: 'set' | 'rcheck' | 'update' | 'remove';
      negate: boolean;
      name: string;
      seconds?: number;
      hitcount?: number;
      reap: boolean;
      mask: number;
      /** true: key on the destination address (`--rdest`), else the source. */
      rdest: boolean;
    }
  | { module: 'nfacct'; name: string };

export type TargetSpec =
  | { kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { kind: 'REJECT'; rejectWith: string }
  | { kind: 'DNAT'; addr: number; port?: number; text: string }
  | { kind: 'SNAT'; addr: number; port?: number; text: string }
  | { kind: 'MASQUERADE'; randomFully: boolean }
  /** Every MARK form normalized to `mark = (mark & ~mask) ^ value`. */
  | { kind: 'MARK'; value: number; mask: number }
  | { kind: 'LOG' }
  | { kind: 'chain'; name: string };

export interface RuleSpec {
  table: string;
  chain: string;
  /** 1-based line in the dump. */
  line: number;
  /** The rule line as written (`-A CHAIN ...`). */
  text: string;
  src?: Negatable<Cidr>;
  dst?: Negatable<Cidr>;
  /** Protocol number; 0 = all. */
  proto?: Negatable<number>;
  inIface?: Negatable<string>;
  outIface?: Negatable<string>;
  matches: MatchSpec[];
  target?: TargetSpec;
  /** `-g` instead of `-j`: returning from the target chain returns from this chain too. */
  goto: boolean;
}

export interface ChainSpec {
  name: string;
  /** Builtin chains have ACCEPT or DROP; user chains '-'. */
  policy: 'ACCEPT' | 'DROP' | '-';
  rules: RuleSpec[];
}

export interface TableSpec {
  name: string;
  chains: Map<string, ChainSpec>;
}

export interface Ruleset {
  tables: Map<string, TableSpec>;
}
