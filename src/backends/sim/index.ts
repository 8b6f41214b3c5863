/**
 * The `sim` backend: kube-proxy's iptables rules rendered per node (./rules) and walked packet by
 * packet (src/evaluators/iptables) through a simulated network (./network.ts). Needs nothing installed.
 */
import type { Backend, BackendContext, BackendSession } from '../backend.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { SimSession } from './session.js';

export function createBackend(): Backend {
  return {
    name: 'sim',
    maxConcurrency: 4,
    async check(): Promise<void> {
      // Pure TypeScript: always available.
    },
    async start(scenario: CompiledScenario, ctx: BackendContext): Promise<BackendSession> {
      return new SimSession(scenario, ctx);
    },
  };
}
