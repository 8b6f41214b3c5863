/**
 * The scenario as written (after schema validation, before compilation). `schema-link.ts` checks
 * that each interface here names exactly the keys its schema object allows.
 */

export interface RawScenario {
  name: string;
  description?: string;
  source?: string;
  tags?: string[];
  seed?: number;
  namespace?: string;
  cluster: RawCluster;
  resources?: unknown[];
  placement?: Record<string, string | string[]>;
  steps: Record<string, unknown>[];
}

export interface RawNode {
  name: string;
  role?: 'control-plane' | 'worker';
  ip?: string;
  ips?: string[];
  podCIDR?: string;
  subnet?: string;
  podIPs?: string[];
}

export interface RawRoute {
  to: string;
  via: string;
}

export interface RawClient {
  name: string;
  ip: string;
  routes?: RawRoute[];
  /** Ports the host answers on: 9376 (TCP) or "53/UDP". */
  serves?: (number | string)[];
}

export interface RawKubeProxy {
  mode?: 'iptables' | 'nftables';
  detectLocal?: 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | 'None';
  bridgeInterface?: string;
  interfaceNamePrefix?: string;
  masqueradeAll?: boolean;
  nodePortAddresses?: string[];
  localhostNodePorts?: boolean;
  masqueradeBit?: number;
}

export interface RawCluster {
  nodes: RawNode[];
  podCIDR?: string;
  podAddressing?: 'pod-cidr' | 'node-subnet';
  serviceCIDR?: string;
  nodePortRange?: string;
  kubeProxy?: RawKubeProxy;
  clients?: RawClient[];
}

export interface RawMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RawContainerPort {
  containerPort: number;
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface RawContainer {
  name: string;
  ports?: RawContainerPort[];
  image?: unknown;
  imagePullPolicy?: unknown;
  command?: unknown;
  args?: unknown;
  env?: unknown;
  resources?: unknown;
  workingDir?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  securityContext?: unknown;
}

export interface RawPodSpec {
  containers: RawContainer[];
  nodeName?: string;
  terminationGracePeriodSeconds?: unknown;
  restartPolicy?: unknown;
  serviceAccountName?: unknown;
  nodeSelector?: unknown;
  tolerations?: unknown;
  affinity?: unknown;
}

export interface RawDeploymentSpec {
  replicas?: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: RawPodSpec };
  strategy?: unknown;
  minReadySeconds?: unknown;
  revisionHistoryLimit?: unknown;
  progressDeadlineSeconds?: unknown;
}

export interface RawDeployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: RawMetadata;
  spec: RawDeploymentSpec;
}

export interface RawPod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: RawMetadata;
  spec: RawPodSpec;
}

export interface RawServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: unknown;
}

export interface RawServiceSpec {
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  selector?: Record<string, string>;
  ports?: RawServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: 'IPv4'[];
  ipFamilyPolicy?: 'SingleStack';
  externalIPs?: string[];
  externalName?: string;
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  sessionAffinity?: 'None' | 'ClientIP';
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  loadBalancerSourceRanges?: string[];
  healthCheckNodePort?: number;
  allocateLoadBalancerNodePorts?: boolean;
  publishNotReadyAddresses?: boolean;
}

export interface RawService {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: RawMetadata;
  spec: RawServiceSpec;
  status?: { loadBalancer?: { ingress?: { ip: string; ipMode?: 'VIP' | 'Proxy'; ports?: unknown }[] } };
}

export interface RawTargetRef {
  kind: 'Pod';
  name: string;
  namespace?: string;
  uid?: unknown;
}

export interface RawEndpointAddress {
  ip: string;
  nodeName?: string;
  targetRef?: RawTargetRef;
  hostname?: unknown;
}

export interface RawEndpointPort {
  name?: string;
  port: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: unknown;
}

export interface RawEndpoints {
  apiVersion: 'v1';
  kind: 'Endpoints';
  metadata: RawMetadata;
  subsets?: { addresses?: RawEndpointAddress[]; notReadyAddresses?: RawEndpointAddress[]; ports: RawEndpointPort[] }[];
}

export interface RawSliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
  targetRef?: RawTargetRef;
  zone?: unknown;
  hints?: unknown;
  hostname?: unknown;
}

export interface RawEndpointSlice {
  apiVersion: 'discovery.k8s.io/v1';
  kind: 'EndpointSlice';
  metadata: RawMetadata;
  addressType: 'IPv4' | 'IPv6';
  ports?: { name?: string; port: number; protocol?: 'TCP' | 'UDP' | 'SCTP'; appProtocol?: unknown }[];
  endpoints: RawSliceEndpoint[];
}

export type RawManifest = RawDeployment | RawPod | RawService | RawEndpoints | RawEndpointSlice;

export type RawOutcome = 'ok' | 'timeout' | 'refused' | 'reset' | 'unreachable';
export type RawResponders = string[] | { must?: string[]; mustNot?: string[]; may?: string[]; on?: string };

export interface RawExpect {
  outcome?: RawOutcome | Partial<Record<RawOutcome, number>>;
  pods?: RawResponders;
  nodes?: RawResponders;
  hosts?: RawResponders;
  distribution?: 'uniform' | { weights?: 'uniform' | Record<string, number>; alpha?: number; method?: 'auto' | 'exact' | 'sample' };
  sourceSeen?: string;
  sticky?: true;
}

export interface RawSendSpec {
  count: number;
  to: string;
  from: string | { client?: string; node?: string; pod?: string };
  protocol?: string;
  timeout?: string;
}

export interface RawDivergence {
  backend: 'sim' | 'proxy' | 'netns' | 'kind';
  does: string;
  why: string;
  link?: string;
}

/** `modes.<mode>`: what a send step expects under that kube-proxy mode, instead of `expect`. */
export interface RawModeExpect {
  expect: RawExpect;
  why: string;
  link?: string;
}

export interface RawModes {
  iptables?: RawModeExpect;
  nftables?: RawModeExpect;
}

export interface RawSendStep {
  name?: string;
  send: string | RawSendSpec;
  expect: RawExpect;
  modes?: RawModes;
  diverges?: RawDivergence[];
}

export interface RawScaleStep {
  name?: string;
  namespace?: string;
  scale: string;
  replicas: number;
}

export interface RawPatchStep {
  name?: string;
  namespace?: string;
  patch: string;
  with: Record<string, unknown>;
}

export interface RawDeleteStep {
  name?: string;
  namespace?: string;
  delete: string;
}

export interface RawApplyStep {
  name?: string;
  apply: unknown;
}

export interface RawEndpointStep {
  name?: string;
  namespace?: string;
  endpoint: string;
  condition: 'ready' | 'not-ready' | 'terminating';
}
