/**
 * Full-dump comparisons: the same Services kube-proxy's unit tests build, rendered for the fake
 * proxier's node, must give the rule text those tests expect (ordering between services aside).
 */
import { describe, expect, it } from 'vitest';
import { renderNodeRules } from '../../../src/kubeproxy/iptables/render.js';
import * as D from './dumps.js';
import { TEST_NODE, fakeCluster, normalizeDump, port, service, slice } from './fixtures.js';

const p80 = [{ name: 'p80', port: 80 }];

describe('rendered rules equal kube-proxy test dumps', () => {
  it('TestOverallIPTablesRules (master)', () => {
    const state = fakeCluster({
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
        service('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', ports: [port('p80', 80, { nodePort: 3003 })] }),
        service('ns4', 'svc4', {
          type: 'NodePort',
          clusterIP: '172.30.0.44',
          externalIPs: ['192.168.99.33'],
          ports: [port('p80', 80)],
        }),
        service('ns5', 'svc5', {
          type: 'LoadBalancer',
          externalTrafficPolicy: 'Cluster',
          clusterIP: '172.30.0.45',
          ports: [port('p80', 80, { nodePort: 3002 })],
          loadBalancerIngress: [{ ip: '5.6.7.8' }],
          healthCheckNodePort: 30000,
          loadBalancerSourceRanges: [' 203.0.113.0/25'],
          sessionAffinity: 'ClientIP',
          sessionAffinityTimeoutSeconds: 10800,
        }),
        service('ns6', 'svc6', { type: 'ClusterIP', clusterIP: '172.30.0.46', ports: [port('p80', 80)] }),
      ],
      slices: [
        slice('ns1', 'svc1', p80, [{ ip: '10.180.0.1' }]),
        slice('ns2', 'svc2', p80, [{ ip: '10.180.0.2' }]),
        slice('ns3', 'svc3', p80, [{ ip: '10.180.0.3' }]),
        slice('ns4', 'svc4', p80, [{ ip: '10.180.0.4' }, { ip: '10.180.0.5', node: TEST_NODE }]),
        slice('ns5', 'svc5', p80, [{ ip: '10.180.0.3' }]),
      ],
    });
    expect(normalizeDump(renderNodeRules(state, TEST_NODE))).toBe(normalizeDump(D.OVERALL));
  });

  it('TestBadIPs (master): sloppy addresses come out canonical', () => {
    const state = fakeCluster({
      services: [
        service('ns1', 'svc1', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.041',
          ports: [port('p80', 80, { nodePort: 3001 })],
          loadBalancerIngress: [{ ip: '1.2.3.004' }],
          externalIPs: ['192.168.099.022'],
          loadBalancerSourceRanges: ['203.0.113.000/025'],
        }),
      ],
      slices: [slice('ns1', 'svc1', p80, [{ ip: '10.180.00.001' }])],
    });
    expect(normalizeDump(renderNodeRules(state, TEST_NODE))).toBe(normalizeDump(D.BAD_IPS));
  });

  const svc1 = service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80)] });
  const eps1 = slice('ns1', 'svc1', p80, [{ ip: '10.0.1.1' }]);

  it('TestSyncProxyRulesRepeated, first sync (master)', () => {
    const state = fakeCluster({
      services: [svc1, service('ns2', 'svc2', { clusterIP: '172.30.0.42', ports: [port('p8080', 8080)] })],
      slices: [eps1, slice('ns2', 'svc2', [{ name: 'p8080', port: 8080 }], [{ ip: '10.0.2.1' }])],
    });
    expect(normalizeDump(renderNodeRules(state, TEST_NODE))).toBe(normalizeDump(D.REPEATED_INITIAL));
  });

  it('TestSyncProxyRulesRepeated, final full sync (master)', () => {
    const state = fakeCluster({
      services: [svc1, service('ns3', 'svc3', { clusterIP: '172.30.0.43', ports: [port('p80', 80)] })],
      slices: [eps1, slice('ns3', 'svc3', p80, [{ ip: '10.0.3.2' }, { ip: '10.0.3.3' }])],
    });
    expect(normalizeDump(renderNodeRules(state, TEST_NODE))).toBe(normalizeDump(D.REPEATED_FINAL));
  });

  it('TestLoadBalancer (pre-nfacct): source ranges containing the node IP also allow the VIPs', () => {
    const state = fakeCluster({
      services: [
        service('ns1', 'svc1', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.41',
          ports: [port('p80', 80, { nodePort: 3001 })],
          loadBalancerIngress: [{ ip: '1.2.3.4' }, { ip: '5.6.7.8' }],
          loadBalancerSourceRanges: ['192.168.0.0/24', ' 203.0.113.0/25'],
        }),
      ],
      slices: [slice('ns1', 'svc1', p80, [{ ip: '10.180.0.1' }])],
    });
    expect(normalizeDump(renderNodeRules(state, TEST_NODE, { nfacct: false }))).toBe(normalizeDump(D.LOAD_BALANCER));
  });

  it('TestNodePort (pre-nfacct)', () => {
    const state = fakeCluster({
      services: [service('ns1', 'svc1', { type: 'NodePort', clusterIP: '172.30.0.41', ports: [port('p80', 80, { nodePort: 3001 })] })],
      slices: [slice('ns1', 'svc1', p80, [{ ip: '10.180.0.1' }])],
    });
    expect(normalizeDump(renderNodeRules(state, TEST_NODE, { nfacct: false }))).toBe(normalizeDump(D.NODE_PORT));
  });

  it('TestHealthCheckNodePort (pre-nfacct): nodePortAddresses 127.0.0.0/8, no endpoints', () => {
    const state = fakeCluster({
      kubeProxy: { nodePortAddresses: ['127.0.0.0/8'] },
      services: [
        service('ns1', 'svc1', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.42',
          ports: [port('p80', 80, { nodePort: 3001 })],
          healthCheckNodePort: 30000,
          externalTrafficPolicy: 'Local',
        }),
      ],
    });
    expect(normalizeDump(renderNodeRules(state, TEST_NODE, { nfacct: false }))).toBe(normalizeDump(D.HEALTH_CHECK_NODE_PORT));
  });

  it('TestExternalTrafficPolicyLocal (pre-nfacct): KUBE-SVL holds only the local endpoint', () => {
    const state = fakeCluster({
      services: [
        service('ns1', 'svc1', {
          type: 'LoadBalancer',
          clusterIP: '172.30.0.41',
          ports: [port('p80', 80, { nodePort: 3001 })],
          healthCheckNodePort: 30000,
          externalIPs: ['192.168.99.11'],
          loadBalancerIngress: [{ ip: '1.2.3.4' }],
          externalTrafficPolicy: 'Local',
        }),
      ],
      slices: [slice('ns1', 'svc1', p80, [{ ip: '10.180.0.1' }, { ip: '10.180.2.1', node: TEST_NODE }])],
    });
    expect(normalizeDump(renderNodeRules(state, TEST_NODE, { nfacct: false }))).toBe(normalizeDump(D.ETP_LOCAL));
  });
});

describe('internalTrafficPolicy dumps (TestInternalTrafficPolicyE2E, pre-nfacct)', () => {
  const three = (nodes: [string, string, string]) =>
    slice('ns1', 'svc1', [{ name: '', port: 80 }], [
      { ip: '10.0.1.1', node: nodes[0] },
      { ip: '10.0.1.2', node: nodes[1] },
      { ip: '10.0.1.3', node: nodes[2] },
    ]);
  const svc = (itp: 'Cluster' | 'Local') =>
    service('ns1', 'svc1', { clusterIP: '172.30.1.1', ports: [port('', 80)], internalTrafficPolicy: itp });
  const render = (itp: 'Cluster' | 'Local', nodes: [string, string, string]) =>
    normalizeDump(renderNodeRules(fakeCluster({ services: [svc(itp)], slices: [three(nodes)] }), TEST_NODE, { nfacct: false }));

  it('Cluster: three endpoints give the 1/3, 1/2, rest chain', () => {
    expect(render('Cluster', [TEST_NODE, 'host1', 'host2'])).toBe(normalizeDump(D.ITP_CLUSTER));
  });
  it('Local with a local endpoint: ClusterIP goes to KUBE-SVL', () => {
    expect(render('Local', [TEST_NODE, 'host1', 'host2'])).toBe(normalizeDump(D.ITP_LOCAL));
  });
  it('Local without local endpoints: filter DROP, no nat chains', () => {
    expect(render('Local', ['host0', 'host1', 'host2'])).toBe(normalizeDump(D.ITP_LOCAL_NONE));
  });
});

describe('terminating endpoints with eTP Local and ClientIP affinity (pre-nfacct)', () => {
  const svc = service('ns1', 'svc1', {
    type: 'LoadBalancer',
    clusterIP: '172.30.1.1',
    externalTrafficPolicy: 'Local',
    ports: [port('', 80)],
    healthCheckNodePort: 30000,
    sessionAffinity: 'ClientIP',
    sessionAffinityTimeoutSeconds: 10800,
    loadBalancerIngress: [{ ip: '1.2.3.4' }],
  });
  const render = (eps: Parameters<typeof slice>[3]) =>
    normalizeDump(
      renderNodeRules(fakeCluster({ services: [svc], slices: [slice('ns1', 'svc1', [{ name: '', port: 80 }], eps)] }), TEST_NODE, {
        nfacct: false,
      }),
    );

  it('ready endpoints exist: terminating ones are ignored', () => {
    const out = render([
      { ip: '10.0.1.1', node: TEST_NODE },
      { ip: '10.0.1.2', node: TEST_NODE },
      { ip: '10.0.1.3', node: TEST_NODE, ready: false, serving: true, terminating: true },
      { ip: '10.0.1.4', node: TEST_NODE, ready: false, serving: false, terminating: true },
      { ip: '10.0.1.5', node: 'host-1' },
    ]);
    expect(out).toBe(normalizeDump(D.TERMINATING_LOCAL_READY));
  });
  it('only terminating endpoints locally: KUBE-SVL falls back to them, KUBE-SVC keeps the remote ready one', () => {
    const out = render([
      { ip: '10.0.1.2', node: TEST_NODE, ready: false, serving: true, terminating: true },
      { ip: '10.0.1.3', node: TEST_NODE, ready: false, serving: true, terminating: true },
      { ip: '10.0.1.4', node: TEST_NODE, ready: false, serving: false, terminating: true },
      { ip: '10.0.1.5', node: 'host-1' },
    ]);
    expect(out).toBe(normalizeDump(D.TERMINATING_LOCAL_ONLY_TERMINATING));
  });
  it('serving-terminating endpoint only on a remote node: no REJECT, external traffic DROPped', () => {
    const out = render([{ ip: '10.0.1.5', node: 'host-1', ready: false, serving: true, terminating: true }]);
    expect(out).toBe(normalizeDump(D.TERMINATING_LOCAL_REMOTE));
  });
  it('no usable endpoints on any node: REJECT, and the health-check port stays open', () => {
    const out = render([
      { ip: '10.0.1.5', node: TEST_NODE, ready: false, serving: false, terminating: true },
      { ip: '10.0.1.5', node: 'host-1', ready: false, serving: false, terminating: true },
    ]);
    expect(out).toBe(normalizeDump(D.TERMINATING_LOCAL_UNUSABLE));
  });
});

describe('terminating endpoints with eTP Cluster and ClientIP affinity (pre-nfacct)', () => {
  it('ready endpoints exist: ready ones everywhere, terminating and not-serving ones ignored', () => {
    const svc = service('ns1', 'svc1', {
      type: 'LoadBalancer',
      clusterIP: '172.30.1.1',
      externalTrafficPolicy: 'Cluster',
      ports: [port('', 80)],
      healthCheckNodePort: 30000,
      sessionAffinity: 'ClientIP',
      sessionAffinityTimeoutSeconds: 10800,
      loadBalancerIngress: [{ ip: '1.2.3.4' }],
    });
    const eps = slice('ns1', 'svc1', [{ name: '', port: 80 }], [
      { ip: '10.0.1.1', node: TEST_NODE },
      { ip: '10.0.1.2', node: TEST_NODE },
      { ip: '10.0.1.3', node: 'another-host', ready: false, serving: true, terminating: true },
      { ip: '10.0.1.4', node: 'another-host', ready: false, serving: false, terminating: true },
      { ip: '10.0.1.5', node: 'another-host' },
    ]);
    const out = renderNodeRules(fakeCluster({ services: [svc], slices: [eps] }), TEST_NODE, { nfacct: false });
    expect(normalizeDump(out)).toBe(normalizeDump(D.TERMINATING_CLUSTER_READY));
  });
});
