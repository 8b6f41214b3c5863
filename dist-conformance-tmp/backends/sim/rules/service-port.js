import { serviceChainNames } from './hash.js';
import { canonicalIPv4, formatIPv4Cidr, parseIPv4Cidr } from './ipv4.js';
/** `proxy.ServicePortName.String()`. */
export function servicePortNameString(namespace, name, portName) {
    return portName === '' ? `${namespace}/${name}` : `${namespace}/${name}:${portName}`;
}
/**
 * `apiservice.ExternalPolicyLocal`: eTP Local only counts for NodePort and LoadBalancer services,
 * and for ClusterIP services that have externalIPs.
 */
function externalPolicyLocal(svc) {
    const eligible = svc.type === 'LoadBalancer' || svc.type === 'NodePort' || (svc.type === 'ClusterIP' && svc.externalIPs.length > 0);
    return eligible && svc.externalTrafficPolicy === 'Local';
}
function uniqueIPv4(addresses) {
    const out = [];
    for (const text of addresses) {
        const ip = canonicalIPv4(text);
        if (ip !== undefined)
            out.push(ip);
    }
    return out;
}
/**
 * The IPv4 service ports of one Service, in spec order; empty for services kube-proxy ignores
 * (headless, ExternalName, or a cluster IP of another family).
 */
export function servicePortInfos(svc) {
    if (svc.type === 'ExternalName')
        return [];
    if (svc.clusterIP === '' || svc.clusterIP === 'None')
        return [];
    const clusterIP = canonicalIPv4(svc.clusterIP);
    if (clusterIP === undefined)
        return [];
    const externalIPs = uniqueIPv4(svc.externalIPs);
    const loadBalancerVIPs = uniqueIPv4(svc.loadBalancerIngress.filter((ing) => ing.ip !== '' && ing.ipMode !== 'Proxy').map((ing) => ing.ip));
    let sourceRanges = [];
    for (const text of svc.loadBalancerSourceRanges) {
        const cidr = parseIPv4Cidr(text);
        if (cidr !== undefined)
            sourceRanges.push(cidr);
    }
    // A zero-length prefix allows everything, which kube-proxy treats as "no source ranges".
    if (sourceRanges.some((cidr) => cidr.bits === 0))
        sourceRanges = [];
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
export function externallyAccessible(info) {
    return info.nodePort !== 0 || info.loadBalancerVIPs.length > 0 || info.externalIPs.length > 0;
}
/** `UsesClusterEndpoints`: iTP Cluster, or any external entry (needed for the short-circuit). */
export function usesClusterEndpoints(info) {
    return !info.internalPolicyLocal || externallyAccessible(info);
}
/** `UsesLocalEndpoints`: iTP Local, or eTP Local with an external entry. */
export function usesLocalEndpoints(info) {
    return info.internalPolicyLocal || (info.externalPolicyLocal && externallyAccessible(info));
}
/** Source range as printed in KUBE-FW rules. */
export function formatSourceRange(cidr) {
    return formatIPv4Cidr(cidr);
}
//# sourceMappingURL=service-port.js.map