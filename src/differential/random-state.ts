/**
 * Seeded random cluster states for the differential check of svclab's rule renderers against
 * upstream kube-proxy: `randomClusterState(seed)` gives a complete, internally consistent
 * ClusterState shaped like the DSL compiler's output, the node whose rules are compared, and the
 * feature tags the state exercises (computed from the state itself, see state-features.ts), so a
 * run can report how often each feature was covered. The same seed always gives the same state.
 */
import { Draw } from './random-draw.js';
import { randomCluster } from './random-cluster.js';
import type { Building } from './random-endpoints.js';
import { addRandomService } from './random-services.js';
import { FEATURE_TAGS as FEATURE_TAGS_LIST, stateFeatures } from './state-features.js';
import { deriveSlices } from '../model/endpoints.js';
import type { ClusterState, ProxyMode } from '../model/types.js';

export { Draw, Rng } from './random-draw.js';
export { FEATURE_TAGS, OPTIONAL_FEATURE_TAGS, stateFeatures, type FeatureTag } from './state-features.js';

export interface RandomStateOptions {
  /** Force kube-proxy's mode (default: iptables or nftables, drawn). */
  mode?: ProxyMode;
  /** 1-4 (default 4). */
  maxNodes?: number;
  /** 0-12 (default 12). */
  maxServices?: number;
  /** Endpoints per Service (per hand-written slice), 0-6 (default 6). */
  maxEndpoints?: number;
  /**
   * Also draw detectLocal BridgeInterface and InterfaceNamePrefix (default false: those match pod
   * interfaces by name, which a lab must then create).
   */
  interfaceDetectLocal?: boolean;
}

export interface RandomState {
  state: ClusterState;
  /** The node whose rules are to be compared. */
  node: string;
  /** Feature tags the state exercises (FEATURE_TAGS, plus OPTIONAL_FEATURE_TAGS when enabled). */
  features: string[];
}

function whole(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`randomClusterState: ${name} must be an integer from ${min} to ${max} (got ${value})`);
  return value;
}

/** A random cluster state for `seed` (any integer; the same seed gives a deep-equal result). */
export function randomClusterState(seed: number, options: RandomStateOptions = {}): RandomState {
  if (!Number.isInteger(seed)) throw new RangeError(`randomClusterState: seed must be an integer (got ${seed})`);
  const maxNodes = whole('maxNodes', options.maxNodes ?? 4, 1, 4);
  const maxServices = whole('maxServices', options.maxServices ?? 12, 0, 12);
  const maxEndpoints = whole('maxEndpoints', options.maxEndpoints ?? 6, 0, 6);
  const draw = new Draw(seed);
  const cluster = randomCluster(draw, { ...(options.mode !== undefined ? { mode: options.mode } : {}), maxNodes, interfaceDetectLocal: options.interfaceDetectLocal ?? false });
  const b: Building = {
    draw,
    cluster,
    pods: [],
    deployments: [],
    services: [],
    handWritten: [],
    publishNotReady: new Set(),
    nextPodHost: new Map(),
    outsideUsed: new Set(cluster.clients.map((c) => c.address)),
  };
  // Mostly a handful of Services; now and then none at all, or the most allowed.
  const count = draw.chance(0.05) ? 0 : draw.chance(0.15) ? maxServices : draw.int(Math.min(1, maxServices), Math.min(maxServices, 8));
  for (let i = 0; i < count; i++) addRandomService(b, maxEndpoints);
  // Like the compiler's snapshot: controller-made slices of every Service, then hand-written ones.
  const derived = b.services.flatMap((s) => deriveSlices(s, b.pods, b.publishNotReady.has(s)));
  const state: ClusterState = {
    cluster,
    manifests: [],
    deployments: b.deployments,
    pods: b.pods,
    services: b.services,
    endpointSlices: [...derived, ...b.handWritten],
  };
  const node = draw.pick(cluster.nodes).name;
  return { state, node, features: stateFeatures(state, node) };
}

export interface FeatureCount {
  tag: string;
  /** Samples that exercised the feature. */
  count: number;
  /** count / samples. */
  share: number;
}

/**
 * How often each feature appeared over `samples`: every known tag (FEATURE_TAGS, then the optional
 * ones that appeared, then any others), with zero counts kept so gaps show.
 */
export function featureCoverage(samples: readonly { features: readonly string[] }[]): FeatureCount[] {
  const counts = new Map<string, number>();
  for (const s of samples) for (const tag of new Set(s.features)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  const known = new Set<string>(FEATURE_TAGS_LIST);
  const tags = [...FEATURE_TAGS_LIST, ...[...counts.keys()].filter((t) => !known.has(t)).sort()];
  return tags.map((tag) => {
    const count = counts.get(tag) ?? 0;
    return { tag, count, share: samples.length > 0 ? count / samples.length : 0 };
  });
}

/** The coverage as a Markdown table (feature, states, share), for a differential report. */
export function coverageTable(rows: readonly FeatureCount[]): string {
  const lines = ['| feature | states | share |', '|---|---:|---:|'];
  for (const r of rows) lines.push(`| \`${r.tag}\` | ${r.count} | ${(100 * r.share).toFixed(1)} % |`);
  return lines.join('\n') + '\n';
}
