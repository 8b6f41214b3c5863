/**
 * stateProblems: what must hold of a cluster state before a renderer difference can be blamed on
 * a renderer. Sound states (compiled scenarios, generated ones) have none; each kind of breakage
 * is named.
 */
import { describe, expect, it } from 'vitest';
import { stateProblems } from '../../src/differential/state-invariants.js';
import { randomClusterState } from '../../src/differential/random-state.js';
import { discoverScenarioFiles, loadScenarioFile } from '../../src/dsl/load.js';
import type { ClusterState } from '../../src/model/types.js';

/** A generated state with at least two proxied Services with node ports and a hand-written slice. */
function rich(): ClusterState {
  for (let seed = 1; ; seed++) {
    const { state } = randomClusterState(seed, { maxServices: 12 });
    const withNodePorts = state.services.filter((s) => s.ports.some((p) => p.nodePort !== undefined));
    const proxied = state.services.filter((s) => s.clusterIP !== 'None');
    if (withNodePorts.length >= 2 && proxied.length >= 2 && state.pods.length > 0 && state.endpointSlices.some((s) => s.ports.length > 0 && s.endpoints.length > 0)) return state;
  }
}

function broken(change: (s: ClusterState) => void): string[] {
  const state = structuredClone(rich());
  expect(stateProblems(state)).toEqual([]);
  change(state);
  return stateProblems(state);
}

const proxied = (s: ClusterState) => s.services.filter((x) => x.clusterIP !== 'None');
const withNodePort = (s: ClusterState) => s.services.filter((x) => x.ports.some((p) => p.nodePort !== undefined));

describe('stateProblems', () => {
  it('finds nothing wrong with the compiled scenario library', async () => {
    const files = await discoverScenarioFiles(['scenarios']);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const scenario = await loadScenarioFile(file);
      for (const step of scenario.steps) expect({ file, problems: stateProblems(step.state) }).toEqual({ file, problems: [] });
    }
  });

  it('names a cluster IP outside the service CIDR, a reserved one and a duplicate', () => {
    expect(broken((s) => (proxied(s)[0]!.clusterIP = '192.0.2.9')).join('\n')).toMatch(/clusterIP 192\.0\.2\.9 is outside the serviceCIDR/);
    expect(
      broken((s) => {
        const base = s.cluster.serviceCIDR.split('/')[0]!.split('.').map(Number);
        proxied(s)[0]!.clusterIP = `${base[0]}.${base[1]}.${base[2]}.${base[3]! + 1}`;
      }).join('\n'),
    ).toMatch(/is a reserved address of the serviceCIDR/);
    expect(broken((s) => (proxied(s)[1]!.clusterIP = proxied(s)[0]!.clusterIP)).join('\n')).toMatch(/is also used by Service/);
  });

  it('names node ports outside the range or used twice, and a NodePort port without one', () => {
    expect(broken((s) => (withNodePort(s)[0]!.ports.find((p) => p.nodePort !== undefined)!.nodePort = s.cluster.nodePortRange.max + 1)).join('\n')).toMatch(/node port \d+ is outside/);
    expect(
      broken((s) => {
        const [a, b] = withNodePort(s);
        b!.ports.find((p) => p.nodePort !== undefined)!.nodePort = a!.ports.find((p) => p.nodePort !== undefined)!.nodePort;
      }).join('\n'),
    ).toMatch(/is also used by/);
    expect(
      broken((s) => {
        const svc = withNodePort(s)[0]!;
        svc.type = 'NodePort';
        svc.loadBalancerIngress = [];
        svc.loadBalancerSourceRanges = [];
        delete svc.healthCheckNodePort;
        delete svc.ports[0]!.nodePort;
      }).join('\n'),
    ).toMatch(/NodePort Service port \d+ has no node port/);
  });

  it('lets ports of one Service that share a number share a node port, as the API server allocates them', () => {
    const state = structuredClone(rich());
    const svc = withNodePort(state)[0]!;
    const first = svc.ports.find((p) => p.nodePort !== undefined)!;
    const protocol = first.protocol === 'UDP' ? 'TCP' : 'UDP';
    svc.ports = [
      { ...first, name: 'first' },
      { name: 'twin', protocol, port: first.port, targetPort: first.port, nodePort: first.nodePort! },
    ];
    for (const slice of state.endpointSlices) if (slice.namespace === svc.namespace && slice.serviceName === svc.name) slice.ports = [];
    expect(stateProblems(state)).toEqual([]);
    svc.ports[svc.ports.length - 1]!.port = first.port === 65535 ? 1 : first.port + 1;
    expect(stateProblems(state).join('\n')).toMatch(/node port \d+ is also used by/);
  });

  it('names slice ports that match no Service port, and slices of a missing Service', () => {
    expect(broken((s) => (s.endpointSlices.find((x) => x.ports.length > 0)!.ports[0]!.name = 'no-such-port')).join('\n')).toMatch(/port 'no-such-port'\/\w+ matches no port of its Service/);
    expect(broken((s) => (s.endpointSlices[0]!.serviceName = 'gone')).join('\n')).toMatch(/Service gone does not exist/);
  });

  it('names pod addresses outside their node\'s pod CIDR and endpoints naming the wrong pod', () => {
    expect(broken((s) => (s.pods[0]!.ip = '198.18.0.7')).join('\n')).toMatch(/198\.18\.0\.7 is not a pod address of node/);
    expect(
      broken((s) => {
        const e = s.endpointSlices.flatMap((x) => x.endpoints).find((x) => x.pod !== undefined)!;
        e.pod = 'not-a-pod';
      }).join('\n'),
    ).toMatch(/names pod not-a-pod, which does not have that address/);
  });

  it('names invalid names, overlapping ranges and out-of-range proxier options', () => {
    expect(broken((s) => (s.services[0]!.name = 'Web_1')).join('\n')).toMatch(/must be DNS labels/);
    expect(broken((s) => (s.cluster.serviceCIDR = s.cluster.clusterCIDR)).join('\n')).toMatch(/overlaps clusterCIDR/);
    expect(broken((s) => (s.cluster.kubeProxy.masqueradeBit = 32)).join('\n')).toMatch(/masqueradeBit 32 is outside 0-31/);
    expect(broken((s) => (s.cluster.nodes[0]!.addresses = [s.pods[0]!.ip])).join('\n')).toMatch(/node address .* is inside the clusterCIDR/);
  });
});
