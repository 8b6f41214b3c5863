/**
 * Differential cases from the seeded random-state generator: seed `seed + i` for i < count, each
 * in the mode the generator drew (or in each of `modes`). BridgeInterface and InterfaceNamePrefix
 * local detection are drawn too: kube-proxy only names the interface in its rules.
 */
import type { ProxyMode } from '../model/types.js';
import type { DifferentialCase } from './check.js';
import { randomClusterState } from './random-state.js';

export function* randomCases(seed: number, count: number, modes?: readonly ProxyMode[]): Generator<DifferentialCase> {
  for (let i = 0; i < count; i++) {
    const s = seed + i;
    if (modes === undefined) {
      const r = randomClusterState(s, { interfaceDetectLocal: true });
      yield { id: `seed ${s}`, state: r.state, node: r.node, mode: r.state.cluster.kubeProxy.mode, features: r.features };
      continue;
    }
    for (const mode of modes) {
      const r = randomClusterState(s, { mode, interfaceDetectLocal: true });
      yield { id: `seed ${s}`, state: r.state, node: r.node, mode, features: r.features };
    }
  }
}
