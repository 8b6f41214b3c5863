/**
 * One scenario on a real cluster: a fresh namespace, the scenario's objects applied through
 * kubectl, client containers on the `kind` network, and each request a fresh curl connection from
 * the sender (client container, node container, or pod). Observations are translated back to
 * scenario names and addresses. Cleanup (namespace, client containers) runs on close, which the
 * runner calls also after failures and on abort.
 */
import type { ApplyResult, BackendContext, BackendSession } from '../backend.js';
import { inCidr } from '../../model/ip.js';
import type { ChangeStep, CompiledScenario, SendStep, Traffic } from '../../model/scenario.js';
import type { ClusterState, Pod, Service } from '../../model/types.js';
import type { Observation, SendResult } from '../../observe/observation.js';
import { AddressMap, mapNodes } from './addressMap.js';
import { usesNodeSubnet } from '../../model/pod-network.js';
import type { ClusterHandle, ClusterManager } from './cluster.js';
import * as cmd from './commands.js';
import type { Command } from './commands.js';
import type { CommandResult, CommandRunner } from './exec.js';
import { CommandFailedError, formatCommand } from './exec.js';
import { asList, buildManifests, echoPorts, firstEchoContainer, namespaceManifest } from './manifests.js';
import { clientContainerName, namespaceName } from './names.js';
import { parseDockerInspectIPs, parseEndpointSlicesJson, parseNodesJson, parsePodsJson, parseServicesJson } from './parse.js';
import type { RealNode, RealPod, RealService } from './parse.js';
import { parseProbe } from './probe.js';
import type { ProbeResult } from './probe.js';

/** What a session needs from outside; tests pass a fake runner and a fixed random suffix. */
export interface SessionDeps {
  runner: CommandRunner;
  clusters: ClusterManager;
  /** Random [a-z0-9]{5} suffix for the namespace and container names. */
  random(): string;
  /** Pause between polls (ms); tests use 0. */
  pollMs?: number;
}

/** Requests in flight at once for one send step (each is a docker/kubectl exec process). */
const SEND_CONCURRENCY = 8;
const POD_READY_TIMEOUT_MS = 180_000;
const SLICE_TIMEOUT_MS = 60_000;
/** Probes per service port before measuring; consecutive good answers that count as programmed. */
const SETTLE_ATTEMPTS = 20;
const SETTLE_GOOD = 3;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The port a pod serves for a service port (numeric or named targetPort). */
function targetPortOf(pod: Pod, port: Service['ports'][number]): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return pod.ports.find((p) => p.name === port.targetPort && p.protocol === port.protocol)?.containerPort;
}

export class KindSession implements BackendSession {
  private state: ClusterState;
  private map!: AddressMap;
  private realNodes = new Map<string, RealNode>();
  private clientContainers = new Map<string, string>();
  private clientIPs = new Map<string, string>();
  private realPods = new Map<string, RealPod>();
  private realServices = new Map<string, RealService>();
  /** Set once a change could not be made: later steps would run against the wrong world. */
  private diverged: string | undefined;
  private closing: Promise<void> | undefined;
  private namespaceCreated = false;

  private constructor(
    initial: ClusterState,
    private readonly ctx: BackendContext,
    private readonly deps: SessionDeps,
    private readonly cluster: ClusterHandle,
    readonly namespace: string,
    private readonly suffix: string,
  ) {
    this.state = initial;
  }

  static async start(scenario: CompiledScenario, ctx: BackendContext, deps: SessionDeps): Promise<KindSession> {
    const cluster = await deps.clusters.acquire(scenario.initial.cluster, ctx.log, ctx.signal);
    for (const d of cluster.differences) ctx.log(`kind: note: ${d}`);
    const suffix = deps.random();
    const session = new KindSession(scenario.initial, ctx, deps, cluster, namespaceName(scenario.name, suffix), suffix);
    const onAbort = (): void => void session.close();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await session.setUp();
    } catch (err) {
      await session.close();
      throw ctx.signal.aborted ? (ctx.signal.reason ?? err) : err;
    }
    return session;
  }

  private run(c: Command, input?: string, timeoutMs?: number): Promise<CommandResult> {
    const options: { signal: AbortSignal; input?: string; timeoutMs?: number } = { signal: this.ctx.signal };
    if (input !== undefined) options.input = input;
    if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
    return this.deps.runner.run(c.file, c.args, options);
  }

  private async checked(c: Command, input?: string): Promise<string> {
    const r = await this.run(c, input);
    if (r.code !== 0) throw new CommandFailedError(formatCommand(c.file, c.args), r);
    return r.stdout;
  }

  private get k(): string[] {
    return this.cluster.kubectlArgs;
  }

  private async setUp(): Promise<void> {
    const nodes = parseNodesJson(await this.checked(cmd.getNodes(this.k)));
    this.realNodes = mapNodes(this.state, nodes);
    this.ctx.log(`kind: nodes ${[...this.realNodes].map(([s, r]) => (s === r.name ? s : `${s}=${r.name}`)).join(', ')}`);
    await this.checked(cmd.applyNamespace(this.k), asList([namespaceManifest(this.namespace)]));
    this.namespaceCreated = true;
    this.ctx.log(`kind: namespace ${this.namespace}`);
    for (const client of this.state.cluster.clients) {
      const name = clientContainerName(this.suffix, client.name);
      // kind's own override of its docker network; clients must sit next to the nodes.
      await this.checked(cmd.runClient(name, this.namespace, process.env.KIND_EXPERIMENTAL_DOCKER_NETWORK || 'kind'));
      this.clientContainers.set(client.name, name);
      const ip = parseDockerInspectIPs(await this.checked(cmd.inspectIP(name))).ipv4;
      if (!ip) throw new Error(`kind backend: client container ${name} has no IPv4 address on the kind network`);
      this.clientIPs.set(client.name, ip);
      for (const route of client.routes) {
        const viaNode = this.state.cluster.nodes.find((n) => n.addresses.includes(route.via) || n.name === route.via);
        const via = viaNode ? this.realNodes.get(viaNode.name)?.internalIP : undefined;
        if (!via) throw new Error(`kind backend: route of ${client.name} via ${route.via} names no scenario node`);
        const to = /\/32$/.test(route.to) ? `${this.lookupScenarioHost(route.to.slice(0, -3))}/32` : route.to;
        await this.checked(cmd.addRoute(name, to, via));
      }
      this.ctx.log(`kind: client ${client.name} is container ${name} (${ip})`);
    }
    await this.reconcile(this.state, true);
  }

  /** Real address for a scenario host address in a /32 route (a service VIP keeps its address). */
  private lookupScenarioHost(address: string): string {
    return this.map?.realAddress(address) ?? address;
  }

  /** Make the namespace hold exactly `state`'s objects, then wait until pods, slices and proxy agree. */
  private async reconcile(state: ClusterState, first = false): Promise<void> {
    const options = {
      namespace: this.namespace,
      nodeNames: new Map([...this.realNodes].map(([s, r]) => [s, r.name])),
      keepClusterIPs: this.cluster.sameShape,
      podIPs: this.podIPMap(state),
    };
    const built = buildManifests(state, options);
    if (first) for (const n of built.notes) this.ctx.log(`kind: ${n}`);
    const pods = parsePodsJson(await this.checked(cmd.getInNamespace(this.k, this.namespace, 'pods')));
    const stale = pods.filter((p) => built.fingerprints.get(p.name) !== p.fingerprint).map((p) => p.name);
    if (stale.length > 0) await this.checked(cmd.deletePods(this.k, this.namespace, stale));
    const services = parseServicesJson(await this.checked(cmd.getInNamespace(this.k, this.namespace, 'services')));
    const wanted = new Set(built.objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name));
    for (const s of services.filter((s) => !wanted.has(s.name))) await this.checked(cmd.deleteObject(this.k, this.namespace, 'Service', s.name));
    if (built.objects.length > 0) await this.checked(cmd.applyStdin(this.k, this.namespace), asList(built.objects));
    await this.waitForPods(state, built.fingerprints);
    // Hand-written EndpointSlices name pod addresses: apply them again now that real IPs exist.
    if (state.manifests.some((m) => m.kind === 'EndpointSlice')) {
      const again = buildManifests(state, { ...options, podIPs: this.podIPMap(state) });
      await this.checked(cmd.applyStdin(this.k, this.namespace), asList(again.objects.filter((o) => o.kind === 'EndpointSlice')));
    }
    this.realServices = new Map(parseServicesJson(await this.checked(cmd.getInNamespace(this.k, this.namespace, 'services'))).map((s) => [s.name, s]));
    this.state = state;
    this.map = new AddressMap(state, this.realNodes, this.clientIPs, this.realPods, this.realServices);
    await this.waitForSlices(state);
    await this.waitForProxy(state);
  }

  private podIPMap(state: ClusterState): Map<string, string> {
    const out = new Map<string, string>();
    for (const p of state.pods) {
      const real = this.realPods.get(p.name);
      if (real?.ip) out.set(p.ip, real.ip);
    }
    return out;
  }

  /** Poll until done; at the deadline throw, or with `warnOnly` log and go on (returns false). */
  private async poll<T>(what: string, timeoutMs: number, attempt: () => Promise<{ done: true } | { done: false; why: T }>, warnOnly = false): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    let logged = Date.now();
    for (;;) {
      if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? new Error('aborted');
      const r = await attempt();
      if (r.done) return true;
      last = r.why;
      if (Date.now() >= deadline) {
        if (!warnOnly) throw new Error(`kind backend: timed out waiting for ${what}: ${String(last)}`);
        this.ctx.log(`kind: warning: ${what} did not converge (${String(last)}); measuring anyway`);
        return false;
      }
      if (Date.now() - logged > 10_000) {
        this.ctx.log(`kind: waiting for ${what}: ${String(last)}`);
        logged = Date.now();
      }
      await sleep(this.deps.pollMs ?? 1000, this.ctx.signal);
    }
  }

  private async waitForPods(state: ClusterState, fingerprints: Map<string, string>): Promise<void> {
    const wanted = state.pods.filter((p) => !p.terminating);
    await this.poll('pods', POD_READY_TIMEOUT_MS, async () => {
      const pods = parsePodsJson(await this.checked(cmd.getInNamespace(this.k, this.namespace, 'pods')));
      this.realPods = new Map(pods.filter((p) => !p.deleting).map((p) => [p.name, p]));
      const behind: string[] = [];
      for (const p of wanted) {
        const real = this.realPods.get(p.name);
        if (!real || real.fingerprint !== fingerprints.get(p.name)) behind.push(`${p.name} missing`);
        else if (!real.ip || real.phase !== 'Running') behind.push(`${p.name} ${real.phase || 'Pending'}`);
        else if (real.ready !== p.ready) behind.push(`${p.name} ${real.ready ? 'ready' : 'not ready'}`);
      }
      const extra = pods.filter((p) => !fingerprints.has(p.name)).map((p) => `${p.name} still there`);
      const why = [...behind, ...extra].join(', ');
      return why === '' ? { done: true } : { done: false, why };
    });
  }

  /** Ready endpoint addresses each selector Service should have, in real IPs. */
  private expectedReady(state: ClusterState, svc: Service): Set<string> {
    const out = new Set<string>();
    for (const p of state.pods) {
      if (!svc.selector || !p.ready || p.terminating || !matches(svc.selector, p.labels)) continue;
      // The EndpointSlice controller leaves out a pod none of whose ports resolves (named targetPort it lacks).
      if (svc.ports.length > 0 && svc.ports.every((sp) => targetPortOf(p, sp) === undefined)) continue;
      const ip = this.realPods.get(p.name)?.ip;
      if (ip) out.add(ip);
    }
    return out;
  }

  private async waitForSlices(state: ClusterState): Promise<void> {
    const services = state.services.filter((s) => s.selector && s.type !== 'ExternalName');
    if (services.length === 0) return;
    await this.poll('endpoint slices', SLICE_TIMEOUT_MS, async () => {
      const slices = parseEndpointSlicesJson(await this.checked(cmd.getInNamespace(this.k, this.namespace, 'endpointslices')));
      const behind: string[] = [];
      for (const svc of services) {
        const want = this.expectedReady(state, svc);
        const have = new Set(slices.filter((s) => s.service === svc.name).flatMap((s) => s.endpoints.filter((e) => e.ready).map((e) => e.address)));
        if (want.size !== have.size || [...want].some((a) => !have.has(a))) behind.push(`${svc.name} has ${have.size}/${want.size} ready endpoints`);
      }
      return behind.length === 0 ? { done: true } : { done: false, why: behind.join(', ') };
    }, true);
  }

  /**
   * Probe each selector Service's ClusterIP from a node until kube-proxy answers as the state
   * says (an expected pod, or refused with no endpoints) several times in a row.
   */
  private async waitForProxy(state: ClusterState): Promise<void> {
    if (!this.cluster.kindName) return;
    for (const svc of state.services) {
      if (!svc.selector || svc.type === 'ExternalName' || svc.clusterIP === 'None') continue;
      const real = this.realServices.get(svc.name);
      if (!real?.clusterIP || real.clusterIP === 'None') continue;
      const ready = state.pods.filter((p) => p.ready && !p.terminating && matches(svc.selector ?? {}, p.labels) && this.realPods.has(p.name));
      const anyEndpoint = state.pods.some((p) => matches(svc.selector ?? {}, p.labels));
      for (const port of svc.ports.filter((p) => p.protocol === 'TCP')) {
        // Only ports an echo container listens on can answer; a scenario may target others on purpose.
        if (ready.some((p) => !echoPorts(p).includes(targetPortOf(p, port) ?? -1))) continue;
        if (ready.length === 0 && anyEndpoint) continue; // serving/terminating fallbacks: nothing simple to wait for
        // From a node with a ready endpoint, so internalTrafficPolicy Local still has one to pick.
        const node = this.realNodes.get(ready[0]?.node ?? state.cluster.nodes[0].name)?.name;
        if (!node) continue;
        const realPort = real.ports.find((p) => p.name === port.name)?.port ?? port.port;
        const names = new Set(ready.map((p) => p.name));
        let good = 0;
        let last = '';
        for (let i = 0; i < SETTLE_ATTEMPTS && good < SETTLE_GOOD; i++) {
          if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? new Error('aborted');
          const probe = parseProbe(await this.run(cmd.curlFromContainer(node, real.clusterIP, realPort, 2000), undefined, 10_000));
          const ok = ready.length > 0 ? probe.outcome === 'ok' && names.has(probe.hostname ?? '') : probe.outcome === 'refused';
          good = ok ? good + 1 : 0;
          last = probe.outcome === 'ok' ? `answered by ${probe.hostname ?? '?'}` : probe.outcome;
          if (!ok) await sleep(this.deps.pollMs ?? 1000, this.ctx.signal);
        }
        if (good < SETTLE_GOOD) this.ctx.log(`kind: warning: ${svc.name}:${realPort} did not settle (last probe: ${last}); measuring anyway`);
      }
    }
  }

  async apply(step: ChangeStep): Promise<ApplyResult> {
    if (this.diverged) return { unsupported: this.diverged };
    const change = step.change;
    let why: string | undefined;
    if (change.op === 'endpoint' && change.condition === 'terminating') {
      why = 'a real cluster keeps a pod terminating only while it shuts down; svclab cannot hold endpoint condition terminating on kind';
    } else if (step.state.pods.some((p) => p.terminating)) {
      why = 'terminating pods cannot be held on a real cluster';
    }
    if (why) {
      this.diverged = `an earlier change could not be made on kind: ${why}`;
      return { unsupported: why };
    }
    if (change.op === 'delete' && !['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Pod', 'Service'].includes(change.target.kind)) {
      await this.checked(cmd.deleteObject(this.k, this.namespace, change.target.kind, change.target.name));
    }
    // Every change (scale, patch, delete, apply, readiness) is the difference between two states:
    // kubectl makes the namespace match the new one, then we wait for convergence.
    await this.reconcile(step.state);
    return { applied: true };
  }

  /** Why this traffic cannot be sent on kind, or undefined. */
  private unsupportedReason(t: Traffic): string | undefined {
    if (this.diverged) return this.diverged;
    if (t.protocol !== 'TCP') return `${t.protocol} traffic is not sent by the kind backend (HTTP over TCP via curl only)`;
    if (t.from.kind === 'node' && !this.cluster.kindName) return 'node sources need kind node containers (docker exec); this cluster came from a kubeconfig';
    if (t.from.kind === 'pod' && !this.realPods.has(t.from.name)) return `pod ${t.from.name} does not run on the cluster`;
    const host = servingHostBehind(this.state, t);
    if (host) return `the traffic reaches serving host ${host} (a client with serves:), which the kind backend does not start outside the cluster`;
    // kind gives pods addresses of its own pod subnet: a client cannot route to them as a VPC would.
    if (usesNodeSubnet(this.state.cluster) && t.from.kind === 'client' && this.state.pods.some((p) => p.ip === t.to.address)) {
      return 'pod addresses routed by the network (podAddressing node-subnet) are not reproduced on kind, whose pods live in its own pod subnet';
    }
    return undefined;
  }

  private sender(t: Traffic, ip: string, port: number): Command {
    const from = t.from;
    if (from.kind === 'client') return cmd.curlFromContainer(this.clientContainers.get(from.name) ?? '', ip, port, t.timeoutMs);
    if (from.kind === 'node') return cmd.curlFromContainer(this.realNodes.get(from.name)?.name ?? '', ip, port, t.timeoutMs);
    const pod = this.state.pods.find((p) => p.name === from.name) as Pod;
    return cmd.curlFromPod(this.k, this.namespace, from.name, firstEchoContainer(pod), ip, port, t.timeoutMs);
  }

  async send(step: SendStep): Promise<SendResult> {
    const t = step.traffic;
    const why = this.unsupportedReason(t);
    if (why) return { unsupported: why };
    const target = this.map.target(t.to.address, t.to.port);
    if ('unsupported' in target) return { unsupported: target.unsupported };
    let ingressNode = target.ingressNode;
    if (ingressNode === undefined && t.from.kind === 'client') {
      const client = this.state.cluster.clients.find((c) => c.name === t.from.name);
      const via = client?.routes.find((r) => inCidr(t.to.address, r.to))?.via;
      ingressNode = this.state.cluster.nodes.find((n) => via !== undefined && (n.addresses.includes(via) || n.name === via))?.name;
    }
    const command = this.sender(t, target.ip, target.port);
    const observations: Observation[] = new Array<Observation>(t.count);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < t.count) {
        if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? new Error('aborted');
        const i = next++;
        const started = performance.now();
        const result = await this.run(command, undefined, t.timeoutMs + 30_000);
        observations[i] = this.observe(parseProbe(result), t, Math.round((performance.now() - started) * 1000) / 1000, ingressNode);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, t.count) }, worker));
    return { observations };
  }

  /** Real probe result -> observation in scenario names and addresses. */
  private observe(p: ProbeResult, t: Traffic, latencyMs: number, ingressNode: string | undefined): Observation {
    const o: Observation = { outcome: p.outcome, latencyMs };
    const details: string[] = [];
    if (p.detail) details.push(p.detail);
    if (p.hostname !== undefined) {
      const pod = this.state.pods.find((x) => x.name === p.hostname);
      o.pod = p.hostname;
      if (pod) {
        o.node = pod.node;
        const svcPort = this.state.services
          .filter((s) => s.selector && matches(s.selector, pod.labels))
          .flatMap((s) => s.ports.filter((sp) => s.clusterIP === t.to.address || sp.nodePort === t.to.port || s.externalIPs.includes(t.to.address) || s.loadBalancerIngress.some((i) => i.ip === t.to.address)))
          .map((sp) => targetPortOf(pod, sp))
          .find((x) => x !== undefined);
        const port = svcPort ?? (pod.ports.length === 1 ? pod.ports[0].containerPort : undefined) ?? t.to.port;
        o.endpoint = `${pod.ip}:${port}`;
      } else details.push(`answered by ${p.hostname}, which is no pod of this scenario`);
    }
    if (p.clientIP !== undefined) {
      const seen = this.map.scenarioAddress(p.clientIP);
      o.sourceSeen = seen ?? p.clientIP;
      if (seen === undefined) details.push(`source seen ${p.clientIP} is no node, pod or client address of this scenario`);
      else if (seen !== p.clientIP) details.push(`real source seen ${p.clientIP}`);
    }
    if (ingressNode !== undefined) o.ingressNode = ingressNode;
    if (details.length > 0) o.detail = details.join('; ');
    return o;
  }

  /** Delete the namespace and client containers (never the cluster: that is the manager's). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const errors: string[] = [];
      const attempt = async (c: Command): Promise<void> => {
        try {
          const r = await this.deps.runner.run(c.file, c.args, { timeoutMs: 60_000 });
          if (r.code !== 0) errors.push(`${formatCommand(c.file, c.args)}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
        } catch (err) {
          errors.push(`${formatCommand(c.file, c.args)}: ${(err as Error).message}`);
        }
      };
      if (this.clientContainers.size > 0) await attempt(cmd.removeContainers([...this.clientContainers.values()]));
      if (this.namespaceCreated) {
        await attempt(cmd.deleteAllServices(this.k, this.namespace));
        await attempt(cmd.deleteNamespace(this.k, this.namespace));
      }
      for (const e of errors) this.ctx.log(`kind: cleanup failed: ${e}`);
    })();
    return this.closing;
  }
}

/**
 * The serving host (client with `serves`) this traffic can end at: the target itself, or an
 * endpoint of a Service the target address (and port) belongs to. Undefined when none.
 */
function servingHostBehind(state: ClusterState, t: Traffic): string | undefined {
  const hosts = state.cluster.clients.filter((c) => (c.serves ?? []).length > 0);
  if (hosts.length === 0) return undefined;
  const direct = hosts.find((h) => h.address === t.to.address);
  if (direct) return direct.name;
  const isNode = state.cluster.nodes.some((n) => n.addresses.includes(t.to.address));
  for (const svc of state.services) {
    const vip = svc.clusterIP === t.to.address || svc.externalIPs.includes(t.to.address) || svc.loadBalancerIngress.some((i) => i.ip === t.to.address);
    const nodePort = isNode && svc.ports.some((p) => p.nodePort === t.to.port);
    if (!vip && !nodePort) continue;
    for (const slice of state.endpointSlices) {
      if (slice.namespace !== svc.namespace || slice.serviceName !== svc.name) continue;
      const host = hosts.find((h) => slice.endpoints.some((e) => e.addresses.includes(h.address)));
      if (host) return host.name;
    }
  }
  return undefined;
}
