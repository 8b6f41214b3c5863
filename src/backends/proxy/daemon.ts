/**
 * One proxy daemon: the kube-proxy of one node. `apply` reconciles listeners and endpoint sets to a
 * desired state; each accepted connection is routed (routing.ts) and piped to an endpoint with
 * backpressure, held silently (a drop), or reset. Connections to endpoints that remain survive a
 * reconcile; connections to endpoints that were removed are closed.
 */
import http from 'node:http';
import net from 'node:net';
import type { DesiredServicePort, DesiredState } from './desiredState.js';
import { decide, desiredListeners, endpointKey, usableEndpoints, type AffinityTable, type ListenerRoute } from './routing.js';
import { seededRng, type Rng } from './rng.js';
import { UdpListener } from './udpListener.js';

export interface DaemonOptions {
  seed: number;
  /** How long a dropped connection is held before it is closed (bounds resources). */
  holdMs?: number;
  /** After the pod closed, how long a client may take to read the rest before it is closed. */
  drainMs?: number;
  /** Idle time after which a UDP flow is forgotten (default 30 s). */
  udpIdleMs?: number;
  /** Upstream connect timeout. */
  connectTimeoutMs?: number;
  /** Describes a loopback address for messages (e.g. "127.9.1.1 (scenario 172.18.0.4)"). */
  describe?: (address: string) => string;
}

interface Tracked {
  client: net.Socket;
  upstream?: net.Socket;
  serviceKey?: string;
  endpoint?: string;
}

/** Counters a test or the CLI can read. */
export interface DaemonStats {
  accepted: number;
  forwarded: number;
  dropped: number;
  rejected: number;
  upstreamErrors: number;
  closedByReconcile: number;
}

/**
 * Copies `src` to `dst`: pauses `src` while `dst`'s buffer is full and resumes it on drain
 * (backpressure), forwards FIN, and discards bytes once `dst` no longer takes writes. What pipe()
 * does for this case, with fewer listeners per connection (a minimal Node.js proxy spent about 15%
 * less user CPU per connection this way than with pipe()).
 */
function forward(src: net.Socket, dst: net.Socket): void {
  src.on('data', (chunk: Buffer) => {
    if (dst.writable && !dst.write(chunk)) src.pause();
  });
  dst.on('drain', () => src.resume());
  src.on('end', () => dst.end());
}

export class ProxyDaemon {
  private state: DesiredState | undefined;
  private services = new Map<string, DesiredServicePort>();
  private readonly servers = new Map<string, net.Server>();
  private readonly udp = new Map<string, UdpListener>();
  private routes = new Map<string, ListenerRoute>();
  private readonly affinity = new Map<string, AffinityTable>();
  private readonly conns = new Set<Tracked>();
  private readonly rng: Rng;
  private closed = false;
  readonly stats: DaemonStats = { accepted: 0, forwarded: 0, dropped: 0, rejected: 0, upstreamErrors: 0, closedByReconcile: 0 };

  constructor(private readonly opts: DaemonOptions) {
    this.rng = seededRng(opts.seed);
  }

  get desired(): DesiredState | undefined {
    return this.state;
  }

  /** TCP connections the daemon holds open right now (proxied, or held for a drop). */
  get openConnections(): number {
    return this.conns.size;
  }

  /** Listening address:port pairs, sorted. */
  listening(): string[] {
    return [...this.servers.keys(), ...this.udp.keys()].sort();
  }

  /**
   * Reconcile to `next`. New listeners are opened first; if any cannot be bound, those opened are
   * closed again and the error is thrown with nothing else changed.
   */
  async apply(next: DesiredState): Promise<void> {
    if (this.closed) throw new Error('daemon is closed');
    const wanted = desiredListeners(next);
    const opened: string[] = [];
    try {
      for (const [key, route] of wanted) {
        if (this.servers.has(key) || this.udp.has(key)) continue;
        if (route.protocol === 'UDP') await this.listenUdp(key, route);
        else await this.listen(key, route);
        opened.push(key);
      }
    } catch (err) {
      await Promise.all(opened.map((k) => this.closeServer(k)));
      throw err;
    }
    for (const key of [...this.servers.keys(), ...this.udp.keys()]) if (!wanted.has(key)) await this.closeServer(key);
    this.routes = wanted;
    this.state = next;
    this.services = new Map(next.services.map((s) => [s.key, s]));
    this.pruneAffinity();
    this.closeRemovedEndpoints();
  }

  /** Close listeners and every connection. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns) {
      c.client.destroy();
      c.upstream?.destroy();
    }
    this.conns.clear();
    await Promise.all([...this.servers.keys(), ...this.udp.keys()].map((k) => this.closeServer(k)));
  }

  private describe(address: string): string {
    return this.opts.describe ? this.opts.describe(address) : address;
  }

  private listen(key: string, route: ListenerRoute): Promise<void> {
    // allowHalfOpen: a client that half-closes after its request still gets the whole answer.
    const server: net.Server =
      route.kind === 'healthCheck'
        ? http.createServer((req, res) => this.healthCheck(route.serviceKey, req, res))
        : // pauseOnConnect: nothing is read from a client before its upstream is connected (no
          // read start/stop per connection); noDelay: requests and answers go out as written.
          net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (sock) => this.onConnection(key, sock));
    return new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`;
        reject(new Error(`proxy daemon ${this.state?.node ?? ''}: ${this.describe(route.address)} port ${route.port} ${why}`));
      });
      server.listen({ host: route.address, port: route.port, backlog: 4096, exclusive: true }, () => {
        server.removeAllListeners('error');
        server.on('error', () => undefined);
        this.servers.set(key, server);
        resolve();
      });
    });
  }

  private async listenUdp(key: string, route: ListenerRoute): Promise<void> {
    const listener = new UdpListener(
      route.address,
      route.port,
      (source) => {
        const svc = this.services.get(route.serviceKey);
        const current = this.routes.get(key);
        if (!this.state || !svc || !current) return { kind: 'reject', reason: 'listener is closing' };
        let table = this.affinity.get(svc.key);
        if (!table) this.affinity.set(svc.key, (table = new Map()));
        const d = decide(this.state, svc, current, source, this.rng, table, Date.now());
        if (d.kind === 'forward') this.stats.forwarded++;
        return d;
      },
      this.opts.udpIdleMs ?? 30_000,
      () => this.stats.dropped++,
    );
    try {
      await listener.start();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${e.code ?? e.message})`;
      throw new Error(`proxy daemon ${this.state?.node ?? ''}: ${this.describe(route.address)} UDP port ${route.port} ${why}`);
    }
    this.udp.set(key, listener);
  }

  private closeServer(key: string): Promise<void> {
    const udp = this.udp.get(key);
    if (udp) {
      this.udp.delete(key);
      udp.close();
      return Promise.resolve();
    }
    const server = this.servers.get(key);
    this.servers.delete(key);
    if (!server) return Promise.resolve();
    if (server instanceof http.Server) server.closeAllConnections();
    // close() stops accepting at once; established and held connections stay (they are tracked
    // separately), so a reconcile must not wait for close()'s callback, which fires only when the
    // last of them ends. One turn of the loop lets the listening socket go, so the port is free.
    server.close();
    return new Promise((resolve) => setImmediate(resolve));
  }

  private onConnection(listenerKey: string, client: net.Socket): void {
    this.stats.accepted++;
    const tracked: Tracked = { client };
    this.conns.add(tracked);
    const cleanup = (): void => {
      this.conns.delete(tracked);
      client.destroy();
      tracked.upstream?.destroy();
    };
    client.on('error', cleanup);
    client.on('close', cleanup);

    const route = this.routes.get(listenerKey);
    const svc = route ? this.services.get(route.serviceKey) : undefined;
    const source = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (!this.state || !route || !svc) {
      this.stats.rejected++;
      client.resetAndDestroy();
      return;
    }
    let table = this.affinity.get(svc.key);
    if (!table) this.affinity.set(svc.key, (table = new Map()));
    const decision = decide(this.state, svc, route, source, this.rng, table, Date.now());
    if (decision.kind === 'reject') {
      this.stats.rejected++;
      client.resetAndDestroy();
      return;
    }
    if (decision.kind === 'drop') {
      this.hold(client);
      return;
    }
    this.stats.forwarded++;
    tracked.serviceKey = svc.key;
    tracked.endpoint = endpointKey(decision.endpoint);
    const upstream = net.connect({
      host: decision.endpoint.address,
      port: decision.endpoint.port,
      localAddress: decision.from,
      allowHalfOpen: true,
      noDelay: true,
    });
    tracked.upstream = upstream;
    const connectTimer = setTimeout(() => upstream.destroy(new Error('upstream connect timeout')), this.opts.connectTimeoutMs ?? 5000);
    let held = false;
    upstream.once('connect', () => {
      clearTimeout(connectTimer);
      forward(client, upstream);
      forward(upstream, client);
      client.resume();
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      this.stats.upstreamErrors++;
      this.conns.delete(tracked);
      if (client.destroyed) return;
      // No pod or node has the endpoint's address: in a cluster the SYN goes unanswered (a
      // timeout), so hold the client like a drop. Something there refusing the port: a reset.
      if (err.code === 'ECONNREFUSED' && !this.someoneAt(decision.endpoint.address)) {
        held = true;
        tracked.upstream = undefined;
        this.conns.add(tracked); // closed with the daemon, like any held connection
        this.hold(client);
      } else client.resetAndDestroy();
    });
    upstream.on('close', () => {
      clearTimeout(connectTimer);
      this.conns.delete(tracked);
      if (client.destroyed || held) return;
      // The pod closed: the client still gets everything buffered for it (destroy() would drop
      // it), its further bytes are discarded (forward() writes only to a writable socket), and
      // the socket closes once the client closes too.
      if (client.listenerCount('data') === 0) client.on('data', () => undefined);
      client.resume();
      client.end();
      const timer = setTimeout(() => client.destroy(), this.opts.drainMs ?? 60_000);
      client.once('close', () => clearTimeout(timer));
    });
  }

  /** kube-proxy's service health server: 200 with local endpoints on this node, else 503. */
  private healthCheck(serviceKey: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    const svc = this.services.get(serviceKey);
    const local = svc ? usableEndpoints(svc.endpoints.filter((e) => e.node === this.state?.node)).length : 0;
    const [namespace, rest] = serviceKey.split('/');
    const body = JSON.stringify({ service: { namespace, name: rest.replace(/:.*$/, '') }, localEndpoints: local, serviceProxyHealthy: true });
    res.writeHead(local > 0 ? 200 : 503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', Connection: 'close' });
    res.end(body);
  }

  /** Whether a pod or a node of the current state has loopback address `address`. */
  private someoneAt(address: string): boolean {
    const st = this.state;
    if (!st) return false;
    return st.pods.some((p) => p.address === address) || st.nodes.some((n) => n.addresses.includes(address) || n.localhost === address || n.podGateway === address);
  }

  /** A drop: the client gets no answer. Its bytes are discarded; it is closed after holdMs. */
  private hold(client: net.Socket): void {
    this.stats.dropped++;
    const timer = setTimeout(() => client.destroy(), this.opts.holdMs ?? 120_000);
    // Read (and discard) so a client that gives up is noticed: its FIN ends the hold. The socket
    // was accepted paused, and a 'data' listener alone does not resume an explicitly paused one.
    client.on('data', () => undefined);
    client.resume();
    client.on('end', () => client.destroy());
    client.on('close', () => clearTimeout(timer));
  }

  private pruneAffinity(): void {
    for (const [key, table] of this.affinity) {
      const svc = this.services.get(key);
      if (!svc) {
        this.affinity.delete(key);
        continue;
      }
      const live = new Set(svc.endpoints.map(endpointKey));
      for (const [client, entry] of table) if (!live.has(entry.endpoint)) table.delete(client);
    }
  }

  private closeRemovedEndpoints(): void {
    for (const [key, listener] of this.udp) {
      const svc = this.services.get(this.routes.get(key)?.serviceKey ?? '');
      this.stats.closedByReconcile += listener.pruneFlows(new Set((svc?.endpoints ?? []).map(endpointKey)));
    }
    for (const c of [...this.conns]) {
      if (c.serviceKey === undefined || c.endpoint === undefined) continue;
      const svc = this.services.get(c.serviceKey);
      if (svc && svc.endpoints.some((e) => endpointKey(e) === c.endpoint)) continue;
      this.stats.closedByReconcile++;
      this.conns.delete(c);
      c.client.destroy();
      c.upstream?.destroy();
    }
  }
}
