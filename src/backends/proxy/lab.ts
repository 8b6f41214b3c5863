/**
 * A whole lab on loopback: the address map, one echo server per pod port, one proxy daemon per
 * node (each behind its own control socket). Used by the `proxy` backend, `svclab proxyd` and the
 * benchmark. `update` moves everything to a new ClusterState; `close` stops all of it.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { ClusterState } from '../../model/types.js';
import { AddressMap, claimRunOctet } from './addressMap.js';
import { desiredStates, echoPodSpecs } from './buildDesired.js';
import { putState, startControlServer, type ControlServer } from './controlApi.js';
import { ProxyDaemon } from './daemon.js';
import { EchoPod } from './echoPod.js';

export interface LabOptions {
  seed: number;
  /** Further states whose addresses should be mapped up front (every step's), so the map never shifts. */
  laterStates?: ClusterState[];
  /** How long a dropped connection is held open (default 120 s). */
  holdMs?: number;
  /** Preferred run octet (the second octet of every loopback address). */
  run?: number;
  /** Start no daemons (echo pods and the address map only): for a daemon run elsewhere. */
  withoutDaemons?: boolean;
}

export interface LabNode {
  name: string;
  daemon: ProxyDaemon;
  control: ControlServer;
}

export class ProxyLab {
  readonly nodes = new Map<string, LabNode>();
  private readonly pods = new Map<string, EchoPod>();
  private releaseRun: (() => Promise<void>) | undefined;
  private closed = false;
  private current: ClusterState | undefined;

  private constructor(
    readonly map: AddressMap,
    private readonly opts: LabOptions,
  ) {}

  /** Bring a lab up; on any failure everything started so far is stopped before rethrowing. */
  static async start(initial: ClusterState, opts: LabOptions): Promise<ProxyLab> {
    const claim = await claimRunOctet(opts.run);
    const map = new AddressMap(claim.run);
    const lab = new ProxyLab(map, opts);
    lab.releaseRun = claim.release;
    try {
      map.addState(initial);
      for (const s of opts.laterStates ?? []) map.addState(s);
      await lab.update(initial);
      return lab;
    } catch (err) {
      await lab.close();
      throw err;
    }
  }

  get state(): ClusterState | undefined {
    return this.current;
  }

  /** Describe a loopback address with its scenario meaning, for error messages. */
  describe(loopback: string): string {
    const entry = this.map.entries().find((e) => e.loopback === loopback);
    return entry ? `${loopback} (scenario ${entry.scenario}, ${entry.kind} ${entry.owner})` : loopback;
  }

  /**
   * Move to `state`: start new echo pods, push every daemon its desired state through the control
   * API, then stop pods that are gone (so endpoints leave the daemons before their servers do).
   */
  async update(state: ClusterState): Promise<void> {
    if (this.closed) throw new Error('lab is closed');
    this.map.addState(state);
    const specs = echoPodSpecs(state, this.map);
    const wanted = new Map(specs.map((s) => [`${s.name}@${s.protocol}:${s.loopbackIP}:${s.port}`, s]));
    // A new pod reusing a gone pod's address:port takes the socket over (the old one stops first).
    const wantedAddrs = new Set(specs.map((s) => `${s.protocol}:${s.loopbackIP}:${s.port}`));
    for (const [key, pod] of [...this.pods]) {
      if (!wanted.has(key) && wantedAddrs.has(pod.key)) {
        this.pods.delete(key);
        await pod.stop();
      }
    }
    for (const [key, spec] of wanted) {
      if (this.pods.has(key)) continue;
      const pod = new EchoPod(spec, (a) => this.map.scenario(a));
      await pod.start();
      this.pods.set(key, pod);
    }
    const desired = this.opts.withoutDaemons ? [] : desiredStates(state, this.map);
    for (const d of desired) {
      let node = this.nodes.get(d.node);
      if (!node) {
        const index = state.cluster.nodes.findIndex((n) => n.name === d.node);
        const daemon = new ProxyDaemon({ seed: (this.opts.seed + index * 7919) >>> 0, holdMs: this.opts.holdMs, describe: (a) => this.describe(a) });
        const control = await startControlServer(daemon, `node-${index}`);
        node = { name: d.node, daemon, control };
        this.nodes.set(d.node, node);
      }
      await putState(node.control.socketPath, d);
    }
    for (const [name, node] of [...this.nodes]) {
      if (desired.some((d) => d.node === name)) continue;
      this.nodes.delete(name);
      await node.daemon.close();
      await node.control.close();
    }
    for (const [key, pod] of [...this.pods]) {
      if (wanted.has(key)) continue;
      this.pods.delete(key);
      await pod.stop();
    }
    this.current = state;
  }

  /**
   * Stand in for "the network beyond": a VIP port no service declares is routed on unchanged by
   * kube-proxy and never answered. Holds connections to address:port silently until released.
   */
  async blackhole(address: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP'): Promise<() => Promise<void>> {
    if (protocol === 'UDP') {
      // A bound socket that never answers: no ICMP port unreachable, so the sender times out.
      const sock = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind({ address, port, exclusive: true }, () => resolve());
      });
      sock.on('message', () => undefined);
      return async () => void sock.close();
    }
    const held = new Set<net.Socket>();
    const server = net.createServer((s) => {
      held.add(s);
      s.on('data', () => undefined);
      s.on('error', () => undefined);
      s.on('close', () => held.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new Error(`proxy lab: ${this.describe(address)} port ${port} ${err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`}`)),
      );
      server.listen({ host: address, port, exclusive: true }, () => resolve());
    });
    return () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        server.close(() => resolve());
      });
  }

  /** Echo servers currently running, as "pod@loopback:port". */
  runningPods(): string[] {
    return [...this.pods.keys()].sort();
  }

  /** Stop every daemon, control socket and echo pod. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    for (const node of this.nodes.values()) {
      await node.daemon.close().catch((e: unknown) => errors.push(e));
      await node.control.close().catch((e: unknown) => errors.push(e));
    }
    this.nodes.clear();
    for (const pod of this.pods.values()) await pod.stop().catch((e: unknown) => errors.push(e));
    this.pods.clear();
    await this.releaseRun?.();
    if (errors.length > 0) throw errors[0];
  }
}
