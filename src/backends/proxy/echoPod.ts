/**
 * Echo pods: one small HTTP server per pod port on the pod's loopback address, answering like
 * agnhost netexec: `/hostname` -> pod name, `/clientip` -> "ip:port" of the peer it saw (as a
 * scenario address), anything else -> JSON with pod, node and peer. Every answer closes the
 * connection so the server side keeps the TIME_WAIT (clients never run out of ports).
 */
import dgram from 'node:dgram';
import http from 'node:http';
import type net from 'node:net';

/** JSON body of `GET /` (and any path other than /hostname, /clientip, /healthz). */
export interface EchoAnswer {
  /** Pod name (also under `hostname`, so the seed's `grep hostname` shows it); "" for a serving host. */
  pod: string;
  /** Name of the serving host (a cluster client with `serves`) that answered, instead of a pod. */
  host?: string;
  hostname: string;
  node: string;
  /** The pod's scenario ip:port that answered. */
  endpoint: string;
  /** Peer as the pod saw it, translated to a scenario address:port when known. */
  clientip: string;
  /** Peer as the socket saw it (loopback). */
  peer: string;
}

export interface EchoPodSpec {
  name: string;
  node: string;
  /** Scenario address and loopback address of the pod. */
  scenarioIP: string;
  loopbackIP: string;
  port: number;
  /** TCP serves HTTP; UDP answers each datagram ("hostname", "clientip", anything else: JSON). */
  protocol: 'TCP' | 'UDP';
  /** A serving host outside the cluster (answers as `host`, with no pod and no node). */
  host?: boolean;
}

export class EchoPod {
  private server: http.Server | undefined;
  private udp: dgram.Socket | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly spec: EchoPodSpec,
    private readonly translate: (loopback: string) => string | undefined,
  ) {}

  get key(): string {
    return `${this.spec.protocol}:${this.spec.loopbackIP}:${this.spec.port}`;
  }

  private bindError(err: NodeJS.ErrnoException): Error {
    return new Error(
      `echo pod ${this.spec.name}: ${this.spec.loopbackIP}:${this.spec.port}/${this.spec.protocol} (scenario ${this.spec.scenarioIP}:${this.spec.port}) ` +
        (err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`),
    );
  }

  async start(): Promise<void> {
    if (this.spec.protocol === 'UDP') return this.startUdp();
    const server = http.createServer((req, res) => this.answer(req, res));
    server.keepAliveTimeout = 1000;
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(this.bindError(err)));
      server.listen({ host: this.spec.loopbackIP, port: this.spec.port, backlog: 4096, exclusive: true }, () => resolve());
    });
    server.on('error', () => undefined);
    this.server = server;
  }

  private async startUdp(): Promise<void> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err: NodeJS.ErrnoException) => reject(this.bindError(err)));
      socket.bind({ address: this.spec.loopbackIP, port: this.spec.port, exclusive: true }, () => resolve());
    });
    socket.removeAllListeners('error');
    socket.on('error', () => undefined);
    socket.on('message', (msg, rinfo) => {
      const cmd = msg.toString('utf8').trim();
      const answer = cmd === 'hostname' ? this.spec.name : cmd === 'clientip' ? this.seen(rinfo.address, rinfo.port) : JSON.stringify(this.body(rinfo.address, rinfo.port));
      socket.send(answer, rinfo.port, rinfo.address);
    });
    this.udp = socket;
  }

  private seen(ip: string, port: number): string {
    return `${this.translate(ip) ?? ip}:${port}`;
  }

  private body(peerIP: string, port: number): EchoAnswer {
    return {
      pod: this.spec.host ? '' : this.spec.name,
      ...(this.spec.host ? { host: this.spec.name } : {}),
      hostname: this.spec.name,
      node: this.spec.node,
      endpoint: `${this.spec.scenarioIP}:${this.spec.port}`,
      clientip: this.seen(peerIP, port),
      peer: `${peerIP}:${port}`,
    };
  }

  /** Stop listening and cut every connection (the pod is gone). */
  async stop(): Promise<void> {
    this.udp?.close();
    this.udp = undefined;
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const peerIP = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const seen = this.seen(peerIP, req.socket.remotePort ?? 0);
    const path = (req.url ?? '/').split('?')[0];
    req.resume();
    res.setHeader('Connection', 'close');
    if (path === '/hostname' || path === '/hostName') {
      res.setHeader('Content-Type', 'text/plain');
      res.end(this.spec.name);
      return;
    }
    if (path === '/clientip') {
      res.setHeader('Content-Type', 'text/plain');
      res.end(seen);
      return;
    }
    if (path === '/healthz') {
      res.end('ok');
      return;
    }
    const body = this.body(peerIP, req.socket.remotePort ?? 0);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body, null, 2) + '\n');
  }
}
