import fs from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimRunOctet } from '../../src/backends/proxy/addressMap.js';
import { ProxyDaemon } from '../../src/backends/proxy/daemon.js';
import { controlRequest, startControlServer, type ControlServer } from '../../src/backends/proxy/controlApi.js';
import type { DesiredState } from '../../src/backends/proxy/desiredState.js';

const cleanups: (() => Promise<void>)[] = [];
// A claimed run octet keeps these addresses apart from any other session running in parallel.
let R = 0;
let release: () => Promise<void> = async () => undefined;
beforeAll(async () => {
  ({ run: R, release } = await claimRunOctet());
});
afterAll(() => release());
const a = (rest: string): string => `127.${R}.${rest}`;
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function state(port: number): DesiredState {
  return {
    node: 'n1',
    nodes: [{ name: 'n1', addresses: [a('1.1')] }],
    pods: [{ address: a('20.1'), node: 'n1' }],
    vipOwner: true,
    vipRoutes: [],
    masqueradeAll: false,
    services: [
      {
        key: 'default/web:http',
        clusterIP: a('150.1'),
        port: 9000,
        nodePort: port,
        externalIPs: [],
        loadBalancerIPs: [],
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        endpoints: [{ address: a('20.1'), port: 8080, node: 'n1', ready: true, serving: true, terminating: false }],
      },
    ],
  };
}

async function started(): Promise<{ daemon: ProxyDaemon; control: ControlServer }> {
  const daemon = new ProxyDaemon({ seed: 1 });
  const control = await startControlServer(daemon, 'n1');
  cleanups.push(async () => {
    await daemon.close();
    await control.close();
  });
  return { daemon, control };
}

describe('proxyd control API', () => {
  it('lives on a Unix socket only its owner can use', async () => {
    const { control } = await started();
    const st = await fs.stat(control.socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('applies a valid state and opens its listeners', async () => {
    const { daemon, control } = await started();
    const reply = await controlRequest(control.socketPath, 'PUT', '/state', JSON.stringify(state(30100)));
    expect(reply.status).toBe(200);
    expect(daemon.listening()).toEqual([a('1.1:30100'), a('150.1:9000')]);
    const got = await controlRequest(control.socketPath, 'GET', '/state');
    expect(got.body).toEqual(state(30100));
  });

  it.each([
    ['not JSON', '{nope', /not JSON/],
    ['an unknown field', JSON.stringify({ ...state(30101), extra: 1 }), /unknown field 'extra'/],
    ['a non-loopback address', JSON.stringify({ ...state(30101), nodes: [{ name: 'n1', addresses: ['10.0.0.1'] }] }), /state\.nodes\[0\]\.addresses\[0\]: expected a 127\.0\.0\.0\/8 address/],
    ['a bad port', JSON.stringify({ ...state(30101), services: [{ ...state(1).services[0], nodePort: 70000 }] }), /nodePort: expected a port/],
    ['a node not in nodes', JSON.stringify({ ...state(30101), node: 'n9' }), /'n9' is not among state\.nodes/],
  ])('rejects %s with a JSON error and changes nothing', async (_what, body, message) => {
    const { daemon, control } = await started();
    await controlRequest(control.socketPath, 'PUT', '/state', JSON.stringify(state(30102)));
    const before = daemon.listening();
    const reply = await controlRequest(control.socketPath, 'PUT', '/state', body);
    expect(reply.status).toBe(400);
    expect((reply.body as { error: string }).error).toMatch(message);
    expect(daemon.listening()).toEqual(before);
    expect((await controlRequest(control.socketPath, 'GET', '/state')).body).toEqual(state(30102));
  });

  it('rejects an oversized body', async () => {
    const { control } = await started();
    const reply = await controlRequest(control.socketPath, 'PUT', '/state', JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) })).catch((e: Error) => ({ status: -1, body: e.message }));
    // Either a clean 400 or the connection is cut mid-upload; never applied.
    if (reply.status !== -1) {
      expect(reply.status).toBe(400);
      expect((reply.body as { error: string }).error).toMatch(/larger than/);
    }
    expect((await controlRequest(control.socketPath, 'GET', '/state')).body).toBeNull();
  });

  it('fails clearly when a port is busy, leaving the previous state in place', async () => {
    const { daemon, control } = await started();
    await controlRequest(control.socketPath, 'PUT', '/state', JSON.stringify(state(30103)));
    const other = new ProxyDaemon({ seed: 2 });
    cleanups.push(() => other.close());
    const clash = { ...state(30103), services: [{ ...state(30103).services[0], clusterIP: a('150.2') }] };
    await expect(other.apply(clash)).rejects.toThrow(new RegExp(`${a('1.1').replace(/\./g, '\\.')} port 30103 is already in use`));
    expect(other.listening()).toEqual([]);
    expect(daemon.listening()).toEqual([a('1.1:30103'), a('150.1:9000')]);
  });

  it('answers unknown paths with 404 and a hint', async () => {
    const { control } = await started();
    const reply = await controlRequest(control.socketPath, 'POST', '/nope', '{}');
    expect(reply.status).toBe(404);
    expect((reply.body as { error: string }).error).toMatch(/PUT \/state/);
  });
});
