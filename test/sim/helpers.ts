import type { BackendSession } from '../../src/backends/backend.js';
import { createBackend } from '../../src/backends/sim/index.js';
import type { ChangeStep, CompiledScenario, SendStep, TrafficSource } from '../../src/model/scenario.js';
import type { ClusterState, Protocol } from '../../src/model/types.js';

const loc = { file: 'test.yaml', line: 1, col: 1 };

export function scenarioOf(state: ClusterState): CompiledScenario {
  return { file: '/tmp/test.yaml', name: 'test', tags: [], loc, initial: state, steps: [] };
}

export async function startSim(state: ClusterState, seed = 1): Promise<BackendSession> {
  return createBackend().start(scenarioOf(state), { seed, signal: new AbortController().signal, log: () => {} });
}

export function sendStep(state: ClusterState, from: TrafficSource, address: string, port: number, count = 50, protocol: Protocol = 'TCP'): SendStep {
  return {
    kind: 'send',
    index: 0,
    title: `${count} to ${address}:${port}`,
    loc,
    state,
    traffic: { count, from, to: { address, port }, targetText: `${address}:${port}`, protocol, timeoutMs: 1000 },
    expect: [],
  };
}

export function changeStep(state: ClusterState): ChangeStep {
  return { kind: 'change', index: 1, title: 'change', loc, state, change: { op: 'apply', manifests: [] } };
}

export const mypc: TrafficSource = { kind: 'client', name: 'mypc', address: '172.18.0.100' };
export const nodeSrc = (name: string, address: string): TrafficSource => ({ kind: 'node', name, address });
