/**
 * `svclab rules` in nftables mode: nft syntax for scenarios whose kube-proxy runs nftables (the
 * transaction by default, `--format list` for what `nft list ruleset` shows), `--mode` to pick
 * the other mode, ipvs refused with the reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { rulesFor, run } from '../../../src/cli/commands/rules.js';
import { ScenarioError, UsageError } from '../../../src/errors.js';
import type { CompiledScenario } from '../../../src/model/scenario.js';
import type { ClusterState } from '../../../src/model/types.js';
import { nftServiceChainNames } from '../../../src/kubeproxy/nftables/index.js';
import { TEST_NODE, nftFakeCluster, port, service, slice } from './fixtures.js';

const webChain = nftServiceChainNames('default', 'web', 'tcp', '').cluster;

const loc = { file: '/lab.yaml', line: 1, col: 1 };
function scenarioOf(initial: ClusterState): CompiledScenario {
  return { file: '/lab.yaml', name: 'lab', tags: [], loc, initial, steps: [] };
}
const nft = scenarioOf(
  nftFakeCluster({
    services: [service('default', 'web', { clusterIP: '172.30.0.41', ports: [port('', 80)] })],
    slices: [slice('default', 'web', [{ name: '', port: 8080 }], [{ ip: '10.0.0.5', node: TEST_NODE }])],
  }),
);

describe('svclab rules, nftables mode', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the transaction kube-proxy sends by default', () => {
    const text = rulesFor(nft, TEST_NODE, 0, {});
    expect(text.split('\n')[0]).toBe('add table ip kube-proxy { comment "rules for kube-proxy" ; }');
    expect(text).toContain(`add rule ip kube-proxy ${webChain} meta l4proto tcp dnat to 10.0.0.5:8080\n`);
    expect(text).toContain(`add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto ${webChain} }\n`);
  });

  it('--format list prints the table as nft lists it', () => {
    const text = rulesFor(nft, TEST_NODE, 0, {}, { format: 'list' });
    expect(text.startsWith('table ip kube-proxy {\n\tcomment "rules for kube-proxy"\n')).toBe(true);
    expect(text).toContain(`\t\telements = { 172.30.0.41 . tcp . 80 : goto ${webChain} }\n`);
    expect(text).toContain('\t\ttype nat hook prerouting priority dstnat; policy accept;\n');
  });

  it('--mode iptables renders iptables rules for the same scenario; --format is then refused', () => {
    expect(rulesFor(nft, TEST_NODE, 0, {}, { mode: 'iptables' })).toMatch(/^\*filter\n/);
    expect(() => rulesFor(nft, TEST_NODE, 0, {}, { mode: 'iptables', format: 'list' })).toThrow(UsageError);
  });

  it('ipvs mode is refused with the reason (exit 3), unless --mode picks a mode svclab renders', () => {
    const ipvs = scenarioOf({ ...nft.initial, cluster: { ...nft.initial.cluster, kubeProxy: { ...nft.initial.cluster.kubeProxy, mode: 'ipvs' } } });
    let err: unknown;
    try {
      rulesFor(ipvs, TEST_NODE, 0, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/ipvs mode, which svclab does not render \(IPVS mode is deprecated upstream\)/);
    expect(rulesFor(ipvs, TEST_NODE, 0, {}, { mode: 'nftables' })).toContain('add table ip kube-proxy');
  });

  it('bad --mode / --format values are usage errors', async () => {
    await expect(run(['lab.yaml', '--node', 'x', '--mode', 'ipvs'])).rejects.toThrow(/--mode must be iptables or nftables/);
    await expect(run(['lab.yaml', '--node', 'x', '--format', 'json'])).rejects.toThrow(/--format must be transaction or list/);
  });

  describe('from a scenario file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svclab-nft-rules-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'nft.yaml');
    writeFileSync(
      file,
      `name: nft-lab
cluster:
  nodes:
    - { name: cp, role: control-plane, ip: 172.18.0.2 }
    - { name: w1, ip: 172.18.0.3 }
  kubeProxy: { mode: nftables }
resources:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 1
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          containers: [{ name: web, image: nginx, ports: [{ containerPort: 8080 }] }]
  - apiVersion: v1
    kind: Service
    metadata: { name: web }
    spec:
      type: NodePort
      selector: { app: web }
      ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }]
steps:
  - send: 1 curl to CIP:CIPPORT from node w1
    expect: { outcome: ok }
`,
    );

    async function capture(argv: string[]): Promise<{ code: number; out: string }> {
      const chunks: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
        chunks.push(String(c));
        return true;
      });
      const code = await run(argv);
      return { code, out: chunks.join('') };
    }

    it('prints nft syntax, the node IP as the only node-port address (nftables default "primary")', async () => {
      const { code, out } = await capture([file, '--node', 'w1']);
      expect(code).toBe(0);
      expect(out).toContain('add element ip kube-proxy nodeport-ips { 172.18.0.3 }\n');
      expect(out).toMatch(/add element ip kube-proxy service-nodeports \{ tcp \. 30080 : goto external-\S+-default\/web\/tcp\/ \}/);
    });

    it('iptables-only flags are refused in nftables mode', async () => {
      await expect(capture([file, '--node', 'w1', '--no-nfacct'])).rejects.toThrow(/--no-nfacct apply to iptables mode only/);
    });
  });
});
