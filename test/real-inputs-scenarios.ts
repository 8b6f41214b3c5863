/**
 * Scenarios for serving hosts and node-subnet pod addressing, shared by the sim, proxy and netns
 * tests, and a driver that runs one through a backend session and returns every step's observations.
 */
import type { Backend } from '../src/backends/backend.js';
import type { CompiledScenario } from '../src/model/scenario.js';
import type { Observation } from '../src/observe/observation.js';
import { compile } from './dsl/helpers.js';

/** Seed 001's selector-less Service: Endpoints at 192.0.2.42:9376, a host on its own subnet. */
export const SERVING_HOST = `
name: serving-host
cluster:
  nodes:
    - { name: n1, role: control-plane, ip: 192.168.1.10 }
    - { name: n2, ip: 192.168.1.11 }
  podCIDR: 172.16.0.0/16
  clients:
    - { name: upstream, ip: 192.0.2.42, serves: [9376] }
    - { name: laptop, ip: 192.168.1.50 }
resources:
  - { apiVersion: v1, kind: Pod, metadata: { name: shell }, spec: { nodeName: n2, containers: [{ name: c }] } }
  - apiVersion: v1
    kind: Service
    metadata: { name: myapp-service }
    spec: { ports: [{ protocol: TCP, port: 80, targetPort: 9376 }] }
  - apiVersion: v1
    kind: Endpoints
    metadata: { name: myapp-service }
    subsets: [{ addresses: [{ ip: 192.0.2.42 }], ports: [{ port: 9376 }] }]
steps:
  - send: 6 curls to clusterIP(myapp-service):80 from node n1
    expect: { outcome: ok }
  - send: 6 curls to clusterIP(myapp-service):80 from pod shell
    expect: { outcome: ok }
  - send: 6 curls to host(upstream):9376 from laptop
    expect: { outcome: ok }
  - send: 3 curls to host(upstream):9999 from node n2
    expect: { outcome: refused }
`;

/** Seed 003's layout: pods on 10.11.x.x in the node subnets, kube-proxy detecting eni* links. */
export const NODE_SUBNET = `
name: node-subnet
cluster:
  podAddressing: node-subnet
  nodes:
    - { name: a, ip: 10.11.28.53, subnet: 10.11.16.0/20, podIPs: [10.11.16.79] }
    - { name: b, ip: 10.11.40.87, subnet: 10.11.32.0/20, podIPs: [10.11.41.25] }
  podCIDR: 10.11.0.0/16
  serviceCIDR: 172.20.0.0/16
  kubeProxy: { detectLocal: InterfaceNamePrefix, interfaceNamePrefix: eni }
  clients:
    - { name: cloud9, ip: 10.11.0.10 }
resources:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 2
      selector: { matchLabels: { app: web } }
      template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, ports: [{ containerPort: 80 }] }] } }
  - { apiVersion: v1, kind: Pod, metadata: { name: shell }, spec: { nodeName: b, containers: [{ name: c }] } }
  - apiVersion: v1
    kind: Service
    metadata: { name: web }
    spec: { type: NodePort, selector: { app: web }, ports: [{ port: 8080, targetPort: 80, nodePort: 30080 }] }
steps:
  - send: 6 curls to pod(web-1):80 from cloud9
    expect: { outcome: ok }
  - send: 20 curls to clusterIP(web):8080 from pod shell
    expect: { outcome: ok }
  - send: 20 curls to clusterIP(web):8080 from node a
    expect: { outcome: ok }
  - send: 20 curls to node(a):30080 from cloud9
    expect: { outcome: ok }
`;

/** Runs every step of `text` on `backend`; the observations of each send step, in order. */
export async function runSteps(backend: Backend, text: string): Promise<{ scenario: CompiledScenario; steps: (Observation[] | string)[] }> {
  const scenario = await compile(text);
  const session = await backend.start(scenario, { seed: 7, signal: new AbortController().signal, log: () => {} });
  const steps: (Observation[] | string)[] = [];
  try {
    for (const step of scenario.steps) {
      if (step.kind === 'change') {
        await session.apply(step);
        continue;
      }
      const r = await session.send(step);
      steps.push('unsupported' in r ? r.unsupported : r.observations);
    }
  } finally {
    await session.close();
  }
  return { scenario, steps };
}

export function answered(obs: Observation[] | string): Observation[] {
  if (typeof obs === 'string') throw new Error(`step unsupported: ${obs}`);
  return obs;
}
