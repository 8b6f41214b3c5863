/**
 * A scenario run on the simulator: one SimNetwork whose nodes keep conntrack and `recent` state
 * across the steps, a seeded RNG, and a virtual clock (100 ms per request, 1 s per change) so
 * `recent --seconds` and conntrack timeouts behave deterministically.
 */
import type { ApplyResult, BackendContext, BackendSession } from '../backend.js';
import type { ChangeStep, CompiledScenario, SendStep, TrafficSource } from '../../model/scenario.js';
import type { ClusterState } from '../../model/types.js';
import type { Observation, SendResult } from '../../observe/observation.js';
import { ObservationLog, answerOf } from '../../observe/observation-log.js';
import { Rng } from '../../evaluators/iptables/rng.js';
import { formatIPv4, parseIPv4 } from '../../evaluators/iptables/ip.js';
import { SimNetwork, type Sender, type SimNetworkOptions } from './network.js';
import { exactRequest } from './exact.js';
import { simMode } from './modes.js';

export const SECONDS_PER_REQUEST = 0.1;
/** Longest stretch of requests between two turns of the event loop. */
const YIELD_EVERY_MS = 20;
/** Requests per step whose packet path is recorded (reports show one path per answer). */
const TRACED_REQUESTS = 1000;
export const SECONDS_PER_CHANGE = 1;
const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_COUNT = 60999 - 32768 + 1;

export function senderOf(from: TrafficSource): Sender {
  switch (from.kind) {
    case 'client':
      return { kind: 'client', name: from.name };
    case 'node':
      return { kind: 'node', name: from.name };
    case 'pod':
      return { kind: 'pod', name: from.name };
  }
}

/** `ip:port/proto` of every endpoint of every slice: what kube-proxy's conntrack cleanup compares. */
function endpointSet(state: ClusterState): Set<string> {
  const out = new Set<string>();
  for (const slice of state.endpointSlices) {
    for (const ep of slice.endpoints) {
      if (!(ep.conditions.ready || (ep.conditions.serving && ep.conditions.terminating))) continue;
      for (const addr of ep.addresses) for (const port of slice.ports) out.add(`${addr}:${port.port}/${port.protocol.toLowerCase()}`);
    }
  }
  return out;
}

export class SimSession implements BackendSession {
  readonly net: SimNetwork;
  /** Why this scenario cannot run here (an unmodelled kube-proxy mode); every send step says so. */
  private readonly unsupported: string | undefined;
  private readonly rng: Rng;
  private now = 0;
  private requests = 0;
  private closed = false;

  constructor(
    scenario: CompiledScenario,
    private readonly ctx: BackendContext,
    options: SimNetworkOptions = {},
  ) {
    this.rng = new Rng(ctx.seed);
    const mode = simMode(scenario.initial.cluster.kubeProxy.mode, options);
    // An unmodelled mode still gets a network (iptables rules) so change steps apply, but every
    // send step is reported unsupported: nothing is observed under the wrong mode.
    this.unsupported = 'unsupported' in mode ? mode.unsupported : undefined;
    const m = 'unsupported' in mode ? (simMode('iptables', options) as Exclude<typeof mode, { unsupported: string }>) : mode;
    this.net = new SimNetwork(scenario.initial, m.render, { ...options, walker: m.walker });
  }

  async apply(step: ChangeStep): Promise<ApplyResult> {
    this.now += SECONDS_PER_CHANGE;
    this.net.update(step.state);
    // kube-proxy clears UDP/SCTP conntrack entries that point at endpoints that went away; TCP
    // flows are left alone (they fail on their own).
    const alive = endpointSet(step.state);
    const protoName = (n: number) => (n === 17 ? 'udp' : n === 132 ? 'sctp' : 'tcp');
    for (const name of this.net.nodeNames()) {
      this.net.host(name)!.conntrack.deleteWhere((e) => {
        if (!e.dnat || e.original.proto === 6) return false;
        const target = `${formatIPv4(e.reply.src)}:${e.reply.sport}/${protoName(e.original.proto)}`;
        return !alive.has(target);
      });
    }
    return { applied: true };
  }

  async send(step: SendStep): Promise<SendResult> {
    if (this.unsupported !== undefined) return { unsupported: this.unsupported };
    const mode = step.state.cluster.kubeProxy.mode;
    if (mode !== this.net.mode) {
      return { unsupported: `the scenario switches kube-proxy from ${this.net.mode} to ${mode} mode mid-run; the simulator keeps one mode per run` };
    }
    const t = step.traffic;
    const sender = this.senderFor(t.from);
    const protocol = t.protocol.toLowerCase();
    const exact = exactRequest(this.net, { sender, address: t.to.address, port: t.to.port, protocol, now: this.now + SECONDS_PER_REQUEST, sport: this.nextPort() });
    const log = new ObservationLog();
    let slice = performance.now();
    for (let i = 0; i < t.count; i++) {
      // A long step must not hold the event loop: timers (--timeout) and Ctrl-C get their turn.
      if (performance.now() - slice > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
      if (this.ctx.signal.aborted || this.closed) break;
      this.now += SECONDS_PER_REQUEST;
      const sport = this.nextPort();
      const r = this.net.request(sender, t.to.address, t.to.port, protocol, {
        chance: (p) => this.rng.next() < p,
        now: this.now,
        mutate: true,
        sport,
        // Paths are kept for a sample only (the first request of each answer); building one for
        // every request of a long step would cost a third of its time for nothing.
        trace: i < TRACED_REQUESTS && log.wantsDetail(),
      });
      const obs: Observation = answerOf(r);
      if (r.trace.length > 0) obs.trace = r.trace;
      log.add(obs);
      if (++this.requests % 512 === 0) for (const n of this.net.nodeNames()) this.net.host(n)!.conntrack.prune(this.now);
    }
    return { observations: log.observations(), exact: { verdict: exact.verdict, endpoints: exact.endpoints } };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private senderFor(from: TrafficSource): Sender {
    if (from.kind === 'pod' && parseIPv4(from.address) !== undefined) return { kind: 'address', address: from.address };
    return senderOf(from);
  }

  /** Source port of the next connection (each request is a new connection). */
  private nextPort(): number {
    return EPHEMERAL_FIRST + (this.requests % EPHEMERAL_COUNT);
  }
}
