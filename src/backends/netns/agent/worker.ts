/**
 * A process that lives inside one lab namespace (started with `ip netns exec <ns> node worker.js`).
 * In a pod it runs the echo server; in any namespace it sends probe requests from there. Speaks
 * JSON lines on stdin/stdout; exits when stdin closes, so it never outlives its agent.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { onJsonLines } from './json-lines.js';
import type { ProbeRequest, ProbeResult, ServeRequest, WorkerRequest, WorkerResponse } from './protocol.js';
import { classifyErrno, parseEchoReply } from './protocol.js';

/** Who this echo pod is; set by the first `serve` request. */
let identity = { pod: '', node: '' };
const tcpServers = new Map<number, Server>();
const udpServers = new Map<number, UdpSocket>();

function echoBody(peer: string | undefined, peerPort: number | undefined, local: string | undefined, localPort: number | undefined): string {
  const strip = (a: string | undefined) => (a?.startsWith('::ffff:') ? a.slice(7) : a);
  return JSON.stringify({ pod: identity.pod, node: identity.node, peer: strip(peer), peerPort, local: strip(local), localPort });
}

function listenTcp(port: number): Promise<void> {
  const server = createServer((req, res) => {
    const body = echoBody(req.socket.remoteAddress, req.socket.remotePort, req.socket.localAddress, req.socket.localPort);
    res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
    res.end(body + '\n');
  });
  server.keepAliveTimeout = 1;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '0.0.0.0', backlog: 1024 }, () => {
      tcpServers.set(port, server);
      resolve();
    });
  });
}

function listenUdp(port: number): Promise<void> {
  const socket = createSocket('udp4');
  socket.on('message', (_msg, rinfo) => {
    const address = socket.address();
    socket.send(echoBody(rinfo.address, rinfo.port, address.address, address.port), rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '0.0.0.0', () => {
      udpServers.set(port, socket);
      resolve();
    });
  });
}

/** Opens the listeners asked for and closes the others. */
async function serve(req: ServeRequest): Promise<void> {
  identity = { pod: req.pod, node: req.node };
  const wantTcp = new Set(req.ports.filter((p) => p.protocol === 'TCP').map((p) => p.port));
  const wantUdp = new Set(req.ports.filter((p) => p.protocol === 'UDP').map((p) => p.port));
  for (const [port, server] of tcpServers) if (!wantTcp.has(port)) { server.close(); tcpServers.delete(port); }
  for (const [port, socket] of udpServers) if (!wantUdp.has(port)) { socket.close(); udpServers.delete(port); }
  for (const port of wantTcp) if (!tcpServers.has(port)) await listenTcp(port);
  for (const port of wantUdp) if (!udpServers.has(port)) await listenUdp(port);
}

function probeTcp(req: ProbeRequest): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    let data = '';
    const socket = connect({ host: req.host, port: req.port });
    let sourcePort: number | undefined;
    const finish = (result: Omit<ProbeResult, 'latencyMs'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sourcePort ??= socket.localPort;
      socket.destroy();
      resolve({ ...result, sourcePort, latencyMs: performance.now() - started });
    };
    const timer = setTimeout(() => finish({ outcome: 'timeout', detail: `no answer within ${req.timeoutMs} ms` }), req.timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      sourcePort = socket.localPort;
      socket.write(`GET / HTTP/1.0\r\nHost: ${req.host}:${req.port}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('end', () => {
      const body = data.split('\r\n\r\n').slice(1).join('\r\n\r\n');
      const echo = parseEchoReply(body);
      if (echo) finish({ outcome: 'ok', ...echo });
      else if (data === '') finish({ outcome: 'reset', detail: 'connection closed without an answer' });
      else finish({ outcome: 'ok', detail: `answer not from an echo pod: ${data.slice(0, 80)}` });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ outcome: classifyErrno(err.code), detail: err.code ?? err.message }));
  });
}

function probeUdp(req: ProbeRequest): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const socket = createSocket('udp4');
    let sourcePort: number | undefined;
    const finish = (result: Omit<ProbeResult, 'latencyMs'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve({ ...result, sourcePort, latencyMs: performance.now() - started });
    };
    const timer = setTimeout(() => finish({ outcome: 'timeout', detail: `no answer within ${req.timeoutMs} ms` }), req.timeoutMs);
    socket.on('message', (msg) => {
      const echo = parseEchoReply(msg.toString('utf8'));
      finish(echo ? { outcome: 'ok', ...echo } : { outcome: 'ok', detail: 'answer not from an echo pod' });
    });
    // A connected UDP socket reports ICMP port-unreachable as ECONNREFUSED.
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ outcome: classifyErrno(err.code), detail: err.code ?? err.message }));
    socket.connect(req.port, req.host, () => {
      sourcePort = socket.address().port;
      socket.send('svclab');
    });
  });
}

/** `count` requests, at most `concurrency` at a time, results in request order. */
async function probe(req: ProbeRequest): Promise<ProbeResult[]> {
  const one = req.protocol === 'UDP' ? probeUdp : probeTcp;
  const results: ProbeResult[] = new Array(req.count);
  let next = 0;
  const lane = async () => {
    while (next < req.count) {
      const i = next++;
      results[i] = await one(req);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(req.concurrency, req.count)) }, lane));
  return results;
}

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  try {
    if (req.op === 'serve') {
      await serve(req);
      return { id: req.id, ok: true };
    }
    return { id: req.id, ok: true, results: await probe(req) };
  } catch (err) {
    return { id: req.id, ok: false, error: (err as Error).message };
  }
}

onJsonLines<WorkerRequest>(process.stdin, (req) => void handle(req).then((res) => process.stdout.write(JSON.stringify(res) + '\n'))).on('close', () => process.exit(0));
process.stdout.write(JSON.stringify({ id: 0, ok: true, ready: true }) + '\n');
