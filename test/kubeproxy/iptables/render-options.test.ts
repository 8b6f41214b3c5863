import { describe, expect, it } from 'vitest';
import { renderNodeRules } from '../../../src/kubeproxy/iptables/render.js';
import type { KubeProxyConfig, Service } from '../../../src/model/types.js';
import { TEST_NODE, fakeCluster, port, service, slice } from './fixtures.js';

const p80 = [{ name: 'p80', port: 80 }];

function lines(text: string): string[] {
  return text.split('\n');
}

function render(svcs: Service[], kubeProxy: Partial<KubeProxyConfig> = {}, eps = [{ ip: '10.180.0.1' }], options = {}) {
  return renderNodeRules(
    fakeCluster({ services: svcs, slices: svcs.map((s) => slice(s.namespace, s.name, p80, eps)), kubeProxy }),
    TEST_NODE,
    options,
  );
}

const clusterIP = service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80)] });
const nodePort = service('ns1', 'svc1', { type: 'NodePort', clusterIP: '172.30.0.41', ports: [port('p80', 80, { nodePort: 3001 })] });
const localNodePort = { ...nodePort, externalTrafficPolicy: 'Local' as const };

describe('hooks and loadability', () => {
  it('starts each table with the builtin chains and kube-proxy\'s jump rules', () => {
    const out = lines(render([clusterIP]));
    expect(out[0]).toBe('*filter');
    expect(out).toContain(':PREROUTING ACCEPT [0:0]');
    expect(out).toContain('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
    expect(out).toContain('-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
    expect(out).toContain('-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
    const input = out.filter((l) => l.startsWith('-A INPUT '));
    // kubelet's KUBE-FIREWALL jumps are prepended last, so they come first (as real kube-proxy leaves them).
    expect(input.map((l) => l.split(' -j ')[1])).toEqual(['KUBE-FIREWALL', 'KUBE-PROXY-FIREWALL', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES']);
    const output = out.filter((l) => l.startsWith('-A OUTPUT ') && l.includes('FIREWALL'));
    expect(output.map((l) => l.split(' -j ')[1])).toEqual(['KUBE-FIREWALL', 'KUBE-PROXY-FIREWALL']);
    const forward = out.filter((l) => l.startsWith('-A FORWARD '));
    expect(forward.map((l) => l.split(' -j ')[1])).toEqual(['KUBE-PROXY-FIREWALL', 'KUBE-FORWARD', 'KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES']);
    expect(out.filter((l) => l === 'COMMIT')).toHaveLength(2);
  });

  it('hooks: false gives only kube-proxy\'s restore text', () => {
    const out = render([clusterIP], {}, undefined, { hooks: false });
    expect(out).not.toContain(':PREROUTING');
    expect(out).not.toContain('-A INPUT');
  });

  it('every chain that is jumped to or appended to is declared in its table', () => {
    const text = render([localNodePort, { ...clusterIP, name: 'svc2', clusterIP: '172.30.0.42', sessionAffinity: 'ClientIP' }]);
    for (const table of text.split('COMMIT').slice(0, 2)) {
      const declared = new Set([...table.matchAll(/^:(\S+)/gm)].map((m) => m[1]));
      const used = [...table.matchAll(/-[Aj] (KUBE-\S+)/g)].map((m) => m[1]);
      expect(used.filter((c) => !declared.has(c))).toEqual([]);
    }
  });
});

describe('masquerading and local detection', () => {
  it('masqueradeAll marks every ClusterIP packet', () => {
    const out = render([clusterIP], { masqueradeAll: true });
    expect(out).toContain(
      '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ',
    );
  });

  it('detect-local None: no ClusterIP masquerade rule and no pod short-circuit', () => {
    const out = render([localNodePort], { detectLocal: 'None' }, [{ ip: '10.180.0.1' }, { ip: '10.180.0.2', node: TEST_NODE } as never]);
    expect(out).not.toMatch(/KUBE-SVC-\S+ .*KUBE-MARK-MASQ/);
    expect(out).not.toContain('pod traffic for');
    expect(out).toContain('-m addrtype --src-type LOCAL -j KUBE-MARK-MASQ');
  });

  it('an empty cluster CIDR makes the ClusterCIDR detector a no-op', () => {
    const state = fakeCluster({ services: [clusterIP], slices: [slice('ns1', 'svc1', p80, [{ ip: '10.180.0.1' }])], clusterCIDR: '' });
    expect(renderNodeRules(state, TEST_NODE)).not.toMatch(/KUBE-SVC-\S+ .*KUBE-MARK-MASQ/);
  });

  it('the masquerade bit sets the mark', () => {
    const out = render([clusterIP], { masqueradeBit: 15 });
    expect(out).toContain('-A KUBE-MARK-MASQ -j MARK --or-mark 0x8000');
    expect(out).toContain('-A KUBE-POSTROUTING -m mark ! --mark 0x8000/0x8000 -j RETURN');
  });

  it('randomFully and conntrackTCPLiberal switch their rules', () => {
    const out = render([clusterIP], {}, undefined, { randomFully: true, conntrackTCPLiberal: true });
    expect(out).toContain('-j MASQUERADE --random-fully');
    expect(out).not.toContain('--ctstate INVALID');
  });

  it('eTP Local without local endpoints: EXT keeps the short-circuits and filter DROPs the rest', () => {
    const out = lines(render([localNodePort]));
    expect(out.filter((l) => l.startsWith('-A KUBE-EXT-'))).toHaveLength(3);
    expect(out).toContain(
      '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc1:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP',
    );
  });
});

describe('node ports', () => {
  it('localhost node ports off: the catch-all skips 127.0.0.0/8 and no nfacct 127 rule is written', () => {
    const out = render([nodePort], { localhostNodePorts: false }, undefined, { kubeletFirewall: false });
    expect(out).toContain(
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS',
    );
    expect(out).not.toContain('-d 127.0.0.0/8 --dport');
    expect(out).not.toContain('block incoming localnet connections');
  });

  it('kubelet\'s KUBE-FIREWALL rule stays by default even with localhost node ports off', () => {
    expect(render([nodePort], { localhostNodePorts: false })).toContain('block incoming localnet connections');
  });

  it('nodePortAddresses: one rule per matching interface address, loopback only with localhost node ports', () => {
    const last = (text: string) => lines(text).filter((l) => l.includes('must be the last rule')).map((l) => / -d (\S+) /.exec(l)?.[1]);
    expect(last(render([nodePort], { nodePortAddresses: ['192.168.0.0/24', '192.168.1.0/24', '2001:db8::/64'], localhostNodePorts: false }))).toEqual([
      '192.168.0.2',
      '192.168.1.2',
    ]);
    expect(last(render([nodePort], { nodePortAddresses: ['192.168.0.0/24', '127.0.0.1/32'], localhostNodePorts: false }))).toEqual(['192.168.0.2']);
    expect(last(render([nodePort], { nodePortAddresses: ['192.168.0.0/24', '127.0.0.1/32'] }))).toEqual(['192.168.0.2', '127.0.0.1']);
  });

  it('nodePortAddresses without loopback turns localhost node ports off', () => {
    const out = render([nodePort], { nodePortAddresses: ['192.168.0.0/24'] }, undefined, { kubeletFirewall: false });
    expect(out).not.toContain('127.0.0.0/8');
  });

  it('a health-check node port is only honoured for LoadBalancer services with eTP Local', () => {
    expect(render([{ ...localNodePort, healthCheckNodePort: 30000 }])).not.toContain('health check node port');
    const lb = { ...localNodePort, type: 'LoadBalancer' as const, healthCheckNodePort: 30000 };
    expect(render([lb])).toContain('-A KUBE-NODEPORTS -m comment --comment "ns1/svc1:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT');
  });
});

describe('service filtering', () => {
  it('skips LoadBalancer ingress with ipMode Proxy', () => {
    const lb = service('ns1', 'svc1', {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.41',
      ports: [port('p80', 80, { nodePort: 3001 })],
      loadBalancerIngress: [{ ip: '1.2.3.4', ipMode: 'Proxy' }, { ip: '1.2.3.5', ipMode: 'VIP' }, { ip: '1.2.3.6' }],
    });
    const out = render([lb]);
    expect(out).not.toContain('1.2.3.4');
    expect(out).toContain('-d 1.2.3.5 --dport 80 -j KUBE-EXT-');
    expect(out).toContain('-d 1.2.3.6 --dport 80 -j KUBE-EXT-');
  });

  it('ignores headless and ExternalName services and IPv6 addresses', () => {
    const headless = service('ns1', 'headless', { clusterIP: 'None', ports: [port('p80', 80)] });
    const ext = service('ns1', 'ext', { type: 'ExternalName', clusterIP: '172.30.0.9', ports: [port('p80', 80)] });
    const v6 = service('ns1', 'v6', { clusterIP: 'fd00::10', ports: [port('p80', 80)] });
    const out = render([headless, ext, v6]);
    expect(out).not.toMatch(/ns1\/(headless|ext|v6)/);
  });

  it('a 0.0.0.0/0 source range means no firewall chain', () => {
    const lb = service('ns1', 'svc1', {
      type: 'LoadBalancer',
      clusterIP: '172.30.0.41',
      ports: [port('p80', 80, { nodePort: 3001 })],
      loadBalancerIngress: [{ ip: '1.2.3.4' }],
      loadBalancerSourceRanges: ['203.0.113.0/25', '0.0.0.0/0'],
    });
    expect(render([lb])).not.toContain('KUBE-FW-');
  });

  it('UDP and SCTP ports match their own protocol', () => {
    const svc = service('ns1', 'dns', {
      clusterIP: '172.30.0.10',
      ports: [port('dns', 53, { protocol: 'UDP' }), port('dns-sctp', 53, { protocol: 'SCTP' })],
    });
    const state = fakeCluster({
      services: [svc],
      slices: [slice('ns1', 'dns', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-sctp', port: 53, protocol: 'SCTP' }], [{ ip: '10.180.0.1' }])],
    });
    const out = renderNodeRules(state, TEST_NODE);
    expect(out).toContain('-m comment --comment "ns1/dns:dns cluster IP" -m udp -p udp -d 172.30.0.10 --dport 53');
    expect(out).toContain('-m comment --comment "ns1/dns:dns-sctp cluster IP" -m sctp -p sctp -d 172.30.0.10 --dport 53');
    expect(out).toContain('-m udp -p udp -j DNAT --to-destination 10.180.0.1:53');
  });

  it('unknown nodes are an error naming the known ones', () => {
    expect(() => renderNodeRules(fakeCluster({ services: [] }), 'nope')).toThrow(/unknown node 'nope'; nodes: test-node, node2/);
  });
});

describe('large clusters (TestSyncProxyRulesLargeClusterMode)', () => {
  const endpoints = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${i % 256}.${Math.floor(i / 256)}` }));
  const svcs = [
    service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80)] }),
    service('ns2', 'svc2', { clusterIP: '172.30.0.42', ports: [port('p8080', 8080)] }),
    service('ns3', 'svc3', { clusterIP: '172.30.0.43', ports: [port('p8081', 8081)] }),
  ];
  const slices = [
    slice('ns1', 'svc1', [{ name: 'p80', port: 80 }], endpoints('10.0', 499)),
    slice('ns2', 'svc2', [{ name: 'p8080', port: 8080 }], endpoints('10.1', 499)),
  ];
  const dnat = (text: string) => lines(text).filter((l) => l.startsWith('-A KUBE-SEP-') && l.includes('-j DNAT'));

  it('keeps endpoint comments up to 1000 endpoints', () => {
    const out = dnat(renderNodeRules(fakeCluster({ services: svcs, slices, kubeProxy: { masqueradeAll: true } }), TEST_NODE));
    expect(out).toHaveLength(998);
    expect(out).toContain('-A KUBE-SEP-DKGQUZGBKLTPAR56 -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.0.0:80');
  });

  it('drops them above 1000', () => {
    const more = [...slices, slice('ns3', 'svc3', [{ name: 'p8081', port: 8081 }], [{ ip: '203.0.113.4' }, { ip: '203.0.113.8' }, { ip: '203.0.113.12' }])];
    const out = dnat(renderNodeRules(fakeCluster({ services: svcs, slices: more, kubeProxy: { masqueradeAll: true } }), TEST_NODE));
    expect(out).toHaveLength(1001);
    expect(out.filter((l) => l.includes('--comment'))).toEqual([]);
    expect(out).toContain('-A KUBE-SEP-DKGQUZGBKLTPAR56 -m tcp -p tcp -j DNAT --to-destination 10.0.0.0:80');
    expect(out).toContain('-A KUBE-SEP-RUVVH7YV3PHQBDOS -m tcp -p tcp -j DNAT --to-destination 203.0.113.4:8081');
  });
});
