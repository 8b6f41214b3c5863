/**
 * The kind cluster config for a scenario: one kind node per scenario node (same roles, same
 * order), the scenario's pod and service CIDRs and kube-proxy mode. Non-default kube-proxy
 * settings go in as a KubeProxyConfiguration patch; what kind cannot reproduce is listed so the
 * session can say so instead of silently differing.
 */
import { stringify } from 'yaml';
import type { ClusterSpec } from '../../model/types.js';

/** kind node image used when the user does not pin one (env SVCLAB_KIND_NODE_IMAGE). */
export const DEFAULT_NODE_IMAGE_ENV = 'SVCLAB_KIND_NODE_IMAGE';

export interface KindConfig {
  /** The YAML handed to `kind create cluster --config -`. */
  yaml: string;
  /** Scenario settings this cluster will not reproduce, one sentence each. */
  differences: string[];
}

/**
 * Render the kind config for `cluster`. Nodes keep the scenario's order within each role, which
 * is also how real nodes map back (control-plane, control-plane2…, worker, worker2…).
 */
export function kindConfig(cluster: ClusterSpec, options: { nodeImage?: string } = {}): KindConfig {
  const differences: string[] = [];
  const roles = [...cluster.nodes.filter((n) => n.role === 'control-plane'), ...cluster.nodes.filter((n) => n.role === 'worker')];
  if (!roles.some((n) => n.role === 'control-plane')) differences.push('the scenario has no control-plane node; kind adds one (it takes no scenario pods)');
  const nodes = roles.map((n) => (options.nodeImage ? { role: n.role, image: options.nodeImage } : { role: n.role }));
  if (!nodes.some((n) => n.role === 'control-plane')) nodes.unshift(options.nodeImage ? { role: 'control-plane', image: options.nodeImage } : { role: 'control-plane' });

  const kp = cluster.kubeProxy;
  const iptables: Record<string, unknown> = {};
  if (kp.masqueradeAll) iptables.masqueradeAll = true;
  if (!kp.localhostNodePorts) iptables.localhostNodePorts = false;
  if (kp.masqueradeBit !== 14) iptables.masqueradeBit = kp.masqueradeBit;
  const proxyPatch: Record<string, unknown> = {};
  if (Object.keys(iptables).length > 0) proxyPatch.iptables = iptables;
  if (kp.nodePortAddresses.length > 0) proxyPatch.nodePortAddresses = [...kp.nodePortAddresses];
  if (cluster.podAddressing === 'node-subnet') differences.push('podAddressing node-subnet is not reproduced (kind gives pods addresses of its own pod subnet, not of the node network)');
  if (kp.detectLocal === 'NodeCIDR' || kp.detectLocal === 'BridgeInterface' || kp.detectLocal === 'InterfaceNamePrefix') {
    differences.push(`kube-proxy --detect-local-mode ${kp.detectLocal} is not reproduced (kind's kube-proxy detects pod traffic by the cluster CIDR)`);
  }
  if (kp.detectLocal === 'None') differences.push('kube-proxy --detect-local-mode None is not reproduced (kind always sets the cluster CIDR, so ClusterCIDR detection stays on)');

  const patches: string[] = [];
  if (cluster.nodePortRange.min !== 30000 || cluster.nodePortRange.max !== 32767) {
    patches.push(
      stringify({
        kind: 'ClusterConfiguration',
        apiServer: { extraArgs: { 'service-node-port-range': `${cluster.nodePortRange.min}-${cluster.nodePortRange.max}` } },
      }),
    );
  }
  if (Object.keys(proxyPatch).length > 0) patches.push(stringify({ kind: 'KubeProxyConfiguration', ...proxyPatch }));

  const config: Record<string, unknown> = {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    networking: {
      ipFamily: 'ipv4',
      podSubnet: cluster.clusterCIDR,
      serviceSubnet: cluster.serviceCIDR,
      kubeProxyMode: kp.mode,
    },
    nodes,
  };
  if (patches.length > 0) config.kubeadmConfigPatches = patches;
  return { yaml: stringify(config, { lineWidth: 0 }), differences };
}
