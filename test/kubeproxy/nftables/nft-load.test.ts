/**
 * The rendered transaction is real `nft -f` input, and formatNftList prints exactly what the real
 * nft prints back: each state is loaded into a throwaway network namespace (`unshare -n`, gone
 * when the command exits) and `nft list ruleset` is compared byte for byte. Skipped, with the
 * reason, when this machine cannot do it (not root, no nft, no unshare).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatNftList, formatRulesetDump, formatTransaction, renderNftNode, type NftRenderOptions } from '../../../src/kubeproxy/nftables/index.js';
import type { ClusterState, Service } from '../../../src/model/types.js';
import { TEST_NODE, nftFakeCluster, port, service, slice } from './fixtures.js';

function unavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  const probe = spawnSync('unshare', ['-n', 'nft', '--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error !== undefined) return `cannot run unshare/nft: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare -n nft --version failed: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = unavailableReason();
if (reason !== undefined) console.warn(`nft-load tests skipped: ${reason}`);

/** Loads `text` with `nft -f -` in a fresh namespace and lists the ruleset. */
function loadAndList(text: string): { status: number | null; stdout: string; stderr: string } {
  // The script is a constant; the rules only travel on stdin.
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'nft -f - && nft list ruleset'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const p80 = [{ name: 'p80', port: 80 }];

function overall(kubeProxy: Parameters<typeof nftFakeCluster>[0]['kubeProxy'] = {}): ClusterState {
  return nftFakeCluster({
    kubeProxy,
    services: [
      service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80)] }),
      service('ns2', 'svc2', {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        clusterIP: '172.30.0.42',
        ports: [port('p80', 80, { nodePort: 3001 })],
        loadBalancerIngress: [{ ip: '1.2.3.4' }],
        externalIPs: ['192.168.99.22'],
        healthCheckNodePort: 30000,
      }),
      service('ns4', 'svc4', { type: 'NodePort', clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'], ports: [port('p80', 80)] }),
      service('ns5', 'svc5', {
        type: 'LoadBalancer',
        clusterIP: '172.30.0.45',
        ports: [port('p80', 80, { nodePort: 3002 })],
        loadBalancerIngress: [{ ip: '5.6.7.8' }, { ip: '5.6.7.9' }],
        // The node (192.168.0.2) is inside a range, so the VIPs are allowed too; 192.168.0.0/25
        // and 192.168.0.128/25 merge, 203.0.113.7 falls inside 203.0.113.0/25.
        loadBalancerSourceRanges: ['203.0.113.0/25', '192.168.0.0/25', '192.168.0.128/25', '203.0.113.7/32'],
        sessionAffinity: 'ClientIP',
        sessionAffinityTimeoutSeconds: 10800,
      }),
      service('ns6', 'svc6', { clusterIP: '172.30.0.46', ports: [port('p80', 80)] }),
      service('ns7', 'svc7', { clusterIP: '172.30.0.47', ports: [port('p80', 80)], internalTrafficPolicy: 'Local' }),
    ],
    slices: [
      slice('ns1', 'svc1', p80, [{ ip: '10.180.0.1', node: TEST_NODE }]),
      slice('ns2', 'svc2', p80, [{ ip: '10.180.0.2', node: 'node2' }]),
      slice('ns4', 'svc4', p80, [{ ip: '10.180.0.4', node: 'node2' }, { ip: '10.180.0.5', node: TEST_NODE }]),
      slice('ns5', 'svc5', p80, [{ ip: '10.180.0.3', node: TEST_NODE }, { ip: '10.180.0.6', node: 'node2' }]),
      slice('ns7', 'svc7', p80, [{ ip: '10.180.0.7', node: 'node2' }]),
    ],
  });
}

/** Many ports, protocols and endpoints: exercises element order, wrapping and numgen maps. */
function mixed(): ClusterState {
  const services: Service[] = [];
  const slices = [];
  for (let i = 0; i < 24; i++) {
    const name = `svc${i}`;
    const affinity = i % 5 === 0;
    services.push(
      service('mixed', name, {
        type: i % 3 === 0 ? 'NodePort' : 'ClusterIP',
        clusterIP: `172.30.${i % 4}.${200 - i}`,
        ports: [
          port('http', 80 + i * 97, { nodePort: i % 3 === 0 ? 30000 + i * 11 : undefined }),
          port('dns', 53, { protocol: 'UDP', nodePort: i % 3 === 0 ? 31000 + i : undefined }),
          port('assoc', 9 + i, { protocol: 'SCTP' }),
        ],
        sessionAffinity: affinity ? 'ClientIP' : 'None',
        sessionAffinityTimeoutSeconds: 1 + i * 3700,
      }),
    );
    const endpoints = Array.from({ length: (i % 13) + (i % 4 === 3 ? 0 : 1) }, (_, k) => ({
      ip: `10.${i}.${k}.${(k * 37) % 250}`,
      node: k % 2 === 0 ? TEST_NODE : 'node2',
    }));
    slices.push(
      slice('mixed', name, [{ name: 'http', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' as const }, { name: 'assoc', port: 9, protocol: 'SCTP' as const }], endpoints),
    );
  }
  return nftFakeCluster({ services, slices });
}

const cases: [string, () => ClusterState, NftRenderOptions][] = [
  ['TestOverallNFTablesRules-like, localhost node ports on', () => overall(), { localhostNodePorts: true }],
  ['node ports on every local address, masquerade-all', () => overall({ nodePortAddresses: ['0.0.0.0/0'], masqueradeAll: true }), {}],
  ['default nodePortAddresses (primary), detect-local None', () => overall({ nodePortAddresses: [], detectLocal: 'None' }), {}],
  ['explicit loopback node ports, mark bit 31', () => overall({ nodePortAddresses: ['127.0.0.0/8', '192.168.0.0/16'], masqueradeBit: 31 }), { localhostNodePorts: true }],
  ['24 services x 3 protocols, up to 13 endpoints, affinity', mixed, {}],
];

describe.skipIf(reason !== undefined)('the real nft (1.0.6) loads the transaction and lists what formatNftList prints', () => {
  it.each(cases)('%s', (_name, build, options) => {
    const rendered = renderNftNode(build(), TEST_NODE, options);
    const listed = loadAndList(formatTransaction(rendered.operations));
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(formatNftList(rendered.ruleset)).toBe(listed.stdout);
  });

  it('the "add" dump of the table loads to the same table', () => {
    const rendered = renderNftNode(overall(), TEST_NODE, { localhostNodePorts: true });
    const listed = loadAndList(formatRulesetDump(rendered.ruleset));
    expect(listed.status).toBe(0);
    expect(listed.stdout).toBe(formatNftList(rendered.ruleset));
  });
});
