import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run, traceScenario } from '../../src/cli/commands/trace.js';
import { UsageError } from '../../src/errors.js';
import { DumpInputError } from '../../src/evaluators/iptables/read-pasted.js';
import { NODE_PORT, seed004 } from './seed004.js';

const fixture = fileURLToPath(new URL('../evaluators/iptables/fixtures/trace-packet.rules', import.meta.url));

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await run(argv);
    return { code, out };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('svclab trace --rules', () => {
  it('--json lists every endpoint with its exact probability, masquerade and the path', async () => {
    const { code, out } = await capture(['--rules', fixture, '--node-ip', '192.168.0.2', '--from', '203.0.113.2', '--to', '172.30.0.44:80', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.verdict).toBe('ok');
    expect(j.endpoints).toEqual([
      { endpoint: '10.180.0.4:80', probability: 0.5 },
      { endpoint: '10.180.0.5:80', probability: 0.5 },
    ]);
    expect(j.masquerade).toBe(true);
    expect(j.path.some((h: { rule?: string }) => h.rule?.includes('KUBE-SVC-4SW47YFZTEDKD3PK'))).toBe(true);
  });
  it('prints tables, chains, rule texts, NAT rewrites and the verdict', async () => {
    const { out } = await capture(['--rules', fixture, '--node-ip', '192.168.0.2', '--from', '203.0.113.2', '--to', '192.168.99.22:80']);
    expect(out).toContain('[filter KUBE-EXTERNAL-SERVICES]');
    expect(out).toContain('"ns2/svc2:p80 has no local endpoints"');
    expect(out).toMatch(/verdict: drop/);
  });
  it('says none when nothing intercepts the packet, local for the node itself', async () => {
    const none = JSON.parse((await capture(['--rules', fixture, '--node-ip', '192.168.0.2', '--from', '10.0.0.2', '--to', '10.0.0.3:80', '--json'])).out);
    expect(none.verdict).toBe('none');
    const local = JSON.parse((await capture(['--rules', fixture, '--node-ip', '192.168.0.2', '--from', '10.0.0.2', '--to', '192.168.0.2:22', '--json'])).out);
    expect(local.verdict).toBe('local');
  });
  it('rejects bad arguments with a usage error', async () => {
    await expect(run(['--rules', fixture, '--from', '1.2.3.4', '--to', '1.2.3.4:80'])).rejects.toThrow(UsageError);
    await expect(run(['--rules', fixture, '--node-ip', '1.1.1.1', '--from', 'mypc', '--to', '1.2.3.4:80'])).rejects.toThrow(/--from must be an IPv4 address/);
    await expect(run(['--rules', fixture, '--node-ip', '1.1.1.1', '--from', '1.1.1.2', '--to', '1.2.3.4'])).rejects.toThrow(/ADDR:PORT/);
    await expect(run(['--rules', '/nonexistent/dump', '--node-ip', '1.1.1.1', '--from', '1.1.1.2', '--to', '1.2.3.4:80'])).rejects.toThrow(/cannot read/);
  });
  it('a rule with an unknown match is a named, located warning and is treated as not matching', async () => {
    const bad = fileURLToPath(new URL('../evaluators/iptables/fixtures/bad-match.rules', import.meta.url));
    const { code, out } = await capture(['--rules', bad, '--node-ip', '1.1.1.1', '--from', '1.1.1.2', '--to', '1.2.3.4:80']);
    expect(code).toBe(0);
    expect(out).toMatch(/^warning: line 5:\d+: unknown match '-m physdev'.*rule left out \(treated as not matching\)$/m);
    expect(out).toMatch(/^verdict: none$/m);
    expect(out).toMatch(/^why: no rule matched it/m);
  });
  it('a grep fragment prints its assumptions as warnings and a one-line why', async () => {
    const frag = fileURLToPath(new URL('../evaluators/iptables/fixtures/pasted/weave-3568-grep-nginx-ext.txt', import.meta.url));
    const { code, out } = await capture(['--rules', frag, '--node-ip', '192.168.1.10', '--from', '203.0.113.5', '--to', '192.168.1.10:32204']);
    expect(code).toBe(0);
    expect(out).toContain('read as iptables-save fragment');
    expect(out).toContain("warning: no rule jumps from PREROUTING or OUTPUT to KUBE-SERVICES: assumed kube-proxy's standard hooks");
    expect(out).toMatch(/^why: default\/nginx-ext: has no local endpoints -> DROP$/m);
  });
  it('--rules - reads the paste from stdin', () => {
    const frag = fileURLToPath(new URL('../evaluators/iptables/fixtures/pasted/weave-3568-grep-nginx-ext.txt', import.meta.url));
    const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
    const r = spawnSync(process.execPath, [cli, 'trace', '--rules', '-', '--node-ip', '192.168.1.10', '--from', '203.0.113.5', '--to', '192.168.1.10:32204', '--json'], { input: readFileSync(frag), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).why).toBe('default/nginx-ext: has no local endpoints -> DROP');
  });
  it('input that is not a rule dump: exit 3 with file:line:col and what was expected', async () => {
    const notDump = fileURLToPath(new URL('../dsl/helpers.ts', import.meta.url));
    const err = await run(['--rules', notDump, '--node-ip', '1.1.1.1', '--from', '1.1.1.2', '--to', '1.2.3.4:80']).then(
      () => undefined,
      (e: unknown) => e as DumpInputError,
    );
    expect(err).toBeInstanceOf(DumpInputError);
    expect(err!.exitCode).toBe(3);
    expect(err!.message).toMatch(/helpers\.ts:\d+:\d+: expected an iptables-save or 'iptables -S' line/);
  });
  it('--help prints usage', async () => {
    const { code, out } = await capture(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('svclab trace --rules DUMP');
  });
});

describe('trace over a scenario state', () => {
  const state = seed004({ etp: 'Local', podNodes: ['myk8s-worker', 'myk8s-worker2'] });
  it('names pods and nodes of every endpoint', () => {
    const s = traceScenario(state, { from: 'node:myk8s-control-plane', to: { host: '172.18.0.4', port: NODE_PORT }, proto: 'tcp' });
    expect(s.verdict).toBe('ok');
    expect(s.endpoints.map((e) => [e.pod, e.node, e.probability])).toEqual([
      ['deploy-echo-0', 'myk8s-worker', 0.5],
      ['deploy-echo-1', 'myk8s-worker2', 0.5],
    ]);
    expect(s.masquerade).toBe(true);
  });
  it('external client to the pod-less node under eTP=Local: drop', () => {
    const s = traceScenario(state, { from: 'mypc', to: { host: 'myk8s-control-plane', port: NODE_PORT }, proto: 'tcp' });
    expect(s.verdict).toBe('drop');
    expect(s.branches[0]!.result.trace.some((h) => h.note === 'verdict DROP')).toBe(true);
  });
  it('--node forces the node whose rules the packet meets', () => {
    const s = traceScenario(state, { from: 'mypc', to: { host: '172.18.0.5', port: NODE_PORT }, proto: 'tcp', node: 'myk8s-worker' });
    expect(s.endpoints.map((e) => e.pod)).toEqual(['deploy-echo-0']);
    expect(s.masquerade).toBe(false);
  });
  it('unknown names are usage errors listing the valid ones', () => {
    expect(() => traceScenario(state, { from: 'nobody', to: { host: '172.18.0.5', port: 1 }, proto: 'tcp' })).toThrow(/unknown client 'nobody'; clients: mypc/);
    expect(() => traceScenario(state, { from: 'pod:x', to: { host: '172.18.0.5', port: 1 }, proto: 'tcp' })).toThrow(/unknown pod 'x'/);
  });
});

describe('svclab trace <scenario> --to with the scenario language', () => {
  const lab = fileURLToPath(new URL('../../scenarios/labs/004-kans-nodeport.yaml', import.meta.url));
  const probabilities = async (to: string) => {
    const { code, out } = await capture([lab, '--from', 'mypc', '--to', to, '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out) as { verdict: string; endpoints: { probability: number }[] };
    return [j.verdict, ...j.endpoints.map((e) => e.probability)];
  };

  it('reads the lab variables and prints kube-proxy probabilities without float noise', async () => {
    // 3 endpoints: 0.3333333333, then 0.5 of the rest, then the rest (seed 004's iptables rules).
    expect(await probabilities('CNODE:NPORT')).toEqual(['ok', 0.3333333333, 0.33333333335, 0.33333333335]);
    expect(await probabilities('myk8s-worker:NPORT')).toEqual(['ok', 0.3333333333, 0.33333333335, 0.33333333335]);
    // The ClusterIP is not routed from the external client.
    expect(await probabilities('CIP:CIPPORT')).toEqual(['no-route']);
  });

  it('names an unknown variable and the ones there are', async () => {
    await expect(run([lab, '--from', 'mypc', '--to', 'FOO:NPORT'])).rejects.toThrow(/--to 'FOO:NPORT': undefined variable 'FOO' \(expected one of: CNODE, .*NPORT/);
    await expect(run([lab, '--from', 'mypc', '--to', 'CNODE:99999'])).rejects.toThrow(UsageError);
  });
});

describe('trace tells a kube-proxy DROP, no route and an unanswered port apart (issue 14)', () => {
  it('a packet DNATed and masqueraded, then lost to routing, reads no-route with masquerade true, as its path says', () => {
    const state = seed004({ podNodes: ['myk8s-worker'] });
    // The only endpoint has an address no node routes (outside every pod CIDR, no pod holds it).
    for (const slice of state.endpointSlices) for (const e of slice.endpoints) e.addresses = ['10.99.0.5'];
    const s = traceScenario(state, { from: 'mypc', to: { host: '172.18.0.4', port: NODE_PORT }, proto: 'tcp' });
    const path = s.branches[0]!.result.trace;
    expect(path.some((h) => h.rule?.includes('DNAT'))).toBe(true);
    expect(path.some((h) => h.rule?.includes('MASQUERADE'))).toBe(true);
    expect(s.verdict).toBe('no-route');
    expect(s.masquerade).toBe(true);
  });
  it('a kube-proxy DROP reads drop; a node port nobody serves reads refused; a ClusterIP from outside reads no-route', async () => {
    const local = seed004({ etp: 'Local', podNodes: ['myk8s-worker'] });
    expect(traceScenario(local, { from: 'mypc', to: { host: 'myk8s-control-plane', port: NODE_PORT }, proto: 'tcp' }).verdict).toBe('drop');
    expect(traceScenario(local, { from: 'mypc', to: { host: 'myk8s-control-plane', port: 31999 }, proto: 'tcp' }).verdict).toBe('refused');
    const lab = fileURLToPath(new URL('../../scenarios/labs/004-kans-nodeport.yaml', import.meta.url));
    const { out } = await capture([lab, '--from', 'mypc', '--to', 'CIP:CIPPORT']);
    expect(out).toMatch(/verdict: no-route: lost to routing/);
    expect(out).not.toMatch(/verdict: drop/);
  });
  it('an ipvs scenario is refused with the reason and exit 3, not answered with iptables rules', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const lab = fileURLToPath(new URL('../../scenarios/labs/004-kans-nodeport.yaml', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'svclab-ipvs-'));
    const file = join(dir, 'ipvs.yaml');
    const text = readFileSync(lab, 'utf8');
    expect(text).toMatch(/^cluster:/m);
    writeFileSync(file, text.replace(/^cluster:\n/m, 'cluster:\n  kubeProxy: { mode: ipvs }\n'));
    const err = await run([file, '--from', 'mypc', '--to', 'CNODE:NPORT']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { exitCode: number }).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/ipvs/);
    expect((err as Error).message).toMatch(/deprecated upstream/);
  });
});
