/**
 * The rendered text is real iptables-restore input: load it into a throwaway network namespace
 * (`unshare -n`, gone when the command exits) when this machine allows it (root, iptables).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderNodeRules } from '../../../src/kubeproxy/iptables/render.js';
import { TEST_NODE, fakeCluster, port, service, slice } from './fixtures.js';

function canLoadRules(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = spawnSync('unshare', ['-n', 'iptables-restore', '--version'], { timeout: 10_000 });
  return probe.status === 0;
}

const available = canLoadRules();

function loadAndSave(text: string): { status: number | null; stdout: string; stderr: string } {
  // The script is a constant; the rules only travel on stdin.
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'iptables-restore && iptables-save'], {
    input: text,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!available)('iptables-restore accepts the rendered rules', () => {
  const state = fakeCluster({
    services: [
      service('ns1', 'lb', {
        type: 'LoadBalancer',
        clusterIP: '172.30.0.41',
        externalTrafficPolicy: 'Local',
        ports: [port('http', 80, { nodePort: 30080 }), port('dns', 53, { protocol: 'UDP', nodePort: 30053 })],
        loadBalancerIngress: [{ ip: '1.2.3.4' }],
        loadBalancerSourceRanges: ['192.168.0.0/16'],
        externalIPs: ['192.168.99.22'],
        healthCheckNodePort: 31000,
        sessionAffinity: 'ClientIP',
      }),
      service('ns1', 'empty', { clusterIP: '172.30.0.46', ports: [port('p80', 80)], internalTrafficPolicy: 'Local' }),
    ],
    slices: [
      slice('ns1', 'lb', [{ name: 'http', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }], [
        { ip: '10.0.0.5', node: TEST_NODE },
        { ip: '10.0.1.5', node: 'node2' },
        { ip: '10.0.1.6', node: 'node2', ready: false, serving: true, terminating: true },
      ]),
      slice('ns1', 'empty', [{ name: 'p80', port: 80 }], [{ ip: '10.0.1.9', node: 'node2' }]),
    ],
  });

  it('loads with every feature on except nfacct (whose counters must exist first)', () => {
    const text = renderNodeRules(state, TEST_NODE, { nfacct: false, randomFully: true });
    const r = loadAndSave(text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const natRules = text.split('\n').filter((l) => l.startsWith('-A ') && text.indexOf(l) > text.indexOf('*nat'));
    // iptables-save prints one line per rule it loaded.
    const saved = r.stdout.split('*nat')[1].split('\n').filter((l) => l.startsWith('-A '));
    expect(saved).toHaveLength(natRules.length);
  });
});
