/**
 * What a scenario means once compiled: pod names, placement and addresses, scale and delete
 * semantics, cluster IP and node port allocation, derived endpoint slices, and per-step state.
 */
import { describe, expect, it } from 'vitest';
import { CLUSTER, compile, compileError, deployment, service } from './helpers.js';
import type { ChangeStep, SendStep } from '../../src/model/scenario.js';

const send = `  - send: 10 curls to CIP:CIPPORT from node cp\n    expect: { outcome: ok }\n`;

describe('pods', () => {
  it('names Deployment pods <name>-i, places them round-robin and addresses them from the node range', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 3)}${service('web', '{ selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
placement: { web: [w2, w1] }
steps:
${send}`);
    expect(s.initial.pods.map((p) => [p.name, p.node, p.ip])).toEqual([
      ['web-1', 'w2', '10.244.2.2'],
      ['web-2', 'w1', '10.244.1.2'],
      ['web-3', 'w2', '10.244.2.3'],
    ]);
    expect(s.initial.cluster.nodes.map((n) => n.podCIDR)).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
  });

  it('spreads over workers by default and fills every default', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 3)}${service('web', '{ selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
steps:
${send}`);
    expect(s.initial.pods.map((p) => p.node)).toEqual(['w1', 'w2', 'w1']);
    expect(s.initial.cluster.kubeProxy).toEqual({ mode: 'iptables', detectLocal: 'ClusterCIDR', masqueradeAll: false, nodePortAddresses: [], localhostNodePorts: true, masqueradeBit: 14 });
    expect(s.initial.cluster.serviceCIDR).toBe('10.96.0.0/16');
    expect(s.initial.cluster.nodePortRange).toEqual({ min: 30000, max: 32767 });
    expect(s.steps[0].kind === 'send' && s.steps[0].traffic.timeoutMs).toBe(1000);
  });

  it('scales down highest number first, scales up with new numbers in the free slots, never reuses addresses', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 3)}${service('web', '{ selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
placement: { web: [w1, w2, w1] }
steps:
  - scale: deployment/web
    replicas: 1
  - scale: deployment/web
    replicas: 3
${send}`);
    const [down, up, probe] = s.steps;
    expect(down.state.pods.map((p) => p.name)).toEqual(['web-1']);
    expect(up.state.pods.map((p) => [p.name, p.node, p.ip])).toEqual([
      ['web-1', 'w1', '10.244.1.2'],
      ['web-4', 'w2', '10.244.2.3'],
      ['web-5', 'w1', '10.244.1.4'],
    ]);
    // A send step runs against the state left by the change before it.
    expect(probe.state).toBe(up.state);
    expect((down as ChangeStep).change).toEqual({ op: 'scale', target: { kind: 'Deployment', name: 'web', namespace: 'default' }, replicas: 1 });
  });

  it('replaces a deleted Deployment pod on the same node with the next number', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 2)}${service('web', '{ selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
placement: { web: [w1, w2] }
steps:
  - delete: pod/web-1
${send}`);
    expect(s.steps[0].state.pods.map((p) => [p.name, p.node])).toEqual([
      ['web-2', 'w2'],
      ['web-3', 'w1'],
    ]);
  });

  it('replaces every pod when the template changes, and patched pod labels change the endpoints', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 2)}${service('web', '{ selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
steps:
  - patch: deployment/web
    with: { spec: { template: { metadata: { labels: { app: web, v: "2" } } } } }
  - patch: pod/web-3
    with: { metadata: { labels: { app: other } } }
${send}`);
    expect(s.steps[0].state.pods.map((p) => p.name)).toEqual(['web-3', 'web-4']);
    expect(s.steps[1].state.endpointSlices[0].endpoints.map((e) => e.pod)).toEqual(['web-4']);
  });

  it('marks endpoints not-ready and terminating', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 2)}${service('web', '{ selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
steps:
  - endpoint: pod/web-1
    condition: terminating
  - endpoint: pod/web-2
    condition: not-ready
${send}`);
    const eps = s.steps[1].state.endpointSlices[0].endpoints;
    expect(eps.map((e) => e.conditions)).toEqual([
      { ready: false, serving: true, terminating: true },
      { ready: false, serving: false, terminating: false },
    ]);
    expect(s.steps[0].title).toBe('mark pod/web-1 terminating');
  });

  it('places bare pods by spec.nodeName or placement', async () => {
    const s = await compile(`name: t${CLUSTER}resources:
  - { apiVersion: v1, kind: Pod, metadata: { name: a, labels: { app: x } }, spec: { nodeName: cp, containers: [{ name: c }] } }
  - { apiVersion: v1, kind: Pod, metadata: { name: b, labels: { app: x } }, spec: { containers: [{ name: c }] } }
${service('x', '{ selector: { app: x }, ports: [{ port: 80 }] }')}
placement: { b: w2 }
steps:
${send}`);
    expect(s.initial.pods.map((p) => [p.name, p.node, p.ip])).toEqual([
      ['a', 'cp', '10.244.0.2'],
      ['b', 'w2', '10.244.2.2'],
    ]);
  });
});

describe('services', () => {
  it('allocates cluster IPs from .2 and node ports from the range start, one per port, skipping fixed ones', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 1)}
${service('a', '{ type: NodePort, selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
${service('b', '{ type: LoadBalancer, clusterIP: 10.96.0.2, selector: { app: web }, ports: [{ name: p1, port: 1, nodePort: 30001 }, { name: p2, port: 2 }, { name: p3, port: 3 }] }')}
${service('c', '{ type: LoadBalancer, externalTrafficPolicy: Local, selector: { app: web }, ports: [{ port: 80 }] }')}
steps:
  - send: 1 curl to CNODE:nodePort(a) from mypc
    expect: { outcome: ok }`);
    const svc = Object.fromEntries(s.initial.services.map((x) => [x.name, x]));
    expect(svc.a.clusterIP).toBe('10.96.0.3');
    expect(svc.b.clusterIP).toBe('10.96.0.2');
    expect(svc.c.clusterIP).toBe('10.96.0.4');
    expect(svc.a.ports.map((p) => p.nodePort)).toEqual([30000]);
    expect(svc.b.ports.map((p) => p.nodePort)).toEqual([30001, 30002, 30003]);
    expect(svc.c.ports.map((p) => p.nodePort)).toEqual([30004]);
    expect(svc.c.healthCheckNodePort).toBe(30005);
    expect(svc.c.externalTrafficPolicy).toBe('Local');
    expect(svc.a.sessionAffinityTimeoutSeconds).toBe(10800);
  });

  it('keeps allocations across patches and allocates when a patch makes a NodePort', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 1)}
${service('a', '{ type: NodePort, selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
${service('b', '{ selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
steps:
  - patch: service/a
    with: { spec: { externalTrafficPolicy: Local, ports: [{ port: 80, targetPort: 8080 }] } }
  - patch: service/b
    with: { spec: { type: NodePort } }
  - send: 1 curl to CNODE:nodePort(b) from mypc
    expect: { outcome: ok }`);
    expect(s.steps[0].state.services[0].ports[0].nodePort).toBe(30000);
    expect(s.steps[1].state.services[1].ports[0].nodePort).toBe(30001);
    expect((s.steps[2] as SendStep).traffic.to).toEqual({ address: '172.18.0.2', port: 30001 });
  });

  it('derives slices with named target ports and mirrors hand-written Endpoints', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 2)}
${service('web', '{ selector: { app: web }, ports: [{ port: 80, targetPort: http }] }')}
${service('db', '{ ports: [{ port: 5432 }] }')}
  - apiVersion: v1
    kind: Endpoints
    metadata: { name: db }
    subsets: [{ addresses: [{ ip: 192.0.2.42 }], notReadyAddresses: [{ ip: 192.0.2.43 }], ports: [{ port: 5432 }] }]
steps:
  - send: 1 curl to clusterIP(db):5432 from node cp
    expect: { outcome: ok }`);
    const [web, db] = s.initial.endpointSlices;
    expect(web).toMatchObject({ name: 'web-auto', serviceName: 'web', ports: [{ name: '', port: 8080, protocol: 'TCP' }] });
    expect(web.endpoints.map((e) => [e.pod, e.nodeName])).toEqual([
      ['web-1', 'w1'],
      ['web-2', 'w2'],
    ]);
    expect(db).toMatchObject({ name: 'db-mirror', serviceName: 'db', ports: [{ port: 5432 }] });
    expect(db.endpoints.map((e) => [e.addresses[0], e.conditions.ready])).toEqual([
      ['192.0.2.42', true],
      ['192.0.2.43', false],
    ]);
  });

  it('accepts a Deployment scaled to zero as a deliberate no-endpoints setup', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 0)}${service('web', '{ selector: { app: web }, ports: [{ port: 80 }] }')}
steps:
  - send: 5 curls to CIP:CIPPORT from node cp
    expect: { outcome: refused }`);
    expect(s.initial.endpointSlices).toEqual([]);
  });
});

describe('variables and expectations', () => {
  it('resolves CNODE, NODEn, NPORT, CIP, CIPPORT, LBIP and compiles every expectation kind', async () => {
    const s = await compile(`name: t${CLUSTER}resources:${deployment('web', 2)}
${service('lb', '{ type: LoadBalancer, selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }')}
    status: { loadBalancer: { ingress: [{ ip: 172.18.0.200 }] } }
steps:
  - send: 100 requests to NODE2:NPORT from mypc over udp timeout 500ms
    expect:
      outcome: { ok: 90, timeout: 10 }
      pods: { must: [web-1], mustNot: [web-2] }
      nodes: [w1]
      distribution: { weights: { web-1: 1 }, alpha: 0.01, method: exact }
      sourceSeen: node(w2)
      sticky: true
  - send: { count: 3, to: "LBIP:CIPPORT", from: pod web-1 }
    expect: { outcome: ok, pods: { on: w2 }, distribution: uniform, sourceSeen: client }`);
    const [a, b] = s.steps as SendStep[];
    expect(a.traffic).toMatchObject({ count: 100, to: { address: '172.18.0.4', port: 30000 }, protocol: 'UDP', timeoutMs: 500, from: { kind: 'client', name: 'mypc', address: '172.18.0.100' } });
    expect(a.expect.map((e) => e.kind)).toEqual(['outcome', 'outcome', 'responders', 'responders', 'distribution', 'sourceSeen', 'sticky']);
    expect(a.expect[0]).toMatchObject({ outcome: 'ok', count: 90 });
    expect(a.expect[2]).toMatchObject({ must: [{ pod: 'web-1' }], mustNot: [{ pod: 'web-2' }] });
    expect(a.expect[4]).toMatchObject({ weights: { 'web-1': 1 }, alpha: 0.01, method: 'exact' });
    expect(a.expect[5]).toMatchObject({ seen: { address: '172.18.0.4' } });
    expect(a.expect[0].loc).toMatchObject({ line: 27, col: 22 });
    expect(b.traffic).toMatchObject({ to: { address: '172.18.0.200', port: 80 }, from: { kind: 'pod', name: 'web-1', node: 'w1' }, targetText: 'LBIP:CIPPORT' });
    expect(b.expect[1]).toMatchObject({ kind: 'responders', may: [{ node: 'w2' }] });
    expect(b.expect[2]).toMatchObject({ weights: 'uniform', alpha: 0.001, method: 'auto' });
    expect(b.title).toBe('3 requests to LBIP:CIPPORT from pod web-1');
  });

  it('says which Services make CIP ambiguous and suggests the explicit form', async () => {
    const msg = await compileError(`name: t${CLUSTER}resources:${deployment('web', 1)}
${service('a', '{ selector: { app: web }, ports: [{ port: 80 }] }')}
${service('b', '{ selector: { app: web }, ports: [{ port: 80 }] }')}
steps:
${send}`);
    expect(msg).toContain('error: CIP is ambiguous: 2 Services could be meant (a, b)');
    expect(msg).toContain('= use clusterIP(a) (or another of: a, b)');
  });

  it('resolves a pod expression against the state of its step', async () => {
    const msg = await compileError(`name: t${CLUSTER}resources:${deployment('web', 2)}${service('web', '{ selector: { app: web }, ports: [{ port: 80 }] }')}
steps:
  - scale: deployment/web
    replicas: 1
  - send: 1 curl to pod(web-2):8080 from node cp
    expect: { outcome: ok }`);
    expect(msg).toContain("error: no pod 'web-2' at this step");
  });
});
