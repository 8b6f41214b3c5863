/**
 * One (Service, port) pair as kube-proxy's IPv4 iptables proxier sees it after
 * `newBaseServiceInfo` (pkg/proxy/serviceport.go, pkg/proxy/service.go): addresses filtered to
 * IPv4 and canonicalized, LoadBalancer ingress with ipMode Proxy dropped, source ranges trimmed
 * (a /0 range means "no restriction"), health-check node port only for LoadBalancer + eTP Local.
 */
import type { Protocol, Service, ServicePort } from '../../model/types.js';
import { serviceChainNames, type ServiceChainNames } from './hash.js';
import { canonicalIPv4, formatIPv4Cidr, parseIPv4Cidr, type IPv4Cidr } from './ipv4.js';

/** Everything the renderer needs about one service port, computed once. */
export interface ServicePortInfo {
  service: Service;
  port: ServicePort;
  /** `proxy.ServicePortName.String()`: "ns/name:port", or "ns/name" for an unnamed port. */
  name: string;
  /** Service-port key used to look up endpoints: namespace/name, port name and protocol. */
  namespace: string;
  serviceName: string;
  portName: string;
  protocol: Protocol;
  /** Lower-case protocol as it appears in rules (`-m tcp -p tcp`). */
  proto: string;
  clusterIP: string;
  portNumber: number;
  /** 0 when the port has no node port. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerVIPs: string[];
  sourceRanges: IPv4Cidr[];
  /** 0 unless the service needs a health check (LoadBalancer with eTP Local). */
  healthCheckNodePort: number;
  sessionAffinityClientIP: boolean;
  stickyMaxAgeSeconds: number;
  internalPolicyLocal: boolean;
  externalPolicyLocal: boolean;
  chains: ServiceChainNames;
}

/** `proxy.ServicePortName.String()`. */
export function servicePortNameString(namespace: string, name: string, portName: string): string {
  return portName === '' ? `${namespace}/${name}` : `${namespace}/${name}:${portName}`;
}

/**
 * `apiservice.ExternalPolicyLocal`: eTP Local only counts for NodePort and LoadBalancer services,
 * and for ClusterIP services that have externalIPs.
 */
function externalPolicyLocal(svc: Service): boolean {
  const eligible =
    svc.type === 'LoadBalancer' || svc.type === 'NodePort' || (svc.type === 'ClusterIP' && svc.externalIPs.length > 0);
  return eligible && svc.externalTrafficPolicy === 'Local';
}

function uniqueIPv4(addresses: Iterable<string>): string[] {
  const out: string[] = [];
  for (const text of addresses) {
    const ip = canonicalIPv4(text);
    if (ip !== undefined) out.push(ip);
  }
  return out;
}

/**
 * The IPv4 service ports of one Service, in spec order; empty for services kube-proxy ignores
 * (headless, ExternalName, or a cluster IP of another family).
 */
export function servicePortInfos(svc: Service): ServicePortInfo[] {
  if (svc.type === 'ExternalName') return [];
  if (svc.clusterIP === '' || svc.clusterIP === 'None') return [];
  const clusterIP = canonicalIPv4(svc.clusterIP);
  if (clusterIP === undefined) return [];

  const externalIPs = uniqueIPv4(svc.externalIPs);
  const loadBalancerVIPs = uniqueIPv4(
    svc.loadBalancerIngress.filter((ing) => ing.ip !== '' && ing.ipMode !== 'Proxy').map((ing) => ing.ip),
  );
  let sourceRanges: IPv4Cidr[] = [];
  for (const text of svc.loadBalancerSourceRanges) {
    const cidr = parseIPv4Cidr(text);
    if (cidr !== undefined) sourceRanges.push(cidr);
  }
  // A zero-length prefix allows everything, which kube-proxy treats as "no source ranges".
  if (sourceRanges.some((cidr) => cidr.bits === 0)) sourceRanges = [];
  const ePL = externalPolicyLocal(svc);
  const needsHealthCheck = svc.type === 'LoadBalancer' && ePL;

  return svc.ports.map((port) => {
    const name = servicePortNameString(svc.namespace, svc.name, port.name);
    const proto = port.protocol.toLowerCase();
    return {
      service: svc,
      port,
      name,
      namespace: svc.namespace,
      serviceName: svc.name,
      portName: port.name,
      protocol: port.protocol,
      proto,
      clusterIP,
      portNumber: port.port,
      nodePort: port.nodePort ?? 0,
      externalIPs,
      loadBalancerVIPs,
      sourceRanges,
      healthCheckNodePort: needsHealthCheck ? (svc.healthCheckNodePort ?? 0) : 0,
      sessionAffinityClientIP: svc.sessionAffinity === 'ClientIP',
      stickyMaxAgeSeconds: svc.sessionAffinityTimeoutSeconds,
      internalPolicyLocal: svc.internalTrafficPolicy === 'Local',
      externalPolicyLocal: ePL,
      chains: serviceChainNames(name, proto),
    };
  });
}

/** `ExternallyAccessible`: a node port, a LoadBalancer VIP or an externalIP. */
export function externallyAccessible(info: ServicePortInfo): boolean {
  return info.nodePort !== 0 || info.loadBalancerVIPs.length > 0 || info.externalIPs.length > 0;
}

/** `UsesClusterEndpoints`: iTP Cluster, or any external entry (needed for the short-circuit). */
export function usesClusterEndpoints(info: ServicePortInfo): boolean {
  return !info.internalPolicyLocal || externallyAccessible(info);
}

/** `UsesLocalEndpoints`: iTP Local, or eTP Local with an external entry. */
export function usesLocalEndpoints(info: ServicePortInfo): boolean {
  return info.internalPolicyLocal || (info.externalPolicyLocal && externallyAccessible(info));
}

/** Source range as printed in KUBE-FW rules. */
export function formatSourceRange(cidr: IPv4Cidr): string {
  return formatIPv4Cidr(cidr);
}
