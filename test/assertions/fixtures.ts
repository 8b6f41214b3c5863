/** Small hand-built inputs for assertion tests: a 3-node cluster and one traffic step. */
import type { AssertionContext } from '../../src/assertions/index.js';
import { defaultKubeProxy } from '../../src/model/defaults.js';
import type { Traffic } from '../../src/model/scenario.js';
import type { ClusterState, SourceLocation } from '../../src/model/types.js';
import type { Observation } from '../../src/observe/observation.js';

export const cwd = '/labs';
export const loc: SourceLocation = { file: '/labs/scenarios/nodeport.yaml', line: 14, col: 13 };

export const state: ClusterState = {
  cluster: {
    nodes: [
      { name: 'cp', role: 'control-plane', addresses: ['172.18.0.4'], podCIDR: '10.10.0.0/24' },
      { name: 'w1', role: 'worker', addresses: ['172.18.0.5'], podCIDR: '10.10.1.0/24' },
      { name: 'w2', role: 'worker', addresses: ['172.18.0.2'], podCIDR: '10.10.2.0/24' },
    ],
    clients: [{ name: 'mypc', address: '172.18.0.100', routes: [] }],
    clusterCIDR: '10.10.0.0/16',
    serviceCIDR: '10.200.1.0/24',
    nodePortRange: { min: 30000, max: 32767 },
    kubeProxy: defaultKubeProxy(),
  },
  manifests: [],
  deployments: [],
  pods: [],
  services: [],
  endpointSlices: [],
};

export const traffic: Traffic = {
  count: 100,
  from: { kind: 'client', name: 'mypc', address: '172.18.0.100' },
  to: { address: '172.18.0.4', port: 30080 },
  targetText: 'CNODE:NPORT',
  protocol: 'TCP',
  timeoutMs: 1000,
};

export function context(extra: Partial<AssertionContext> = {}): AssertionContext {
  return { traffic, state, backend: 'test', cwd, ...extra };
}

const podNode: Record<string, string> = { 'web-a': 'w1', 'web-b': 'w2', 'web-c': 'cp' };

/** `counts` answers per pod, in a round-robin-free order (grouped), plus optional failures. */
export function answers(counts: Record<string, number>, extra: Partial<Observation> = {}): Observation[] {
  const out: Observation[] = [];
  for (const [pod, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) out.push({ outcome: 'ok', pod, node: podNode[pod], endpoint: `10.10.9.9:8080`, sourceSeen: '172.18.0.100', ...extra });
  }
  return out;
}

export function failures(outcome: Observation['outcome'], n: number): Observation[] {
  return Array.from({ length: n }, () => ({ outcome, detail: 'no SYN-ACK' }));
}
