/**
 * EndpointSlices derived from selectors, like the EndpointSlice controller: one endpoint per matching
 * pod with its conditions, ports resolved per pod (a named targetPort can differ between pods, so
 * pods are grouped into one slice per distinct port mapping).
 */
import { selectorMatches } from './labels.js';
/** The container port a Service port reaches on this pod, or undefined when the pod lacks it. */
export function resolveTargetPort(service, portIndex, pod) {
    const sp = service.ports[portIndex];
    if (typeof sp.targetPort === 'number')
        return sp.targetPort;
    const named = pod.ports.find((p) => p.name === sp.targetPort && p.protocol === sp.protocol);
    return named?.containerPort;
}
export function deriveSlices(service, pods, publishNotReady) {
    if (service.selector === undefined)
        return [];
    const groups = new Map();
    for (const pod of pods) {
        if (pod.namespace !== service.namespace || !selectorMatches(service.selector, pod.labels))
            continue;
        const ports = [];
        service.ports.forEach((sp, i) => {
            const port = resolveTargetPort(service, i, pod);
            if (port !== undefined)
                ports.push({ name: sp.name, port, protocol: sp.protocol });
        });
        const key = JSON.stringify(ports);
        const group = groups.get(key) ?? { ports, endpoints: [] };
        groups.set(key, group);
        group.endpoints.push({
            addresses: [pod.ip],
            conditions: {
                ready: publishNotReady || pod.ready,
                serving: pod.serving,
                terminating: pod.terminating,
            },
            nodeName: pod.node,
            pod: pod.name,
        });
    }
    let n = 0;
    return [...groups.values()].map((g) => ({
        namespace: service.namespace,
        name: n++ === 0 ? `${service.name}-auto` : `${service.name}-auto-${n}`,
        serviceName: service.name,
        addressType: 'IPv4',
        ports: g.ports,
        endpoints: g.endpoints,
    }));
}
//# sourceMappingURL=endpoints.js.map