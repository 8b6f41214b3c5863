/**
 * The normalized cluster model: what a scenario means once loaded, with every default filled in.
 * Backends read only these types (never raw YAML). Produced by `compile.ts` from the scenario and
 * re-derived after every change step, so each step carries the state it runs against.
 */

/** A position in a scenario file, 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface NodeSpec {
  name: string;
  role: 'control-plane' | 'worker';
  /** Node addresses; the first IPv4 one is the primary (InternalIP). */
  addresses: string[];
  /**
   * This node's pod CIDR (IPv4). With pod-cidr addressing the first host address of it is the
   * node's gateway for pods; with node-subnet addressing it is the part of the node's subnet its
   * pods take addresses from (the whole subnet unless the scenario narrows it).
   */
  podCIDR: string;
  /** The node's own subnet (IPv4 CIDR holding its primary address), when the scenario states it. */
  subnet?: string;
  /** node-subnet addressing: addresses this node's pods take first, in order (a VPC CNI warm pool). */
  podIPs?: string[];
}

export interface Route {
  /** Destination CIDR, e.g. the service CIDR. */
  to: string;
  /** Next hop: an address of a node. */
  via: string;
}

export interface ClientSpec {
  name: string;
  address: string;
  /** Static routes beyond the shared L2 segment the nodes and clients sit on. */
  routes: Route[];
  /**
   * Ports this host answers on like an echo pod (absent or empty: it only sends). A serving host
   * reaches pods through their nodes (as a router that knows the pod ranges would), so it can
   * answer pods whose traffic it receives unmasqueraded.
   */
  serves?: { port: number; protocol: Protocol }[];
}

/** kube-proxy modes svclab runs (IPVS mode is deprecated upstream and refused: see proxy-mode.ts). */
export type ProxyMode = 'iptables' | 'nftables';

/** kube-proxy's `--detect-local-mode`: how it tells traffic from this node's pods. */
export type DetectLocalMode = 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | 'None';

export interface KubeProxyConfig {
  mode: ProxyMode;
  /**
   * `--detect-local-mode`: ClusterCIDR matches `clusterCIDR`, NodeCIDR the node's `podCIDR`,
   * BridgeInterface the in-interface `bridgeInterface`, InterfaceNamePrefix in-interfaces named
   * `interfaceNamePrefix`*; None writes no local-traffic rules.
   */
  detectLocal: DetectLocalMode;
  /** `--pod-bridge-interface` (BridgeInterface mode): the bridge every pod of a node hangs off. */
  bridgeInterface?: string;
  /** `--pod-interface-name-prefix` (InterfaceNamePrefix mode): the node-side name prefix of pod links. */
  interfaceNamePrefix?: string;
  masqueradeAll: boolean;
  /** `--nodeport-addresses` CIDRs; empty means every local address. */
  nodePortAddresses: string[];
  /** `--iptables-localhost-nodeports` (default true). */
  localhostNodePorts: boolean;
  /** Bit used by KUBE-MARK-MASQ (default 14, i.e. 0x4000). */
  masqueradeBit: number;
}

export interface ClusterSpec {
  nodes: NodeSpec[];
  clients: ClientSpec[];
  /** Cluster pod CIDR (kube-proxy's `--cluster-cidr`; with pod-cidr addressing all pod addresses live in it). */
  clusterCIDR: string;
  /**
   * Where pod addresses come from: 'pod-cidr' (default: a separate range per node, inside
   * clusterCIDR) or 'node-subnet' (VPC CNI style: from the node's own subnet, routed by the network).
   */
  podAddressing?: 'pod-cidr' | 'node-subnet';
  serviceCIDR: string;
  nodePortRange: { min: number; max: number };
  kubeProxy: KubeProxyConfig;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

export interface Pod {
  namespace: string;
  name: string;
  /** Node the pod runs on (placement is declared, never scheduled). */
  node: string;
  ip: string;
  labels: Record<string, string>;
  /** `Deployment` name when the pod belongs to one. */
  owner?: string;
  ports: ContainerPort[];
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface ServicePort {
  /** Port name; "" when the Service has a single unnamed port. */
  name: string;
  protocol: Protocol;
  port: number;
  targetPort: number | string;
  /** Allocated or fixed node port; absent for ClusterIP services. */
  nodePort?: number;
}

export interface Service {
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** Allocated or fixed; 'None' for headless services (which kube-proxy ignores). */
  clusterIP: string;
  /** Absent for selector-less services (endpoints are hand-written). */
  selector?: Record<string, string>;
  ports: ServicePort[];
  externalIPs: string[];
  loadBalancerIngress: { ip: string; ipMode?: 'VIP' | 'Proxy' }[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  internalTrafficPolicy: 'Cluster' | 'Local';
  sessionAffinity: 'None' | 'ClientIP';
  /** sessionAffinityConfig.clientIP.timeoutSeconds, default 10800. */
  sessionAffinityTimeoutSeconds: number;
  loadBalancerSourceRanges: string[];
  healthCheckNodePort?: number;
}

export interface EndpointConditions {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: EndpointConditions;
  nodeName?: string;
  /** Pod name when the endpoint is a pod (targetRef). */
  pod?: string;
}

/** A `discovery.k8s.io/v1` EndpointSlice, written by hand or derived from a selector. */
export interface EndpointSlice {
  namespace: string;
  name: string;
  serviceName: string;
  addressType: 'IPv4' | 'IPv6';
  ports: { name: string; port: number; protocol: Protocol }[];
  endpoints: SliceEndpoint[];
}

export interface Deployment {
  namespace: string;
  name: string;
  replicas: number;
  selector: Record<string, string>;
}

/** A Kubernetes object as written (after patches), kept for backends that apply real manifests. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ClusterState {
  cluster: ClusterSpec;
  manifests: Manifest[];
  deployments: Deployment[];
  pods: Pod[];
  services: Service[];
  endpointSlices: EndpointSlice[];
}
