/** The API objects the kube-proxy backend feeds upstream's proxier: what kube-proxy reads, as the API server serves it. */
import { describe, expect, it } from 'vitest';
import { endpointSliceObject, serviceObject } from '../../src/backends/kube-proxy/objects.js';
import { proxierOptions } from '../../src/backends/kube-proxy/hosts.js';
import { seed004 } from '../netns/fixtures.js';

describe('kube-proxy backend objects', () => {
  it('a Service carries its cluster IP, ports, node ports and policies', () => {
    const state = seed004();
    const svc = serviceObject(state.services[0]!) as { spec: Record<string, unknown>; metadata: Record<string, unknown> };
    expect(svc.metadata).toEqual({ namespace: 'default', name: state.services[0]!.name });
    expect(svc.spec.clusterIP).toBe(state.services[0]!.clusterIP);
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.externalTrafficPolicy).toBe('Cluster');
    expect((svc.spec.ports as { nodePort?: number }[])[0]!.nodePort).toBe(state.services[0]!.ports[0]!.nodePort);
  });

  it('a ClusterIP Service with externalIPs keeps its externalTrafficPolicy (it is externally accessible); one without drops it', () => {
    const base = { ...seed004().services[0]!, type: 'ClusterIP' as const, externalTrafficPolicy: 'Local' as const };
    delete (base.ports[0] as { nodePort?: number }).nodePort;
    const withIPs = serviceObject({ ...base, externalIPs: ['203.0.113.9'] }) as { spec: Record<string, unknown> };
    expect(withIPs.spec.externalTrafficPolicy).toBe('Local');
    const without = serviceObject({ ...base, externalIPs: [] }) as { spec: Record<string, unknown> };
    expect(without.spec.externalTrafficPolicy).toBeUndefined();
  });

  it('an EndpointSlice names its Service in the label and every port, unnamed ones as "" (kube-proxy drops a port without a name)', () => {
    const state = seed004();
    const slice = { ...state.endpointSlices[0]!, ports: [{ name: '', port: 8080, protocol: 'TCP' as const }] };
    const obj = endpointSliceObject(slice) as { metadata: { labels: Record<string, string> }; ports: { name: string }[]; endpoints: { conditions: object; nodeName?: string }[] };
    expect(obj.metadata.labels['kubernetes.io/service-name']).toBe(slice.serviceName);
    expect(obj.ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }]);
    expect(obj.endpoints[0]!.conditions).toEqual({ ready: true, serving: true, terminating: false });
    expect(obj.endpoints[0]!.nodeName).toBe(slice.endpoints[0]!.nodeName);
  });

  it('proxier options follow the scenario (detect-local mode and its interface settings)', () => {
    const state = seed004();
    const kp = { ...state.cluster.kubeProxy, detectLocal: 'InterfaceNamePrefix' as const, interfaceNamePrefix: 'eni' };
    expect(proxierOptions(kp, state.cluster.clusterCIDR)).toMatchObject({ detectLocalMode: 'InterfaceNamePrefix', interfaceNamePrefix: 'eni', masqueradeBit: 14 });
  });
});
