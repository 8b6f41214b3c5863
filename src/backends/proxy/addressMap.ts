/**
 * One-to-one map between scenario addresses (nodes, clients, pods, service VIPs) and loopback
 * addresses 127.<run>.<x>.<y>. Every 127/8 address is local on Linux, so each scenario address
 * gets its own bindable address without privilege; the `run` octet keeps parallel sessions apart.
 */
import net from 'node:net';
import type { ClusterState } from '../../model/types.js';
import { BackendUnavailableError } from '../../errors.js';
import { podGatewayAddress } from '../../model/pod-network.js';

/** What a scenario address is; decides which /16 block of the run it is drawn from. */
export type AddressKind = 'node' | 'client' | 'pod' | 'service' | 'external';

/** Third-octet ranges per kind, so a learner can tell kinds apart in `ss -tln`. */
const BLOCKS: Record<AddressKind, [number, number]> = {
  node: [1, 9],
  client: [10, 19],
  pod: [20, 149],
  service: [150, 219],
  external: [220, 254],
};

/** Port of the marker listener that claims a run octet across processes (127.<run>.0.1). */
export const RUN_MARKER_PORT = 65431;

export interface MappedAddress {
  scenario: string;
  loopback: string;
  kind: AddressKind;
  /** Name of the node, client or pod; "ns/svc" for service addresses. */
  owner: string;
}

export class AddressMap {
  private readonly toLoop = new Map<string, MappedAddress>();
  private readonly toScenario = new Map<string, MappedAddress>();
  private readonly next: Record<AddressKind, number>;
  /** Per-node stand-in for the node's own 127.0.0.1 (localhost node ports). */
  private readonly localhost = new Map<string, MappedAddress>();

  constructor(readonly run: number) {
    if (!Number.isInteger(run) || run < 1 || run > 254) throw new Error(`run octet ${run} out of range 1..254`);
    this.next = { node: 0, client: 0, pod: 0, service: 0, external: 0 };
  }

  /** Map a scenario address (idempotent); returns its loopback address. */
  add(scenario: string, kind: AddressKind, owner: string): string {
    const known = this.toLoop.get(scenario);
    if (known) return known.loopback;
    if (net.isIPv4(scenario) === false) {
      throw new BackendUnavailableError(`proxy backend: address ${scenario} (${owner}) is not IPv4; only IPv4 scenarios map onto 127.0.0.0/8`);
    }
    const entry: MappedAddress = { scenario, loopback: this.allocate(kind), kind, owner };
    this.toLoop.set(scenario, entry);
    this.toScenario.set(entry.loopback, entry);
    return entry.loopback;
  }

  private allocate(kind: AddressKind): string {
    const [lo, hi] = BLOCKS[kind];
    const index = this.next[kind]++;
    const third = lo + Math.floor(index / 254);
    if (third > hi) throw new BackendUnavailableError(`proxy backend: more than ${(hi - lo + 1) * 254} ${kind} addresses`);
    return `127.${this.run}.${third}.${(index % 254) + 1}`;
  }

  /** The loopback address standing for 127.0.0.1 on one node (idempotent). */
  nodeLocalhost(node: string): string {
    let entry = this.localhost.get(node);
    if (!entry) {
      entry = { scenario: '127.0.0.1', loopback: this.allocate('node'), kind: 'node', owner: `${node} (localhost)` };
      this.localhost.set(node, entry);
      this.toScenario.set(entry.loopback, entry);
    }
    return entry.loopback;
  }

  /** Loopback address of a scenario address; throws when it was never mapped. */
  loopback(scenario: string): string {
    const entry = this.toLoop.get(scenario);
    if (!entry) throw new Error(`address ${scenario} has no loopback mapping`);
    return entry.loopback;
  }

  has(scenario: string): boolean {
    return this.toLoop.has(scenario);
  }

  /** Scenario address of a loopback address (IPv4-mapped IPv6 accepted); undefined if unknown. */
  scenario(loopback: string): string | undefined {
    const plain = loopback.startsWith('::ffff:') ? loopback.slice(7) : loopback;
    return this.toScenario.get(plain)?.scenario;
  }

  entry(scenario: string): MappedAddress | undefined {
    return this.toLoop.get(scenario);
  }

  entries(): MappedAddress[] {
    return [...this.toLoop.values(), ...this.localhost.values()];
  }

  /** Map every address a state mentions; called for each step's state so the map never shifts. */
  addState(state: ClusterState): void {
    for (const node of state.cluster.nodes) for (const a of node.addresses) if (net.isIPv4(a)) this.add(a, 'node', node.name);
    for (const node of state.cluster.nodes) this.nodeLocalhost(node.name);
    for (const node of state.cluster.nodes) {
      const gw = podGatewayAddress(state.cluster, node);
      if (gw) this.add(gw, 'node', `${node.name} (pod gateway)`);
    }
    for (const client of state.cluster.clients) this.add(client.address, 'client', client.name);
    for (const pod of state.pods) if (pod.ip) this.add(pod.ip, 'pod', pod.name);
    for (const svc of state.services) {
      const owner = `${svc.namespace}/${svc.name}`;
      if (svc.clusterIP && svc.clusterIP !== 'None') this.add(svc.clusterIP, 'service', owner);
      for (const ip of svc.externalIPs) this.add(ip, 'external', owner);
      for (const ing of svc.loadBalancerIngress) this.add(ing.ip, 'external', owner);
    }
    for (const slice of state.endpointSlices) {
      for (const ep of slice.endpoints) for (const a of ep.addresses) if (net.isIPv4(a)) this.add(a, 'pod', ep.pod ?? `${slice.namespace}/${slice.name}`);
    }
  }
}

/**
 * Claim a free run octet for this session by binding a marker listener on 127.<run>.0.1. Another
 * process holding the same octet holds that port, so two sessions never share a block.
 */
export async function claimRunOctet(preferred?: number): Promise<{ run: number; release: () => Promise<void> }> {
  const candidates: number[] = [];
  if (preferred !== undefined) candidates.push(preferred);
  const start = 2 + Math.floor(Math.random() * 250);
  for (let i = 0; i < 253; i++) candidates.push(2 + ((start - 2 + i) % 253));
  let lastError: unknown;
  for (const run of candidates) {
    const server = net.createServer((s) => s.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: `127.${run}.0.1`, port: RUN_MARKER_PORT, exclusive: true }, () => resolve());
      });
      server.unref();
      return { run, release: () => new Promise<void>((r) => server.close(() => r())) };
    } catch (err) {
      lastError = err;
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
    }
  }
  throw new BackendUnavailableError(
    `proxy backend: cannot bind a loopback address 127.x.0.1 (${(lastError as Error)?.message ?? 'all run octets busy'})`,
  );
}
