/**
 * The parsed form of `nft list ruleset`: tables of sets, maps and chains; a rule is its matches
 * and statements in the order written (nftables evaluates them left to right), with its source
 * line and text so traces can quote it. Values are numbers (IPv4 addresses as unsigned 32-bit
 * integers, protocols, ports, marks, conntrack bits); interface names stay strings.
 */

/** The value types a selector yields (nft's datatype names where it has one). */
export type DataType = 'ipv4_addr' | 'ipv6_addr' | 'inet_proto' | 'inet_service' | 'mark' | 'integer' | 'ifname' | 'ct_state' | 'ct_status' | 'fib_addrtype' | 'nf_proto' | 'verdict';

/** Something read from the packet or its context. */
export type Selector =
  | { kind: 'ip'; field: 'saddr' | 'daddr' | 'protocol' }
  /** An IPv6 header field: an IPv4 packet never has one, so it never matches. */
  | { kind: 'ip6'; field: string }
  | { kind: 'meta'; key: 'l4proto' | 'mark' | 'iifname' | 'oifname' | 'nfproto' | 'protocol' }
  /** `th dport` (any transport), `tcp dport` (also requires TCP), ... */
  | { kind: 'port'; field: 'sport' | 'dport'; proto: number | null }
  | { kind: 'ct'; key: 'state' | 'status' }
  | { kind: 'fib'; addr: 'saddr' | 'daddr' }
  | { kind: 'numgen'; mod: number; offset: number }
  | { kind: 'binop'; op: '&' | '|' | '^'; left: Selector; right: number };

/** One component of a set element or literal: a range of values (a single value has lo === hi). */
export interface Range {
  lo: number;
  hi: number;
}

/** A set element: one range per key component, plus its data for maps. */
export interface Element {
  key: Range[];
  /** Map data: a verdict, or the data components (`10.0.0.1 . 80`). */
  verdict?: VerdictSpec;
  data?: number[];
  /** Seconds, when the element carries `timeout`. */
  timeout?: number;
  line: number;
}

export type VerdictSpec =
  | { kind: 'accept' | 'drop' | 'continue' | 'return' }
  | { kind: 'jump' | 'goto'; chain: string; at?: At };

/** Where something was written (for errors found after parsing, like an unknown chain). */
export interface At {
  line: number;
  col: number;
}

export interface SetSpec {
  name: string;
  /** true for `map` (and verdict maps). */
  isMap: boolean;
  keyTypes: DataType[];
  /** Map data types; ['verdict'] for a verdict map. */
  dataTypes: DataType[];
  flags: Set<string>;
  /** Default element timeout (seconds). */
  timeout?: number;
  elements: Element[];
  line: number;
}

/** A set written in the rule itself (`{ 10.0.0.0/8, 192.168.0.0/16 }`, `vmap { 0 : goto a }`). */
export interface AnonymousSet {
  keyTypes: DataType[];
  dataTypes: DataType[];
  elements: Element[];
}

export type SetRef = { named: string; at: At } | { anonymous: AnonymousSet };

/** A right-hand side of a comparison. */
export type Operand =
  | { kind: 'value'; value: Range[] }
  /** Flag names of a bitmask type (`ct state established,related`): any of these bits. */
  | { kind: 'flags'; bits: number }
  | { kind: 'string'; value: string; wildcard: boolean };

export type Item =
  | { kind: 'cmp'; left: Selector[]; op: '==' | '!=' | '<' | '>' | '<=' | '>='; right: Operand }
  | { kind: 'lookup'; left: Selector[]; set: SetRef; negate: boolean }
  | { kind: 'vmap'; left: Selector[]; map: SetRef }
  | { kind: 'verdict'; verdict: VerdictSpec }
  | { kind: 'reject'; with: string }
  | { kind: 'nat'; type: 'dnat' | 'snat'; target: NatTarget }
  | { kind: 'masquerade'; flags: string[] }
  | { kind: 'mark-set'; value: ValueExpr }
  | { kind: 'set-update'; op: 'add' | 'update' | 'delete'; set: string; at: At; key: Selector[]; timeout?: number }
  | { kind: 'counter' }
  | { kind: 'log'; prefix?: string };

/** A computed value: a constant, a selector (with bit operations), or a map lookup. */
export type ValueExpr =
  | { kind: 'const'; value: number }
  | { kind: 'selector'; selector: Selector }
  | { kind: 'map'; key: Selector[]; map: SetRef };

export type NatTarget =
  | { kind: 'fixed'; addr: number; port?: number }
  /** `numgen random mod 2 map { 0 : 10.0.0.1 . 80, ... }`: data is address (and port). */
  | { kind: 'map'; key: Selector[]; map: SetRef };

export interface RuleSpec {
  /** 1-based line in the dump. */
  line: number;
  /** The rule as written. */
  text: string;
  items: Item[];
  comment?: string;
}

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress' | 'egress';

export interface BaseChainSpec {
  type: 'filter' | 'nat' | 'route';
  hook: Hook;
  priority: number;
  policy: 'accept' | 'drop';
}

export interface ChainSpec {
  name: string;
  table: string;
  base?: BaseChainSpec;
  rules: RuleSpec[];
  line: number;
}

export interface TableSpec {
  family: 'ip' | 'inet';
  name: string;
  sets: Map<string, SetSpec>;
  chains: Map<string, ChainSpec>;
  line: number;
}

export interface NftRuleset {
  /** Tables that see IPv4 packets (families ip and inet), in dump order. */
  tables: TableSpec[];
  /** Tables of other families, which never see an IPv4 packet: listed, not evaluated. */
  skipped: { family: string; name: string; line: number }[];
}
