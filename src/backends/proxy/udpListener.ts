/**
 * UDP for one service listener, as kube-proxy's userspace mode did it: one upstream socket per
 * client address:port (a "flow", like a conntrack entry) to the endpoint chosen for its first
 * datagram, replies sent back from the listener's address, flows closed after an idle time.
 */
import dgram from 'node:dgram';
import type { Decision } from './routing.js';

interface Flow {
  upstream: dgram.Socket;
  endpoint: string;
  timer: NodeJS.Timeout;
}

export class UdpListener {
  private socket: dgram.Socket | undefined;
  private readonly flows = new Map<string, Flow>();

  constructor(
    readonly address: string,
    readonly port: number,
    /** Routing decision for a new flow from this source address. */
    private readonly decide: (source: string) => Decision,
    private readonly idleMs: number,
    private readonly onDrop: () => void,
  ) {}

  async start(): Promise<void> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: this.address, port: this.port, exclusive: true }, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve();
      });
    });
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket = socket;
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    const flow = this.flows.get(key);
    if (flow) {
      flow.timer.refresh();
      flow.upstream.send(msg);
      return;
    }
    const decision = this.decide(rinfo.address);
    if (decision.kind !== 'forward') {
      this.onDrop(); // a UDP drop and a reject both leave the client without an answer
      return;
    }
    const upstream = dgram.createSocket('udp4');
    upstream.on('error', () => this.closeFlow(key));
    const endpoint = `${decision.endpoint.address}:${decision.endpoint.port}`;
    const timer = setTimeout(() => this.closeFlow(key), this.idleMs);
    this.flows.set(key, { upstream, endpoint, timer });
    upstream.bind({ address: decision.from, port: 0 }, () => {
      upstream.connect(decision.endpoint.port, decision.endpoint.address, () => {
        upstream.on('message', (reply) => {
          timer.refresh();
          this.socket?.send(reply, rinfo.port, rinfo.address);
        });
        upstream.send(msg);
      });
    });
  }

  /** Close flows whose endpoint is no longer in `live` (endpoint "ip:port" keys). */
  pruneFlows(live: Set<string>): number {
    let closed = 0;
    for (const [key, flow] of [...this.flows]) {
      if (live.has(flow.endpoint)) continue;
      this.closeFlow(key);
      closed++;
    }
    return closed;
  }

  private closeFlow(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    this.flows.delete(key);
    clearTimeout(flow.timer);
    flow.upstream.close();
  }

  close(): void {
    for (const key of [...this.flows.keys()]) this.closeFlow(key);
    this.socket?.close();
    this.socket = undefined;
  }
}
