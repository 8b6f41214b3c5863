/**
 * `--backend kube-proxy`: the netns backend's lab (node, pod and client namespaces, the fabric, the
 * kernel moving packets) with upstream kube-proxy's own proxier writing the rules on every node,
 * in the scenario's mode (iptables or nftables). Needs root, the netns tools, and the
 * kube-proxy-host program built from kube-proxy-host/ (`npm run build:kube-proxy`, needs Go).
 * See docs/backends/kube-proxy.md.
 */
import type { Backend, BackendContext, BackendOptions, BackendSession } from '../backend.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { kubeProxyRules } from '../netns/index.js';
import { NetnsSession } from '../netns/session.js';
import { netnsLayoutProblem } from '../netns/layout-check.js';
import { kubeProxyRelease } from './binary.js';
import { checkKubeProxy, checkMode } from './check.js';
import { modeOf } from '../../model/proxy-mode.js';
import { KubeProxyHosts } from './hosts.js';

/** `options.kubeProxyVersion` picks an older release (its binary built from releases/<v>.mod). */
export function createBackend(options: BackendOptions = {}): Backend {
  const release = kubeProxyRelease(options.kubeProxyVersion);
  return {
    name: 'kube-proxy',
    // Each scenario runs one proxier per node; two scenarios side by side keep 2 cores busy.
    maxConcurrency: 2,
    check: () => checkKubeProxy(release),
    layoutProblem: netnsLayoutProblem,
    async start(scenario: CompiledScenario, ctx: BackendContext): Promise<BackendSession> {
      await checkKubeProxy(release);
      const mode = modeOf(scenario);
      await checkMode(mode);
      const hosts = new KubeProxyHosts(release, mode);
      return NetnsSession.start(scenario, ctx, kubeProxyRules, hosts);
    },
  };
}

export { KubeProxyHosts } from './hosts.js';
