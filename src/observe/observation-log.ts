/**
 * A step's observations, collected as they stream in with memory that stays flat in the number of
 * requests. Every assertion judges what a request's answer was (outcome, endpoint, pod or host, node,
 * source seen, ingress node, the failure's text: the distribution needs counts per pod, sticky
 * needs who answered), so
 * that part is kept for every request, but identical answers share one frozen object: 100,000
 * requests that went to three pods cost three objects and an array of references. Per-request
 * detail (the packet path, latency) is kept for a bounded sample: the first request of
 * each distinct answer, up to MAX_DETAILED, which is what reports show (one path per answer).
 */
import type { Observation } from './observation.js';

/** Requests whose full detail (trace, detail, latency) is kept per step. */
export const MAX_DETAILED = 64;

type Answer = Pick<Observation, 'outcome' | 'endpoint' | 'pod' | 'host' | 'node' | 'sourceSeen' | 'ingressNode' | 'detail'>;

/** The fields of an answer every assertion reads, copied from an observation or a backend's result. */
export function answerOf(o: Answer): Answer {
  const a: Answer = { outcome: o.outcome };
  if (o.endpoint !== undefined) a.endpoint = o.endpoint;
  if (o.pod !== undefined) a.pod = o.pod;
  if (o.host !== undefined) a.host = o.host;
  if (o.node !== undefined) a.node = o.node;
  if (o.sourceSeen !== undefined) a.sourceSeen = o.sourceSeen;
  if (o.ingressNode !== undefined) a.ingressNode = o.ingressNode;
  if (o.detail !== undefined) a.detail = o.detail;
  return a;
}

function keyOf(a: Answer): string {
  return [a.outcome, a.endpoint, a.pod, a.host, a.node, a.sourceSeen, a.ingressNode, a.detail].map((x) => x ?? '').join('\u0000');
}

export class ObservationLog {
  private readonly list: Observation[] = [];
  private readonly shared = new Map<string, Observation>();
  private readonly counts = new Map<string, number>();
  private detailed = 0;

  /** Records one request; its detail is kept only when it is the first of its answer (bounded). */
  add(o: Observation): void {
    const answer = answerOf(o);
    const key = keyOf(answer);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const known = this.shared.get(key);
    if (known !== undefined) {
      this.list.push(known);
      return;
    }
    const light = Object.freeze(answer) as Observation;
    this.shared.set(key, light);
    const hasDetail = o.trace !== undefined || o.latencyMs !== undefined;
    if (hasDetail && this.detailed < MAX_DETAILED) {
      this.detailed++;
      this.list.push(o);
    } else this.list.push(light);
  }

  /** Whether the next request's detail would be kept (lets a backend skip building it). */
  wantsDetail(): boolean {
    return this.detailed < MAX_DETAILED;
  }

  get size(): number {
    return this.list.length;
  }

  /** How many distinct answers were seen (each is one shared object). */
  get distinct(): number {
    return this.shared.size;
  }

  /** How many requests kept their full detail. */
  get detailedCount(): number {
    return this.detailed;
  }

  /** The observations in request order: one per request, identical answers sharing one object. */
  observations(): Observation[] {
    return this.list;
  }
}
