/**
 * The probe against the real curl binary of this machine and a netexec-like server on 127.0.0.1:
 * both answers come over one connection, and a closed port is classified as refused from curl's
 * own words. Skipped (with the reason) when curl is not installed.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../src/backends/kind/exec.js';
import { curlArgs, parseProbe } from '../../src/backends/kind/probe.js';

const hasCurl = spawnSync('curl', ['--version']).status === 0;

describe.skipIf(!hasCurl)('probe with the real curl (127.0.0.1 only; skipped when curl is missing)', () => {
  const connections: number[] = [];
  const server = createServer((req, res) => {
    // Like agnhost netexec: no trailing newline on either answer.
    if (req.url === '/hostname') res.end('web-7');
    else if (req.url === '/clientip') res.end(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    else res.writeHead(404).end('not found');
  });
  server.on('connection', (s) => connections.push(s.remotePort ?? 0));
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('one connection answers /hostname and /clientip', async () => {
    const before = connections.length;
    const r = await new ProcessRunner().run('curl', curlArgs('127.0.0.1', port, 2000), { timeoutMs: 10_000 });
    const p = parseProbe(r);
    expect(p).toEqual({ outcome: 'ok', hostname: 'web-7', clientIP: '127.0.0.1', localIP: '127.0.0.1' });
    expect(connections.length - before).toBe(1);
  });

  it('a closed port is refused (curl exit 7, reason from the verbose line)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await new ProcessRunner().run('curl', curlArgs('127.0.0.1', free, 2000), { timeoutMs: 10_000 });
    expect(r.code).toBe(7);
    const p = parseProbe(r);
    expect(p.outcome).toBe('refused');
    expect(p.detail).toContain('Connection refused');
  });
});
