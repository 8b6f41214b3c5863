import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interleaveRounds, measureInterleaved, type LoadTarget } from '../../src/bench/http-load.js';

describe('interleaveRounds', () => {
  it('uses up to 10 rounds, each at least four times the concurrency', () => {
    expect(interleaveRounds(1, 2000)).toBe(10);
    expect(interleaveRounds(64, 2000)).toBe(7);
    expect(interleaveRounds(1000, 4000)).toBe(1);
    expect(interleaveRounds(1000, 100)).toBe(1);
  });
});

describe('measureInterleaved', () => {
  // Two echo servers on loopback; every answered request is logged with the server's name.
  const hits: string[] = [];
  const servers: http.Server[] = [];
  const targets: LoadTarget[] = [];

  beforeAll(async () => {
    for (const name of ['a', 'b']) {
      const server = http.createServer((req, res) => {
        hits.push(name);
        res.setHeader('Connection', 'close');
        res.end(JSON.stringify({ pod: name }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      servers.push(server);
      targets.push({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, localAddress: '127.0.0.1' });
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('sends every path its requests in alternating rounds and pools them into one figure per path', async () => {
    hits.length = 0;
    const figures = await measureInterleaved(
      [
        { path: 'a', target: targets[0] },
        { path: 'b', target: targets[1] },
      ],
      1,
      12,
    );
    expect(figures.map((f) => [f.path, f.requests, f.errors])).toEqual([
      ['a', 12, 0],
      ['b', 12, 0],
    ]);
    // 3 rounds of 4 at concurrency 1: a b, then b a, then a b.
    expect(hits.join('')).toBe('aaaabbbb' + 'bbbbaaaa' + 'aaaabbbb');
  });

  it('counts a path that does not answer as errors, not as latencies', async () => {
    const closed: LoadTarget = { host: '127.0.0.1', port: 1, localAddress: '127.0.0.1' };
    const [ok, refused] = await measureInterleaved(
      [
        { path: 'a', target: targets[0] },
        { path: 'closed', target: closed },
      ],
      2,
      8,
    );
    expect(ok.errors).toBe(0);
    expect(refused).toMatchObject({ path: 'closed', requests: 8, errors: 8, requestsPerSecond: 0 });
  });
});
