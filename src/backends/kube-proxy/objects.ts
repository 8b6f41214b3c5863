/**
 * The Kubernetes API objects kube-proxy watches, made from svclab's cluster state: the same
 * Services and EndpointSlices the simulator renders rules from, as the API server would serve
 * them (core/v1 Service with status, discovery/v1 EndpointSlice with its service-name label).
 */
import type { ClusterState, EndpointSlice, Service } from '../../model/types.js';

export type ApiObject = Record<string, unknown>;

/** A Service as `kubectl get service -o json` would show it (the fields kube-proxy reads). */
export function serviceObject(svc: Service): ApiObject {
  // The API server keeps externalTrafficPolicy on every externally accessible Service: NodePort,
  // LoadBalancer, and a ClusterIP one with externalIPs (apiservice.ExternallyAccessible).
  const external = svc.type === 'NodePort' || svc.type === 'LoadBalancer' || (svc.type === 'ClusterIP' && svc.externalIPs.length > 0);
  const spec: ApiObject = {
    type: svc.type,
    ports: svc.ports.map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      protocol: p.protocol,
      port: p.port,
      targetPort: p.targetPort,
      ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
    })),
    sessionAffinity: svc.sessionAffinity,
    internalTrafficPolicy: svc.internalTrafficPolicy,
  };
  if (svc.type !== 'ExternalName') {
    spec.clusterIP = svc.clusterIP;
    spec.clusterIPs = [svc.clusterIP];
    if (svc.clusterIP !== 'None') {
      spec.ipFamilies = ['IPv4'];
      spec.ipFamilyPolicy = 'SingleStack';
    }
  }
  if (svc.selector) spec.selector = svc.selector;
  if (svc.externalIPs.length > 0) spec.externalIPs = svc.externalIPs;
  if (external) spec.externalTrafficPolicy = svc.externalTrafficPolicy;
  if (svc.sessionAffinity === 'ClientIP') spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: svc.sessionAffinityTimeoutSeconds } };
  if (svc.loadBalancerSourceRanges.length > 0) spec.loadBalancerSourceRanges = svc.loadBalancerSourceRanges;
  if (svc.healthCheckNodePort !== undefined) spec.healthCheckNodePort = svc.healthCheckNodePort;
  const ingress = svc.loadBalancerIngress.map((i) => ({ ip: i.ip, ...(i.ipMode ? { ipMode: i.ipMode } : {}) }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: svc.namespace, name: svc.name },
    spec,
    status: { loadBalancer: ingress.length > 0 ? { ingress } : {} },
  };
}

/** An EndpointSlice as the endpointslice controller (or a user) would have written it. */
export function endpointSliceObject(slice: EndpointSlice): ApiObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: slice.namespace,
      name: slice.name,
      labels: { 'kubernetes.io/service-name': slice.serviceName },
    },
    addressType: slice.addressType,
    endpoints: slice.endpoints.map((e) => ({
      addresses: e.addresses,
      conditions: { ready: e.conditions.ready, serving: e.conditions.serving, terminating: e.conditions.terminating },
      ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
      ...(e.pod !== undefined ? { targetRef: { kind: 'Pod', namespace: slice.namespace, name: e.pod } } : {}),
    })),
    // The endpointslice controller always writes the name, "" for an unnamed port; kube-proxy ignores a port without one.
    ports: slice.ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol })),
  };
}

/** Everything kube-proxy is fed for `state`: its Services and EndpointSlices. */
export function apiObjects(state: ClusterState): { services: ApiObject[]; endpointSlices: ApiObject[] } {
  return {
    services: state.services.map(serviceObject),
    endpointSlices: state.endpointSlices.map(endpointSliceObject),
  };
}
