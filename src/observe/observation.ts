/**
 * What a backend saw for one request. Every backend returns this same shape, so assertions and
 * reports never know which backend ran. Addresses are always scenario addresses (a backend that
 * uses other real addresses translates them back).
 */
import type { Outcome } from '../model/scenario.js';

/** One step of the path a request took: a rule matched, a NAT rewrite, a routing decision. */
export interface TraceHop {
  /** Node whose data plane this happened on, when any. */
  node?: string;
  /** e.g. 'nat', 'filter', 'route', 'proxy'. */
  table?: string;
  chain?: string;
  /** The rule's text (iptables-save syntax on sim/netns). */
  rule?: string;
  /** What happened: "DNAT to 10.10.1.2:8080", "MASQUERADE to 172.18.0.4", "verdict DROP". */
  note: string;
}

export interface Observation {
  outcome: Outcome;
  /** ip:port that answered. */
  endpoint?: string;
  /** Pod name that answered. */
  pod?: string;
  /** Node that pod runs on. */
  node?: string;
  /** External host (a cluster client with `serves`) that answered, instead of a pod. */
  host?: string;
  /** Client address as the pod saw it (after any SNAT). */
  sourceSeen?: string;
  /** Node the request entered, when it entered through one. */
  ingressNode?: string;
  /** Wall time of the request on real backends; absent on sim. */
  latencyMs?: number;
  /** Low-level detail for failures (errno, message). */
  detail?: string;
  /** The path taken: rules on sim/netns, whatever a backend can tell. */
  trace?: TraceHop[];
}

/** Probabilities computed from the rules (sim only): every endpoint reachable, with its exact probability. */
export interface ExactDistribution {
  /** Verdict when no endpoint is reached on any branch. */
  verdict: 'ok' | 'drop' | 'reject' | 'local' | 'none';
  endpoints: { endpoint: string; pod?: string; node?: string; host?: string; probability: number }[];
}

export type SendResult =
  | { observations: Observation[]; exact?: ExactDistribution }
  | { unsupported: string };
