/**
 * The `proxy` backend: real TCP on loopback through our own userspace kube-proxy (proxyd).
 * No root needed; every scenario address becomes a 127.x.y.z address.
 */
import type { Backend, BackendContext, BackendSession } from '../backend.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { claimRunOctet } from './addressMap.js';
import { ProxySession } from './session.js';

export function createBackend(): Backend {
  return {
    name: 'proxy',
    // Each session binds many loopback listeners and runs real traffic; 2 cores are shared.
    maxConcurrency: 2,
    async check(): Promise<void> {
      const claim = await claimRunOctet();
      await claim.release();
    },
    start(scenario: CompiledScenario, ctx: BackendContext): Promise<BackendSession> {
      return ProxySession.start(scenario, ctx);
    },
  };
}
