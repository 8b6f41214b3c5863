import { describe, expect, it } from 'vitest';
import { categorizeEndpoints, endpointsForServicePort, indexEndpointSlices } from '../../../src/kubeproxy/iptables/endpoints.js';
import { planNode, endpointChains } from '../../../src/kubeproxy/iptables/plan.js';
import { servicePortInfos } from '../../../src/kubeproxy/iptables/service-port.js';
import { renderNodeRules } from '../../../src/kubeproxy/iptables/render.js';
import type { EndpointSpec } from './fixtures.js';
import { TEST_NODE, fakeCluster, port, service, slice } from './fixtures.js';

function endpointsOf(eps: EndpointSpec[], patch: Parameters<typeof service>[2] = {}) {
  const svc = service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('p11', 11, { protocol: 'UDP' })], ...patch });
  const info = servicePortInfos(svc)[0];
  const index = indexEndpointSlices([slice('ns1', 'svc1', [{ name: 'p11', port: 11, protocol: 'UDP' }], eps)]);
  const all = endpointsForServicePort(info, index, TEST_NODE);
  return { info, all, cat: categorizeEndpoints(all, info) };
}

describe('endpoint list', () => {
  it('sorts by the "ip:port" string, so 10.1.1.11:11 comes before 10.1.1.1:11', () => {
    const { all } = endpointsOf([{ ip: '10.1.1.1' }, { ip: '10.1.1.11' }, { ip: '10.1.1.2' }]);
    expect(all.map((e) => e.endpoint)).toEqual(['10.1.1.11:11', '10.1.1.1:11', '10.1.1.2:11']);
  });

  it('takes the DNAT port from the slice, matches ports by name and protocol, and keeps only IPv4', () => {
    const svc = service('ns1', 'svc1', {
      clusterIP: '172.30.0.42',
      ports: [port('https', 443, { targetPort: 8443 }), port('dns', 53, { protocol: 'UDP' })],
    });
    const [https, dns] = servicePortInfos(svc);
    const index = indexEndpointSlices([
      slice('ns1', 'svc1', [{ name: 'https', port: 9443 }, { name: 'dns', port: 5353, protocol: 'TCP' }], [{ ip: '10.180.0.1' }]),
      { ...slice('ns1', 'svc1', [{ name: 'https', port: 9443 }], [{ ip: 'fd00::1' }], 'svc1-v6'), addressType: 'IPv6' },
    ]);
    expect(endpointsForServicePort(https, index, TEST_NODE).map((e) => e.endpoint)).toEqual(['10.180.0.1:9443']);
    // The slice's "dns" port is TCP, the service's is UDP: no match.
    expect(endpointsForServicePort(dns, index, TEST_NODE)).toEqual([]);
  });

  it('de-duplicates by ip:port across slices; the non-terminating copy wins, local or not (endpointslicecache.go)', () => {
    const svc = service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80)] });
    const info = servicePortInfos(svc)[0];
    const p80 = [{ name: 'p80', port: 80 }];
    // Found by the differential check against kube-proxy (seed 1503): a remote ready copy and a
    // local terminating one of the same address; kube-proxy keeps the ready one.
    for (const order of [['a', 'b'], ['b', 'a']]) {
      const slices = {
        a: slice('ns1', 'svc1', p80, [{ ip: '10.0.1.1', node: 'node2' }], 'a'),
        b: slice('ns1', 'svc1', p80, [{ ip: '10.0.1.1', node: TEST_NODE, ready: false, serving: true, terminating: true }], 'b'),
      };
      const all = endpointsForServicePort(info, indexEndpointSlices(order.map((k) => slices[k as 'a' | 'b'])), TEST_NODE);
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ isLocal: false, ready: true, terminating: false, nodeName: 'node2' });
    }
  });

  it('carries pod and node names so a packet walk can name who answered', () => {
    const state = fakeCluster({
      services: [service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [port('p80', 80)] })],
      slices: [slice('ns1', 'svc1', [{ name: 'p80', port: 80 }], [{ ip: '10.0.1.7', node: 'node2', pod: 'web-abc' }])],
    });
    const chains = endpointChains(planNode(state, TEST_NODE));
    const [[chain, info]] = [...chains];
    expect(chain).toMatch(/^KUBE-SEP-[A-Z2-7]{16}$/);
    expect(info.endpoint).toMatchObject({ endpoint: '10.0.1.7:80', pod: 'web-abc', nodeName: 'node2', namespace: 'ns1' });
    expect(info.servicePort.name).toBe('ns1/svc1:p80');
  });
});

describe('categorizeEndpoints', () => {
  it('cluster set: ready endpoints anywhere; local set unused under Cluster policies', () => {
    const { cat } = endpointsOf([{ ip: '10.0.1.1', node: TEST_NODE }, { ip: '10.0.1.2', node: 'node2' }, { ip: '10.0.1.3', ready: false, serving: false }]);
    expect(cat.clusterEndpoints.map((e) => e.ip)).toEqual(['10.0.1.1', '10.0.1.2']);
    expect(cat.localEndpoints).toEqual([]);
    expect(cat.hasAnyEndpoints).toBe(true);
  });

  it('falls back to serving+terminating endpoints only when nothing is ready', () => {
    const some = endpointsOf([{ ip: '10.0.1.1' }, { ip: '10.0.1.2', ready: false, serving: true, terminating: true }]);
    expect(some.cat.clusterEndpoints.map((e) => e.ip)).toEqual(['10.0.1.1']);
    const none = endpointsOf([
      { ip: '10.0.1.2', ready: false, serving: true, terminating: true },
      { ip: '10.0.1.3', ready: false, serving: false, terminating: true },
    ]);
    expect(none.cat.clusterEndpoints.map((e) => e.ip)).toEqual(['10.0.1.2']);
  });

  it('not-serving terminating endpoints never count: the service has no endpoints', () => {
    const { cat } = endpointsOf([{ ip: '10.0.1.5', ready: false, serving: false, terminating: true, node: TEST_NODE }], {
      internalTrafficPolicy: 'Local',
    });
    expect(cat.hasAnyEndpoints).toBe(false);
    expect(cat.allReachableEndpoints).toEqual([]);
  });

  it('iTP Local: only this node\'s ready endpoints, nothing from the cluster set', () => {
    const { cat } = endpointsOf([{ ip: '10.0.1.1', node: TEST_NODE }, { ip: '10.0.1.2', node: 'node2' }], { internalTrafficPolicy: 'Local' });
    expect(cat.clusterEndpoints).toEqual([]);
    expect(cat.localEndpoints.map((e) => e.ip)).toEqual(['10.0.1.1']);
    expect(cat.allReachableEndpoints.map((e) => e.ip)).toEqual(['10.0.1.1']);
  });

  it('eTP Local with local terminating fallback reaches the union of both sets', () => {
    const { cat } = endpointsOf(
      [
        { ip: '10.0.1.2', node: TEST_NODE, ready: false, serving: true, terminating: true },
        { ip: '10.0.1.5', node: 'node2' },
      ],
      { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [port('p11', 11, { protocol: 'UDP', nodePort: 30011 })] },
    );
    expect(cat.clusterEndpoints.map((e) => e.ip)).toEqual(['10.0.1.5']);
    expect(cat.localEndpoints.map((e) => e.ip)).toEqual(['10.0.1.2']);
    expect(cat.allReachableEndpoints.map((e) => e.ip)).toEqual(['10.0.1.2', '10.0.1.5']);
  });
});

describe('three endpoints (seed lab 004)', () => {
  it('give the 1/3, 1/2, rest chain in ip:port order', () => {
    const state = fakeCluster({
      services: [service('default', 'svc-nodeport', { type: 'NodePort', clusterIP: '10.200.1.10', ports: [port('svc-webport', 9000, { targetPort: 8080, nodePort: 30682 })] })],
      slices: [
        slice('default', 'svc-nodeport', [{ name: 'svc-webport', port: 8080 }], [
          { ip: '10.10.3.2', node: 'myk8s-worker3' },
          { ip: '10.10.1.2', node: 'myk8s-worker' },
          { ip: '10.10.2.2', node: 'myk8s-worker2' },
        ]),
      ],
    });
    const svcRules = renderNodeRules(state, TEST_NODE)
      .split('\n')
      .filter((l) => /^-A KUBE-SVC-\S+ .* -j KUBE-SEP-/.test(l));
    expect(svcRules.map((l) => /--probability (\S+)/.exec(l)?.[1] ?? 'rest')).toEqual(['0.3333333333', '0.5000000000', 'rest']);
    expect(svcRules.map((l) => /-> (\S+)"/.exec(l)?.[1])).toEqual(['10.10.1.2:8080', '10.10.2.2:8080', '10.10.3.2:8080']);
  });
});
