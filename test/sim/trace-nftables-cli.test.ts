/**
 * `svclab trace` in nftables mode: `--rules` tells an `nft list ruleset` dump from an iptables-save
 * one by itself, and a scenario in kubeProxy mode nftables is walked through nftables rules.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run, traceScenario } from '../../src/cli/commands/trace.js';
import { NftParseError } from '../../src/evaluators/nftables/parse.js';
import { ExitCode } from '../../src/errors.js';
import { NODE_PORT, seed004 } from './seed004.js';

const nftDump = fileURLToPath(new URL('../evaluators/nftables/fixtures/overall.ruleset', import.meta.url));
const iptDump = fileURLToPath(new URL('../evaluators/iptables/fixtures/trace-packet.rules', import.meta.url));

async function capture(argv: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  expect(await run(argv)).toBe(0);
  vi.restoreAllMocks();
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('svclab trace --rules with an nft list ruleset dump', () => {
  it('recognizes the format and shows every rule hit with exact shares', async () => {
    const j = JSON.parse(await capture(['--rules', nftDump, '--node-ip', '192.168.0.2', '--from', '10.0.0.2', '--to', '172.30.0.44:80', '--json']));
    expect(j.format).toBe('nftables');
    expect(j.endpoints).toEqual([
      { endpoint: '10.180.0.4:80', probability: 0.5 },
      { endpoint: '10.180.0.5:80', probability: 0.5 },
    ]);
    const hops = j.path.map((h: { chain: string; rule?: string; note: string }) => `${h.chain}: ${h.note}`);
    expect(hops).toContain('services: goto service-LAUZTJTB-ns4/svc4/tcp/p80 (vmap @service-ips: 172.30.0.44 . tcp . 80)');
    expect(hops.some((h: string) => h.startsWith('service-LAUZTJTB-ns4/svc4/tcp/p80: dnat 172.30.0.44:80 -> 10.180.0.'))).toBe(true);
  });

  it('prints the chains and rules as nft lists them', async () => {
    const out = await capture(['--rules', nftDump, '--node-ip', '192.168.0.2', '--from', '203.0.113.130', '--to', '5.6.7.8:80']);
    expect(out).toContain('(nft list ruleset dump)');
    expect(out).toContain('[ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80]\n      ip saddr != 203.0.113.0/25 drop\n        => drop');
    expect(out).toContain('verdict: drop');
  });

  it('still reads iptables-save dumps', async () => {
    const j = JSON.parse(await capture(['--rules', iptDump, '--node-ip', '192.168.0.2', '--from', '203.0.113.2', '--to', '172.30.0.44:80', '--json']));
    expect(j.format).toBe('iptables');
    expect(j.readAs).toBe('iptables-save');
    expect(j.verdict).toBe('ok');
    expect(j.why).toMatch(/-> DNAT to one of 2 endpoints, chosen at random$/);
  });

  it('each verdict has a one-line why: the deciding rule\'s comment, else the Service its chain is named after', async () => {
    const why = async (to: string, from = '10.0.0.2') => JSON.parse(await capture(['--rules', nftDump, '--node-ip', '192.168.0.2', '--from', from, '--to', to, '--json'])).why;
    expect(await why('172.30.0.99:80')).toBe('Drop traffic to unallocated ClusterIPs -> DROP');
    expect(await why('172.30.0.41:81')).toBe('Reject traffic to invalid ports of ClusterIPs -> REJECT');
    expect(await why('172.30.0.44:80')).toBe('ns4/svc4:p80 -> DNAT to one of 2 endpoints, chosen at random');
    expect(await why('5.6.7.8:80', '203.0.113.130')).toBe('ns5/svc5:p80 -> DROP (via vmap @firewall-ips: 5.6.7.8 . tcp . 80)');
    const out = await capture(['--rules', nftDump, '--node-ip', '192.168.0.2', '--from', '10.0.0.2', '--to', '172.30.0.99:80']);
    expect(out).toMatch(/^read as nft list ruleset$/m);
    expect(out).toMatch(/^why: Drop traffic to unallocated ClusterIPs -> DROP$/m);
  });

  it('a prompt line above the listing and tables it does not walk are warnings, not errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svclab-nft-'));
    try {
      const file = join(dir, 'pasted.txt');
      writeFileSync(file, `node1:~# nft list ruleset\ntable ip6 filter {\n}\n${readFileSync(nftDump, 'utf8')}`);
      const j = JSON.parse(await capture(['--rules', file, '--node-ip', '192.168.0.2', '--from', '10.0.0.2', '--to', '172.30.0.44:80', '--json']));
      expect(j.format).toBe('nftables');
      expect(j.warnings).toEqual(['line 1: shell command line left out: node1:~# nft list ruleset', "line 2: table ip6 filter left out (only ip and inet tables carry kube-proxy's IPv4 rules)"]);
      expect(j.verdict).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a malformed listing is a located error with exit code 3', async () => {
    const bad = fileURLToPath(new URL('../evaluators/nftables/fixtures/upstream-overall.nft', import.meta.url));
    await expect(run(['--rules', bad, '--node-ip', '1.1.1.1', '--from', '1.1.1.2', '--to', '1.2.3.4:80'])).rejects.toThrow(/this is an nft script/);
    const dir = mkdtempSync(join(tmpdir(), 'svclab-nft-'));
    try {
      const file = join(dir, 'bad.ruleset');
      writeFileSync(file, 'table ip t {\n\tchain c {\n\t\tip daddr 10.0.0.1 tproxy to :80\n\t}\n}\n');
      const err = await run(['--rules', file, '--node-ip', '1.1.1.1', '--from', '1.1.1.2', '--to', '1.2.3.4:80']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NftParseError);
      expect((err as NftParseError).exitCode).toBe(ExitCode.invalidScenario);
      expect((err as Error).message).toMatch(/bad\.ruleset:3:21: unsupported statement: tproxy/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('svclab trace on a scenario in nftables mode', () => {
  it('walks the nftables ruleset, never iptables', () => {
    const state = seed004();
    const nft = { ...state, cluster: { ...state.cluster, kubeProxy: { ...state.cluster.kubeProxy, mode: 'nftables' as const } } };
    const s = traceScenario(nft, { from: 'mypc', proto: 'tcp', to: { host: state.cluster.nodes[0]!.addresses[0]!, port: NODE_PORT } });
    expect(s.verdict).toBe('ok');
    const chains = new Set(s.branches.flatMap((b) => b.result.trace.map((h) => h.chain)));
    expect(chains.has('services')).toBe(true);
    expect([...chains].some((c) => c?.startsWith('KUBE-'))).toBe(false);
    expect(s.endpoints.reduce((a, e) => a + e.probability, 0)).toBeCloseTo(1, 12);
  });

  it('refuses ipvs with the reason (exit 3)', () => {
    const state = seed004();
    const ipvs = { ...state, cluster: { ...state.cluster, kubeProxy: { ...state.cluster.kubeProxy, mode: 'ipvs' as const } } };
    let code = 0;
    try {
      traceScenario(ipvs, { from: 'mypc', proto: 'tcp', to: { host: '1.2.3.4', port: 80 } });
    } catch (e) {
      code = (e as { exitCode: number }).exitCode;
      expect(String(e)).toMatch(/ipvs is deprecated upstream/);
    }
    expect(code).toBe(ExitCode.invalidScenario);
  });
});
