/**
 * Kubernetes' and kube-proxy's defaults for the normalized model, in one place: the DSL fills them
 * in for what a scenario leaves out, and code that builds a ClusterState by hand (benchmarks, tests)
 * starts from them.
 */
import type { KubeProxyConfig, Service } from './types.js';

/** kube-proxy's flags as it starts without any: iptables mode, ClusterCIDR detection, bit 14. */
export function defaultKubeProxy(): KubeProxyConfig {
  return {
    mode: 'iptables',
    detectLocal: 'ClusterCIDR',
    masqueradeAll: false,
    nodePortAddresses: [],
    localhostNodePorts: true,
    masqueradeBit: 14,
  };
}

/** The API server's defaults for a Service (ClusterIP, Cluster policies, no affinity, 10800 s). */
export function newService(namespace: string, name: string, fields: Partial<Service>): Service {
  return {
    namespace,
    name,
    type: 'ClusterIP',
    clusterIP: '',
    ports: [],
    externalIPs: [],
    loadBalancerIngress: [],
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: 'None',
    sessionAffinityTimeoutSeconds: 10800,
    loadBalancerSourceRanges: [],
    ...fields,
  };
}
