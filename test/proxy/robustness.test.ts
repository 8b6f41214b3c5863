/**
 * Load, slow clients, backpressure and endpoint churn through real proxy daemons. Bounded in count;
 * everything started is stopped in afterEach. No assertion on speed.
 */
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyLab } from '../../src/backends/proxy/lab.js';
import { ProxyDaemon } from '../../src/backends/proxy/daemon.js';
import { claimRunOctet } from '../../src/backends/proxy/addressMap.js';
import { requestOnce, runBounded } from '../../src/backends/proxy/trafficClient.js';
import { CIP, NODES, NPORT, lab004 } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startLab(): Promise<ProxyLab> {
  const lab = await ProxyLab.start(lab004(), { seed: 11, holdMs: 5_000 });
  cleanups.push(() => lab.close());
  return lab;
}

describe('proxy daemon under load', () => {
  it('serves 1,000 concurrent connections without losing one', async () => {
    const lab = await startLab();
    const from = lab.map.loopback('172.18.0.100');
    const targets = NODES.map((n) => lab.map.loopback(n.ip));
    const results = await runBounded(1000, 1000, (i) => requestOnce({ host: targets[i % 4], port: NPORT, localAddress: from, timeoutMs: 30_000 }));
    const bad = results.filter((r) => r.outcome !== 'ok');
    expect(bad.map((r) => r.detail)).toEqual([]);
    expect(new Set(results.map((r) => r.answer?.pod)).size).toBe(3);
  }, 300_000);

  it('keeps serving while silent, half-open and half-closing clients hang around', async () => {
    const lab = await startLab();
    const from = lab.map.loopback('172.18.0.100');
    const host = lab.map.loopback(NODES[1].ip);
    const idle: net.Socket[] = [];
    cleanups.push(() => idle.forEach((s) => s.destroy()));
    for (let i = 0; i < 200; i++) {
      const s = net.connect({ host, port: NPORT, localAddress: from });
      s.on('error', () => undefined);
      idle.push(s);
      // Half of them start a request and never finish it.
      if (i % 2 === 0) s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    }
    await Promise.all(idle.map((s) => once(s, 'connect')));
    const results = await runBounded(100, 10, () => requestOnce({ host, port: NPORT, localAddress: from, timeoutMs: 30_000 }));
    expect(results.filter((r) => r.outcome !== 'ok')).toEqual([]);

    // A client that half-closes right after its request still gets the whole answer.
    const half = net.connect({ host, port: NPORT, localAddress: from, allowHalfOpen: true });
    cleanups.push(() => void half.destroy());
    await once(half, 'connect');
    half.end('GET /hostname HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const chunks: Buffer[] = [];
    half.on('data', (c: Buffer) => chunks.push(c));
    await once(half, 'end');
    expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1\.1 200[\s\S]*\r\n\r\ndeploy-echo-[abc]$/);
  });

  it('applies backpressure: a client that does not read stalls the upstream, then still gets every byte', async () => {
    const { run, release } = await claimRunOctet();
    cleanups.push(release);
    const ep = { address: `127.${run}.20.1`, port: 8080 };
    let written = 0;
    let stalled: () => void = () => undefined;
    const stall = new Promise<void>((r) => (stalled = r));
    const chunk = Buffer.alloc(1 << 20, 120);
    const TOTAL = 96 * chunk.length;
    const upstream = net.createServer((s) => {
      s.on('error', () => undefined);
      const pump = (): void => {
        // Write until the socket says stop; resume only on 'drain'.
        while (written < TOTAL) {
          written += chunk.length;
          if (!s.write(chunk)) {
            const timer = setTimeout(stalled, 1000); // no drain for a second: the pipe is stalled
            s.once('drain', () => {
              clearTimeout(timer);
              pump();
            });
            return;
          }
        }
        s.end();
      };
      pump();
    });
    upstream.listen(ep.port, ep.address);
    await once(upstream, 'listening');
    cleanups.push(() => void upstream.close());
    const daemon = new ProxyDaemon({ seed: 1 });
    cleanups.push(() => daemon.close());
    await daemon.apply({
      node: 'n1',
      nodes: [{ name: 'n1', addresses: [`127.${run}.1.1`] }],
      pods: [],
      vipOwner: false,
      vipRoutes: [],
      masqueradeAll: false,
      services: [
        { key: 'd/s:', port: 80, nodePort: 30500, externalIPs: [], loadBalancerIPs: [], externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', endpoints: [{ ...ep, node: 'n1', ready: true, serving: true, terminating: false }] },
      ],
    });
    const client = net.connect({ host: `127.${run}.1.1`, port: 30500, localAddress: `127.${run}.10.1` });
    cleanups.push(() => void client.destroy());
    client.pause();
    await stall;
    // Kernel socket buffers on four sockets hold a few MB; without backpressure all 96 MB would flow.
    expect(written).toBeLessThan(64 * chunk.length);
    // Reading resumes the flow, and every byte arrives although the pod closed long before.
    let received = 0;
    client.on('data', (c: Buffer) => (received += c.length));
    client.resume();
    await once(client, 'end');
    expect(received).toBe(TOTAL);
  });

  it('applies backpressure upstream: a pod that does not read stalls the client, then gets every byte and the FIN in order', async () => {
    const { run, release } = await claimRunOctet();
    cleanups.push(release);
    const ep = { address: `127.${run}.21.1`, port: 8080 };
    const TOTAL = 48 << 20;
    let podSocket: net.Socket | undefined;
    const accepted = new Promise<net.Socket>((resolve) => {
      const server = net.createServer({ allowHalfOpen: true }, (s) => {
        s.on('error', () => undefined);
        s.pause(); // the pod reads nothing until told to
        podSocket = s;
        resolve(s);
      });
      server.listen(ep.port, ep.address);
      cleanups.push(() => {
        podSocket?.destroy();
        server.close();
      });
    });
    const daemon = new ProxyDaemon({ seed: 1 });
    cleanups.push(() => daemon.close());
    await daemon.apply({
      node: 'n1',
      nodes: [{ name: 'n1', addresses: [`127.${run}.1.1`] }],
      pods: [],
      vipOwner: false,
      vipRoutes: [],
      masqueradeAll: false,
      services: [
        { key: 'd/s:', port: 80, nodePort: 30501, externalIPs: [], loadBalancerIPs: [], externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', endpoints: [{ ...ep, node: 'n1', ready: true, serving: true, terminating: false }] },
      ],
    });
    // The client writes at once, before the proxy's upstream connection exists, until told to stop.
    const client = net.connect({ host: `127.${run}.1.1`, port: 30501, localAddress: `127.${run}.10.1`, allowHalfOpen: true });
    cleanups.push(() => void client.destroy());
    const chunk = Buffer.alloc(1 << 20);
    let sent = 0;
    let stalled: () => void = () => undefined;
    const stall = new Promise<void>((r) => (stalled = r));
    const pump = (): void => {
      while (sent < TOTAL) {
        // Each chunk carries its index, so reordering or loss shows.
        chunk.fill(sent >> 20);
        sent += chunk.length;
        if (!client.write(Buffer.from(chunk))) {
          const timer = setTimeout(stalled, 1000);
          client.once('drain', () => {
            clearTimeout(timer);
            pump();
          });
          return;
        }
      }
      client.end();
      stalled();
    };
    pump();
    const pod = await accepted;
    await stall;
    // Kernel and socket buffers hold a few MB; without backpressure all 48 MB would be taken in.
    expect(sent).toBeLessThan(32 << 20);
    let received = 0;
    let inOrder = true;
    pod.on('data', (c: Buffer) => {
      for (let i = 0; i < c.length; i += 4096) if (c[i] !== ((received + i) >> 20) % 256) inOrder = false;
      received += c.length;
    });
    pod.resume();
    await once(pod, 'end');
    expect(received).toBe(TOTAL);
    expect(inOrder).toBe(true);
    // The half-closed client still gets the pod's answer.
    pod.end('done');
    const answer: Buffer[] = [];
    client.on('data', (c: Buffer) => answer.push(c));
    await once(client, 'end');
    expect(Buffer.concat(answer).toString()).toBe('done');
  });

  it('loses no request to an endpoint that stays while endpoints churn (3 -> 1 -> 3, pod delete) over 10,000 requests', async () => {
    const lab = await ProxyLab.start(lab004(), {
      seed: 5,
      holdMs: 5_000,
      laterStates: [lab004({ pods: ['deploy-echo-a'] }), lab004({ pods: ['deploy-echo-a', 'deploy-echo-c'] })],
    });
    cleanups.push(() => lab.close());
    const from = lab.map.loopback('172.18.0.100');
    const targets = NODES.map((n) => lab.map.loopback(n.ip));
    const states = [
      lab004({ pods: ['deploy-echo-a'] }), // scale 3 -> 1
      lab004(), // scale 1 -> 3
      lab004({ pods: ['deploy-echo-a', 'deploy-echo-c'] }), // delete pod b
      lab004(), // replacement
    ];
    let done = false;
    let changes = 0;
    let churnError: unknown;
    const churn = (async () => {
      try {
        while (!done) {
          await lab.update(states[changes % states.length]);
          changes++;
          await new Promise((r) => setTimeout(r, 20));
        }
        await lab.update(lab004());
      } catch (err) {
        churnError = err;
      }
    })();
    let results;
    try {
      results = await runBounded(10_000, 50, (i) => requestOnce({ host: targets[i % 4], port: NPORT, localAddress: from, timeoutMs: 30_000 }));
    } finally {
      done = true;
      await churn;
    }
    expect(churnError).toBeUndefined();
    const stats = [...lab.nodes.values()].map((n) => n.daemon.stats);
    const closedByReconcile = stats.reduce((a, s) => a + s.closedByReconcile, 0);
    const failed = results.filter((r) => r.outcome !== 'ok');
    expect(changes).toBeGreaterThanOrEqual(4);
    // Every failure is a connection to a removed endpoint, cut on purpose; none reached a dead pod.
    expect(stats.reduce((a, s) => a + s.upstreamErrors + s.rejected + s.dropped, 0)).toBe(0);
    expect(failed.length).toBeLessThanOrEqual(closedByReconcile);
    const byPod = new Map<string, number>();
    for (const r of results) if (r.answer) byPod.set(r.answer.pod, (byPod.get(r.answer.pod) ?? 0) + 1);
    expect(byPod.get('deploy-echo-a')).toBeGreaterThan(0);
    expect(results.length).toBe(10_000);
  }, 600_000);
});

describe('proxy daemon: drops and reconciles', () => {
  /** Open connections over all daemons of the lab. */
  const open = (lab: ProxyLab): number => [...lab.nodes.values()].reduce((n, node) => n + node.daemon.openConnections, 0);
  /** Polls `cond` every 20 ms, at most `ms`; true when it held. */
  async function eventually(cond: () => boolean, ms = 3_000): Promise<boolean> {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (cond()) return true;
    return cond();
  }

  it('lets a dropped connection go as soon as its client gives up', async () => {
    const lab = await ProxyLab.start(lab004(), { seed: 11, holdMs: 3_600_000 });
    cleanups.push(() => lab.close());
    // An outside client to the ClusterIP: not routed, so the daemon holds it silently (a drop).
    const sock = net.connect({ host: lab.map.loopback(CIP), port: 9000, localAddress: lab.map.loopback('172.18.0.100') });
    cleanups.push(() => void sock.destroy());
    await once(sock, 'connect');
    expect(await eventually(() => open(lab) === 1)).toBe(true);
    sock.destroy();
    expect(await eventually(() => open(lab) === 0)).toBe(true);
  });

  it('reconciles without waiting for held or established connections of a listener it closes', async () => {
    const lab = await ProxyLab.start(lab004(), { seed: 11, holdMs: 3_600_000 });
    cleanups.push(() => lab.close());
    const from = lab.map.loopback('172.18.0.100');
    const held = net.connect({ host: lab.map.loopback(CIP), port: 9000, localAddress: from });
    const proxied = net.connect({ host: lab.map.loopback(NODES[1].ip), port: NPORT, localAddress: from });
    cleanups.push(() => void held.destroy(), () => void proxied.destroy());
    await Promise.all([once(held, 'connect'), once(proxied, 'connect')]);
    expect(await eventually(() => open(lab) === 2)).toBe(true);
    // The Service moves to other ports: the daemons stay, the old listeners close. With a one-hour
    // hold, waiting for the held connection would hang this test past its timeout.
    const moved = lab004();
    moved.services[0].ports = [{ ...moved.services[0].ports[0], port: 9001, nodePort: NPORT + 1 }];
    await lab.update(moved);
    const listening = [...lab.nodes.values()].flatMap((n) => n.daemon.listening());
    expect(listening.length).toBeGreaterThan(0);
    expect(listening.filter((l) => l.endsWith(`:${NPORT}`) || l.endsWith(':9000'))).toEqual([]);
    // The proxied connection to an endpoint that stays is not cut by the reconcile.
    expect(proxied.destroyed).toBe(false);
  });
});
