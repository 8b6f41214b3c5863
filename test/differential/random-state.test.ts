/**
 * The seeded random cluster-state generator that feeds the differential check of svclab's rule
 * renderers against upstream kube-proxy: reproducible, varied, covering every feature tag over a
 * few hundred seeds, and producing states that are sound (state-invariants), that both renderers
 * take, and that the kube-proxy backend turns into API objects.
 */
import { describe, expect, it } from 'vitest';
import {
  FEATURE_TAGS,
  OPTIONAL_FEATURE_TAGS,
  coverageTable,
  featureCoverage,
  randomClusterState,
  stateFeatures,
  type RandomState,
} from '../../src/differential/random-state.js';
import { stateProblems } from '../../src/differential/state-invariants.js';
import { renderNodeRules } from '../../src/kubeproxy/iptables/index.js';
import { formatNftList, renderNftNode } from '../../src/kubeproxy/nftables/index.js';
import { apiObjects } from '../../src/backends/kube-proxy/objects.js';
import { loadScenarioFile } from '../../src/dsl/load.js';
import { inCidr } from '../../src/model/ip.js';

const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);
const samples: RandomState[] = SEEDS.map((seed) => randomClusterState(seed));

describe('randomClusterState: reproducible and varied', () => {
  it('the same seed and options give a deep-equal state, node and feature list', () => {
    for (const seed of [1, 7, 42, 299, 123456789, -5]) {
      expect(randomClusterState(seed)).toEqual(randomClusterState(seed));
      expect(randomClusterState(seed, { mode: 'nftables', maxNodes: 2 })).toEqual(randomClusterState(seed, { mode: 'nftables', maxNodes: 2 }));
    }
  });

  it('different seeds give different states', () => {
    const texts = new Set(samples.slice(0, 100).map((s) => JSON.stringify(s.state)));
    expect(texts.size).toBe(100);
  });

  it('sizes stay within 1-4 nodes, 0-12 Services, 0-6 endpoints per slice, and the options narrow them', () => {
    for (const { state, node } of samples) {
      expect(state.cluster.nodes.length).toBeGreaterThanOrEqual(1);
      expect(state.cluster.nodes.length).toBeLessThanOrEqual(4);
      expect(state.services.length).toBeLessThanOrEqual(12);
      for (const slice of state.endpointSlices) expect(slice.endpoints.length).toBeLessThanOrEqual(6);
      expect(state.cluster.nodes.map((n) => n.name)).toContain(node);
    }
    for (let seed = 1; seed <= 200; seed++) {
      const { state } = randomClusterState(seed, { maxNodes: 1, maxServices: 3, maxEndpoints: 1 });
      expect(state.cluster.nodes).toHaveLength(1);
      expect(state.services.length).toBeLessThanOrEqual(3);
      for (const slice of state.endpointSlices) expect(slice.endpoints.length).toBeLessThanOrEqual(1);
    }
    expect(samples.some((s) => s.state.services.length === 12)).toBe(true);
    expect(samples.some((s) => s.state.cluster.nodes.length === 4)).toBe(true);
  });

  it('the mode option forces kube-proxy mode; without it both modes are drawn', () => {
    for (let seed = 1; seed <= 30; seed++) {
      expect(randomClusterState(seed, { mode: 'iptables' }).state.cluster.kubeProxy.mode).toBe('iptables');
      expect(randomClusterState(seed, { mode: 'nftables' }).state.cluster.kubeProxy.mode).toBe('nftables');
    }
    expect(new Set(samples.map((s) => s.state.cluster.kubeProxy.mode))).toEqual(new Set(['iptables', 'nftables']));
  });

  it('refuses options outside their range with a message naming the option', () => {
    expect(() => randomClusterState(1, { maxNodes: 5 })).toThrow(/maxNodes must be an integer from 1 to 4 \(got 5\)/);
    expect(() => randomClusterState(1, { maxServices: 13 })).toThrow(/maxServices/);
    expect(() => randomClusterState(1, { maxEndpoints: -1 })).toThrow(/maxEndpoints/);
    expect(() => randomClusterState(1.5)).toThrow(/seed must be an integer/);
  });
});

describe('randomClusterState: feature coverage', () => {
  it('over seeds 1..300 every feature tag appears at least once', () => {
    const rows = featureCoverage(samples);
    const missing = rows.filter((r) => (FEATURE_TAGS as readonly string[]).includes(r.tag) && r.count === 0).map((r) => r.tag);
    expect(missing).toEqual([]);
    expect(rows.map((r) => r.tag)).toEqual([...FEATURE_TAGS]);
  });

  it('interface-based local detection appears only when asked for', () => {
    const optional = new Set<string>(OPTIONAL_FEATURE_TAGS);
    expect(samples.some((s) => s.features.some((f) => optional.has(f)))).toBe(false);
    const withInterfaces = SEEDS.slice(0, 150).map((seed) => randomClusterState(seed, { interfaceDetectLocal: true }));
    for (const tag of OPTIONAL_FEATURE_TAGS) expect(withInterfaces.some((s) => s.features.includes(tag))).toBe(true);
    for (const s of withInterfaces) {
      const kp = s.state.cluster.kubeProxy;
      if (kp.detectLocal === 'BridgeInterface') expect(kp.bridgeInterface).toMatch(/^[a-z0-9]+$/);
      if (kp.detectLocal === 'InterfaceNamePrefix') expect(kp.interfaceNamePrefix).toMatch(/^[a-z]+$/);
    }
  });

  it('the feature list is what the state holds, not what the generator meant to draw', () => {
    for (const s of samples.slice(0, 50)) expect(s.features).toEqual(stateFeatures(s.state, s.node));
    const withAffinity = samples.find((s) => s.state.services.some((svc) => svc.sessionAffinity === 'ClientIP' && svc.type !== 'ExternalName' && svc.clusterIP !== 'None'))!;
    expect(withAffinity.features).toContain('affinity:ClientIP');
    const stripped = structuredClone(withAffinity.state);
    for (const svc of stripped.services) svc.sessionAffinity = 'None';
    expect(stateFeatures(stripped, withAffinity.node)).not.toContain('affinity:ClientIP');
  });

  it('reads features from compiled scenarios too', async () => {
    const scenario = await loadScenarioFile('scenarios/conformance/session-affinity-clientip.yaml');
    const state = scenario.steps[0]!.state;
    const features = stateFeatures(state, state.cluster.nodes[0]!.name);
    expect(features).toContain('affinity:ClientIP');
    expect(features).toContain('mode:iptables');
  });

  it('featureCoverage counts each state once per tag, keeps zero rows and appends unknown tags', () => {
    const rows = featureCoverage([{ features: ['mode:iptables', 'mode:iptables', 'x:extra'] }, { features: ['mode:iptables', 'masquerade-all'] }]);
    expect(rows.find((r) => r.tag === 'mode:iptables')).toEqual({ tag: 'mode:iptables', count: 2, share: 1 });
    expect(rows.find((r) => r.tag === 'masquerade-all')).toEqual({ tag: 'masquerade-all', count: 1, share: 0.5 });
    expect(rows.find((r) => r.tag === 'mode:nftables')).toEqual({ tag: 'mode:nftables', count: 0, share: 0 });
    expect(rows[rows.length - 1]).toEqual({ tag: 'x:extra', count: 1, share: 0.5 });
    expect(coverageTable(rows)).toContain('| `masquerade-all` | 1 | 50.0 % |');
  });
});

describe('randomClusterState: sound states both renderers take', () => {
  it('every state passes the state invariants', () => {
    const broken = samples.map((s, i) => ({ seed: SEEDS[i], problems: stateProblems(s.state) })).filter((x) => x.problems.length > 0);
    expect(broken).toEqual([]);
  });

  it('cluster IPs are unique inside the service CIDR, node ports unique inside the range, slice ports name Service ports', () => {
    for (const { state } of samples) {
      const ips = state.services.filter((s) => s.clusterIP !== 'None').map((s) => s.clusterIP);
      expect(new Set(ips).size).toBe(ips.length);
      for (const ip of ips) expect(inCidr(ip, state.cluster.serviceCIDR)).toBe(true);
      // One node port per Service port number (the API server shares it between 53/TCP and 53/UDP).
      const ports = state.services.flatMap((s) => [
        ...new Set(s.ports.flatMap((p) => (p.nodePort !== undefined ? [`${p.port}:${p.nodePort}`] : []))),
        ...(s.healthCheckNodePort !== undefined ? [`health:${s.healthCheckNodePort}`] : []),
      ]).map((key) => Number(key.split(':')[1]));
      expect(new Set(ports).size).toBe(ports.length);
      for (const p of ports) expect(p >= state.cluster.nodePortRange.min && p <= state.cluster.nodePortRange.max).toBe(true);
      for (const slice of state.endpointSlices) {
        const svc = state.services.find((s) => s.namespace === slice.namespace && s.name === slice.serviceName)!;
        for (const p of slice.ports) expect(svc.ports.some((sp) => sp.name === p.name && sp.protocol === p.protocol)).toBe(true);
      }
      for (const pod of state.pods) expect(inCidr(pod.ip, state.cluster.nodes.find((n) => n.name === pod.node)!.podCIDR)).toBe(true);
    }
  });

  it('both renderers render every state for its node, each proxied cluster IP in the rules', () => {
    for (const { state, node } of samples) {
      const iptables = renderNodeRules(state, node);
      const nft = formatNftList(renderNftNode(state, node).ruleset);
      for (const svc of state.services.filter((s) => s.type !== 'ExternalName' && s.clusterIP !== 'None')) {
        expect(iptables).toMatch(new RegExp(`-d ${svc.clusterIP.replaceAll('.', '\\.')}(/32)? `));
        expect(nft).toContain(svc.clusterIP);
      }
    }
  });

  it('apiObjects turns every state into the Services and labelled EndpointSlices kube-proxy is fed', () => {
    for (const { state } of samples) {
      const objects = apiObjects(state);
      expect(objects.services).toHaveLength(state.services.length);
      expect(objects.endpointSlices).toHaveLength(state.endpointSlices.length);
      objects.endpointSlices.forEach((o, i) => {
        const meta = o.metadata as { labels: Record<string, string> };
        expect(meta.labels['kubernetes.io/service-name']).toBe(state.endpointSlices[i]!.serviceName);
      });
      objects.services.forEach((o, i) => {
        const spec = o.spec as { ports: { nodePort?: number }[]; clusterIP?: string };
        expect(spec.ports.map((p) => p.nodePort)).toEqual(state.services[i]!.ports.map((p) => p.nodePort));
        if (state.services[i]!.type !== 'ExternalName') expect(spec.clusterIP).toBe(state.services[i]!.clusterIP);
      });
      expect(JSON.parse(JSON.stringify(objects))).toEqual(objects);
    }
  });
});

describe('randomClusterState: shaped like compiled scenarios', () => {
  /** `generated`'s keys appear in `compiled`'s order, with nothing the compiler never writes. */
  const sameKeyOrder = (generated: object, compiled: object, optional: string[] = []): void => {
    const order = [...Object.keys(compiled), ...optional];
    const keys = Object.keys(generated);
    expect(keys.filter((k) => !order.includes(k))).toEqual([]);
    const positions = keys.filter((k) => Object.keys(compiled).includes(k)).map((k) => Object.keys(compiled).indexOf(k));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  };

  it('nodes, kube-proxy options, Services, pods and slices have the compiler\'s fields in its order', async () => {
    const scenario = await loadScenarioFile('scenarios/conformance/lb-etp-local.yaml');
    const compiled = scenario.steps[0]!.state;
    const lb = compiled.services.find((s) => s.healthCheckNodePort !== undefined)!;
    // The EKS lab has every optional cluster key (podAddressing) and node key (subnet).
    const eks = (await loadScenarioFile('scenarios/labs/003-eks-nodeport.yaml')).steps[0]!.state;
    for (const { state } of samples.slice(0, 150)) {
      sameKeyOrder(state.cluster, eks.cluster);
      sameKeyOrder(state.cluster.kubeProxy, compiled.cluster.kubeProxy, ['bridgeInterface', 'interfaceNamePrefix']);
      for (const n of state.cluster.nodes) sameKeyOrder(n, eks.cluster.nodes[0]!);
      for (const s of state.services) sameKeyOrder(s, { ...lb, selector: lb.selector }, []);
      for (const p of state.pods) sameKeyOrder(p, { ...compiled.pods.find((x) => x.owner !== undefined)! });
      for (const s of state.endpointSlices) sameKeyOrder(s, compiled.endpointSlices[0]!);
      expect(state.manifests).toEqual([]);
    }
  });
});
