/**
 * Messages between svclab, the sandbox agent, and the per-namespace workers (JSON lines), plus
 * the two pure helpers both ends share: errno classification and echo-reply parsing.
 */
import type { Outcome } from '../../../model/scenario.js';
import type { Protocol } from '../../../model/types.js';

export interface ServeRequest {
  id: number;
  op: 'serve';
  /** Pod name; "" when a node itself answers (health-check node ports). */
  pod: string;
  node: string;
  ports: { port: number; protocol: Protocol }[];
}

export interface ProbeRequest {
  id: number;
  op: 'probe';
  host: string;
  port: number;
  protocol: 'TCP' | 'UDP';
  count: number;
  timeoutMs: number;
  /** Requests in flight at once (each on a fresh connection). */
  concurrency: number;
}

export type WorkerRequest = ServeRequest | ProbeRequest;

/** One probe request's result, as the worker saw it. */
export interface ProbeResult {
  outcome: Outcome;
  pod?: string;
  node?: string;
  /** Client address the echo pod saw. */
  peer?: string;
  /** Address and port the echo pod was reached on (after DNAT). */
  local?: string;
  localPort?: number;
  /** The sender's own source port (to find the connection in a node's conntrack table). */
  sourcePort?: number;
  latencyMs: number;
  detail?: string;
}

export type WorkerResponse =
  | { id: number; ok: true; results?: ProbeResult[]; ready?: boolean }
  | { id: number; ok: false; error: string };

/** Requests to the sandbox agent. */
export type AgentRequest =
  | { id: number; op: 'exec'; argv: string[]; input?: string; timeoutMs: number }
  /** `argv`: another program to run as the worker (it speaks the same id'd JSON lines); default the echo worker. */
  | { id: number; op: 'startWorker'; key: string; ns: string; argv?: string[] }
  | { id: number; op: 'stopWorker'; key: string }
  | { id: number; op: 'worker'; key: string; request: Omit<ServeRequest, 'id'> | Omit<ProbeRequest, 'id'> }
  /** A request to a worker started with `argv`, passed through as is. */
  | { id: number; op: 'call'; key: string; request: Record<string, unknown> };

/** An agent request before it gets its id. */
export type AgentCall = AgentRequest extends infer R ? (R extends AgentRequest ? Omit<R, 'id'> : never) : never;

export type AgentResponse =
  | { id: number; ok: true; code?: number; stdout?: string; stderr?: string; response?: WorkerResponse; reply?: Record<string, unknown>; ready?: boolean; pid?: number }
  | { id: number; ok: false; error: string };

/** The errno of a failed request, as the outcome a scenario talks about. */
export function classifyErrno(code: string | undefined): Outcome {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    default:
      // EHOSTUNREACH, ENETUNREACH and anything else that means "no way there".
      return 'unreachable';
  }
}

/** The echo pod's JSON answer, or undefined when the body is something else. */
export function parseEchoReply(body: string): Pick<ProbeResult, 'pod' | 'node' | 'peer' | 'local' | 'localPort'> | undefined {
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    if (typeof v.pod !== 'string' || typeof v.peer !== 'string') return undefined;
    return {
      pod: v.pod,
      node: typeof v.node === 'string' ? v.node : undefined,
      peer: v.peer,
      local: typeof v.local === 'string' ? v.local : undefined,
      localPort: typeof v.localPort === 'number' ? v.localPort : undefined,
    };
  } catch {
    return undefined;
  }
}
