/**
 * The proxy backend's session: a ProxyLab for the scenario, change steps pushed through the
 * daemons' control API, and each send step run as real requests from the sender's loopback
 * address. Cases loopback cannot reproduce faithfully are answered `unsupported` with the reason.
 */
import type { BackendContext, ApplyResult, BackendSession } from '../backend.js';
import type { ChangeStep, CompiledScenario, SendStep, Traffic } from '../../model/scenario.js';
import type { ClusterState } from '../../model/types.js';
import type { Observation, SendResult } from '../../observe/observation.js';
import type { AddressMap } from './addressMap.js';
import { expectationsFor, isModeSpecific } from '../../model/proxy-mode.js';
import { inCidr } from '../../model/ip.js';
import { ProxyLab } from './lab.js';
import { gatewayOf } from './buildDesired.js';
import { usesNodeSubnet } from '../../model/pod-network.js';
import { requestOnce, runBounded, udpRequestOnce } from './trafficClient.js';

/** Requests in flight at once for one send step (timeouts would otherwise run one after another). */
const SEND_CONCURRENCY = 32;

/** What a target address is in the scenario. */
type TargetKind =
  | { kind: 'node'; node: string }
  | { kind: 'clusterIP' | 'vip'; service: string }
  | { kind: 'pod' }
  | { kind: 'host'; name: string }
  | { kind: 'localhost' }
  | { kind: 'unknown' };

function targetKind(state: ClusterState, address: string): TargetKind {
  if (address.startsWith('127.')) return { kind: 'localhost' };
  const node = state.cluster.nodes.find((n) => n.addresses.includes(address));
  if (node) return { kind: 'node', node: node.name };
  for (const svc of state.services) {
    if (svc.clusterIP === address) return { kind: 'clusterIP', service: `${svc.namespace}/${svc.name}` };
    if (svc.externalIPs.includes(address) || svc.loadBalancerIngress.some((i) => i.ip === address)) {
      return { kind: 'vip', service: `${svc.namespace}/${svc.name}` };
    }
  }
  if (state.pods.some((p) => p.ip === address)) return { kind: 'pod' };
  // A serving host is reached directly (its echo server listens on its own loopback address).
  const host = state.cluster.clients.find((c) => c.address === address && (c.serves ?? []).length > 0);
  if (host) return { kind: 'host', name: host.name };
  return { kind: 'unknown' };
}

/**
 * Why a step whose answer depends on kube-proxy's mode is skipped outside iptables mode: proxyd
 * implements iptables-mode semantics only (a ClusterIP's unserved port times out rather than being
 * rejected, node ports listen on every node address and on localhost), so it cannot give the
 * nftables answer. Steps that state no per-mode answer behave the same in both modes and run.
 */
export function modeSpecificReason(mode: string): string {
  return `this step states a different answer per kube-proxy mode, and the proxy daemon implements iptables-mode semantics only, not ${mode} mode's differences`;
}

/** Why this traffic cannot be reproduced faithfully on loopback, or undefined when it can. */
export function unsupportedReason(state: ClusterState, t: Traffic): string | undefined {
  if (t.protocol !== 'TCP' && t.protocol !== 'UDP') return `${t.protocol} traffic is not proxied by the proxy backend (TCP and UDP only)`;
  const target = targetKind(state, t.to.address);
  if (target.kind === 'unknown') return `target ${t.to.address} is no node, pod, serving host or service address of this scenario`;
  if (target.kind === 'localhost' && t.from.kind !== 'node') {
    return `${t.to.address} from a ${t.from.kind} is its own loopback, which the proxy backend does not model (only a node's 127.0.0.1 node ports)`;
  }
  const client = t.from.kind === 'client' ? state.cluster.clients.find((c) => c.name === t.from.name) : undefined;
  const routed = client?.routes.some((r) => inCidr(t.to.address, r.to)) ?? false;
  // With node-subnet addressing the network routes pod addresses to their nodes: a direct connection.
  if (target.kind === 'pod' && t.from.kind === 'client' && !routed && !usesNodeSubnet(state.cluster)) {
    return 'a pod address reached from outside the cluster depends on routing that loopback does not model';
  }
  if (target.kind === 'pod' && client && routed) {
    const via = client.routes.find((r) => inCidr(t.to.address, r.to))!.via;
    const podNode = state.cluster.nodes.find((n) => n.name === state.pods.find((p) => p.ip === t.to.address)?.node);
    if (podNode && !podNode.addresses.includes(via)) {
      return `the route to pod ${t.to.address} goes via ${via}, not the pod's node: in the kernel the answer takes another path and the forwarding node's conntrack drops the client's next packet as INVALID; loopback has no per-node conntrack to reproduce that`;
    }
  }
  if (target.kind === 'vip') {
    const svc = state.services.find((s) => `${s.namespace}/${s.name}` === target.service);
    if (t.from.kind === 'client' && !routed) {
      return `which node external/LoadBalancer IP ${t.to.address} enters is not known without a client route (add routes: [{to: ${t.to.address}/32, via: <node ip>}])`;
    }
  }
  return undefined;
}

/**
 * The loopback address a request leaves from. As the kernel's source address selection does, a
 * node reaching one of its own pods directly leaves by the pod bridge (the pod sees the node's
 * pod gateway address); everything else leaves from the sender's own address.
 */
function sourceAddress(state: ClusterState, map: AddressMap, t: Traffic, toPod: boolean): string {
  if (t.from.kind === 'node' && toPod) {
    const node = state.cluster.nodes.find((n) => n.name === t.from.name);
    const pod = state.pods.find((p) => p.ip === t.to.address);
    if (node && pod?.node === node.name) return gatewayOf(state.cluster, node, map) ?? map.loopback(t.from.address);
  }
  return map.loopback(t.from.address);
}

/** One line for reports: what the proxy did with a request, as far as the client can tell. */
function traceNote(o: Observation): string {
  if (o.outcome === 'ok' && o.host) return `reached ${o.endpoint} (host ${o.host}), which saw ${o.sourceSeen}`;
  if (o.outcome === 'ok') return o.pod ? `proxied to ${o.endpoint} (pod ${o.pod}), which saw ${o.sourceSeen}` : `answered (${o.detail ?? 'not an echo pod'})`;
  if (o.outcome === 'timeout') return 'no answer: accepted and held (a drop), or nothing routed it';
  if (o.outcome === 'refused') return 'refused: nothing listens there (no endpoints, or not a service port)';
  return `${o.outcome}: ${o.detail ?? ''}`.trim();
}

export class ProxySession implements BackendSession {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly lab: ProxyLab,
    private readonly ctx: BackendContext,
  ) {}

  static async start(scenario: CompiledScenario, ctx: BackendContext): Promise<ProxySession> {
    const lab = await ProxyLab.start(scenario.initial, { seed: ctx.seed, laterStates: scenario.steps.map((s) => s.state), holdMs: 60_000 });
    const session = new ProxySession(lab, ctx);
    const onAbort = (): void => void session.close();
    if (ctx.signal.aborted) {
      await session.close();
      throw ctx.signal.reason ?? new Error('aborted');
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    ctx.log(`proxy: ${lab.nodes.size} daemons, ${lab.runningPods().length} echo servers on 127.${lab.map.run}.0.0/16`);
    return session;
  }

  /** Scenario <-> loopback addresses of this session. */
  get addressMap(): AddressMap {
    return this.lab.map;
  }

  async apply(step: ChangeStep): Promise<ApplyResult> {
    await this.lab.update(step.state);
    return { applied: true };
  }

  async send(step: SendStep): Promise<SendResult> {
    const state = this.lab.state ?? step.state;
    const t = step.traffic;
    const mode = step.state.cluster.kubeProxy.mode;
    if (mode !== 'iptables' && isModeSpecific(step)) return { unsupported: modeSpecificReason(mode) };
    if (expectationsFor(step, mode).expect.some((e) => e.kind === 'distribution' && e.method === 'exact')) {
      return { unsupported: 'method exact needs probabilities derived from kube-proxy rules; the proxy backend only samples (use method auto or sample)' };
    }
    const why = unsupportedReason(state, t);
    if (why) return { unsupported: why };
    const map = this.lab.map;
    if (!map.has(t.from.address)) return { unsupported: `source ${t.from.address} has no loopback address` };
    const target = targetKind(state, t.to.address);
    const source = sourceAddress(state, map, t, target.kind === 'pod');
    // A node's 127.0.0.1 is that node's own stand-in address.
    const host = target.kind === 'localhost' ? map.nodeLocalhost(t.from.name) : map.loopback(t.to.address);
    let ingressNode: string | undefined;
    if (target.kind === 'node') ingressNode = target.node;
    else if (target.kind === 'localhost') ingressNode = t.from.name;
    // A node's own traffic meets kube-proxy on that node first (nat OUTPUT), a pod's on its node.
    else if (t.from.kind === 'node') ingressNode = t.from.name;
    else if (t.from.kind === 'pod') ingressNode = t.from.node;
    else if (t.from.kind === 'client') {
      const client = state.cluster.clients.find((c) => c.name === t.from.name);
      const via = client?.routes.find((r) => inCidr(t.to.address, r.to))?.via;
      ingressNode = state.cluster.nodes.find((n) => via !== undefined && (n.addresses.includes(via) || n.name === via))?.name;
    }
    const declared = state.services.some(
      (s) =>
        (s.clusterIP === t.to.address || s.externalIPs.includes(t.to.address) || s.loadBalancerIngress.some((i) => i.ip === t.to.address)) &&
        s.ports.some((p) => p.protocol === t.protocol && p.port === t.to.port),
    );
    const protocol = t.protocol === 'UDP' ? 'UDP' : 'TCP';
    const releaseBlackhole = (target.kind === 'clusterIP' || target.kind === 'vip') && !declared ? await this.lab.blackhole(host, t.to.port, protocol) : undefined;
    try {
      return { observations: await this.requests(t, host, source, ingressNode) };
    } finally {
      await releaseBlackhole?.();
    }
  }

  private requests(t: Traffic, host: string, source: string, ingressNode: string | undefined): Promise<Observation[]> {
    return runBounded(
      t.count,
      SEND_CONCURRENCY,
      async (): Promise<Observation> => {
        const send = t.protocol === 'UDP' ? udpRequestOnce : requestOnce;
        const r = await send({ host, port: t.to.port, localAddress: source, timeoutMs: t.timeoutMs });
        const o: Observation = { outcome: r.outcome, latencyMs: Math.round(r.latencyMs * 1000) / 1000 };
        if (r.detail && r.outcome !== 'ok') o.detail = r.detail;
        if (r.answer?.host) {
          o.host = r.answer.host;
          o.endpoint = r.answer.endpoint;
          o.sourceSeen = r.answer.clientip.replace(/:\d+$/, '');
        } else if (r.answer) {
          o.pod = r.answer.pod;
          o.node = r.answer.node;
          o.endpoint = r.answer.endpoint;
          o.sourceSeen = r.answer.clientip.replace(/:\d+$/, '');
        }
        if (ingressNode !== undefined) o.ingressNode = ingressNode;
        o.trace = [{ ...(ingressNode !== undefined ? { node: ingressNode } : {}), table: 'proxy', note: traceNote(o) }];
        return o;
      },
      this.ctx.signal,
    );
  }

  close(): Promise<void> {
    this.closing ??= this.lab.close();
    return this.closing;
  }
}
