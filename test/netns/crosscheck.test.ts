/**
 * The simulator against the kernel: a grid of packets from every client, node and pod toward
 * every node port, ClusterIP, load-balancer IP, external IP and health-check port, sent through
 * both `sim` and `netns`. Each cell must agree on the outcomes, the set of answering pods and the
 * set of source addresses the pods saw. Where they disagree, the simulator is the one to fix.
 *
 * The sets are samples of random choices (statistic rules, ECMP toward external IPs), so the
 * simulator side draws many packets (cheap) and the kernel side keeps drawing, up to a bound, while
 * it has seen only part of the simulator's set. Anything the kernel sees that the simulator never
 * produced is a disagreement at once; a part the kernel still has not seen after the bound is one too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledScenario, SendStep, Traffic, TrafficSource } from '../../src/model/scenario.js';
import type { Observation } from '../../src/observe/observation.js';
import type { ClusterState } from '../../src/model/types.js';
import type { BackendSession } from '../../src/backends/backend.js';
import { createBackend as createSim } from '../../src/backends/sim/index.js';
import { Lab } from '../../src/backends/netns/lab.js';
import { kubeProxyRules } from '../../src/backends/netns/index.js';
import {
  CLIENT,
  CLUSTER_IP,
  EXTERNAL_IP,
  HEALTH_PORT,
  LB_IP,
  LB_NODE_PORT,
  NODE_PORT,
  NODES,
  kernelSkipReason,
  seed004,
  seed004WithLoadBalancer,
} from './fixtures.js';

const skip = await kernelSkipReason();
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);

const state = seed004WithLoadBalancer();
// Clients with static routes to the service and pod CIDRs: via the pod-less control-plane node,
// and via a node that hosts a pod (asymmetric routing, ClusterIP from outside, pod IPs directly).
const ROUTED = [
  { name: 'routed-cp', address: '172.18.0.101', via: NODES.cp.ip },
  { name: 'routed-w1', address: '172.18.0.102', via: NODES.w1.ip },
];
function withRoutedClients(grid: ClusterState): ClusterState {
  for (const r of ROUTED) {
    grid.cluster.clients.push({
      name: r.name,
      address: r.address,
      routes: [
        { to: grid.cluster.serviceCIDR, via: r.via },
        { to: grid.cluster.clusterCIDR, via: r.via },
      ],
    });
  }
  return grid;
}
withRoutedClients(state);
const loc = { file: 'grid', line: 1, col: 1 };
const SIM_SAMPLES = 400;
const KERNEL_BATCH = 40;
const KERNEL_MAX_BATCHES = 6;

const sources: TrafficSource[] = [
  { kind: 'client', name: CLIENT.name, address: CLIENT.ip },
  ...ROUTED.map((r) => ({ kind: 'client' as const, name: r.name, address: r.address })),
  ...Object.values(NODES).map((n) => ({ kind: 'node' as const, name: n.name, address: n.ip })),
  ...state.pods.map((p) => ({ kind: 'pod' as const, name: p.name, address: p.ip, node: p.node })),
];

const targets: { address: string; port: number }[] = [
  ...Object.values(NODES).flatMap((n) => [
    { address: n.ip, port: NODE_PORT },
    { address: n.ip, port: LB_NODE_PORT },
    { address: n.ip, port: HEALTH_PORT },
  ]),
  { address: CLUSTER_IP, port: 9000 },
  { address: '10.200.1.20', port: 80 },
  { address: LB_IP, port: 80 },
  { address: EXTERNAL_IP, port: 9000 },
  ...state.pods.map((p) => ({ address: p.ip, port: 8080 })),
];

interface Cell {
  outcomes: string[];
  pods: string[];
  sourcesSeen: string[];
}

function summarize(obs: Observation[]): Cell {
  const set = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => x !== undefined))].sort();
  return {
    outcomes: set(obs.map((o) => o.outcome)),
    pods: set(obs.map((o) => o.pod)),
    sourcesSeen: set(obs.filter((o) => o.outcome === 'ok').map((o) => o.sourceSeen)),
  };
}

/** True when every set in `seen` is contained in the matching set of `expected`. */
function within(seen: Cell, expected: Cell): boolean {
  const sub = (a: string[], b: string[]) => a.every((x) => b.includes(x));
  return sub(seen.outcomes, expected.outcomes) && sub(seen.pods, expected.pods) && sub(seen.sourcesSeen, expected.sourcesSeen);
}

type Target = { address: string; port: number };

function traffic(from: TrafficSource, to: Target, count: number, timeoutMs: number, protocol: 'TCP' | 'UDP'): Traffic {
  return { count, from, to, targetText: `${to.address}:${to.port}`, protocol, timeoutMs };
}

function step(grid: ClusterState, t: Traffic): SendStep {
  return { kind: 'send', index: 0, title: t.targetText, loc, state: grid, traffic: t, expect: [] };
}

/** Every source against every target on both backends, one test per source. */
function crossCheck(name: string, grid: ClusterState, gridSources: TrafficSource[], gridTargets: Target[], protocol: 'TCP' | 'UDP'): void {
  describe(title(name), () => {
    let lab: Lab | undefined;
    let sim: BackendSession | undefined;

    beforeAll(async () => {
      if (skip) return;
      const scenario: CompiledScenario = { file: '/grid.yaml', name: 'grid', tags: [], loc, initial: grid, steps: [] };
      sim = await createSim().start(scenario, { seed: 7, signal: new AbortController().signal, log: () => undefined });
      lab = await Lab.up(grid, { rulesFor: kubeProxyRules });
    });

    afterAll(async () => {
      await lab?.close();
      await sim?.close();
    });

    for (const from of gridSources) {
      it.skipIf(skip)(`from ${from.kind} ${from.name}`, async () => {
        const disagreements: string[] = [];
        for (const to of gridTargets) {
          const simResult = await sim!.send(step(grid, traffic(from, to, SIM_SAMPLES, 1000, protocol)));
          if (!('observations' in simResult)) throw new Error(`sim: ${simResult.unsupported}`);
          const expected = summarize(simResult.observations);
          // Cells the simulator says never answer need only a few (slow) kernel probes.
          const onlyFailures = !expected.outcomes.includes('ok');
          const seen: Observation[] = [];
          let kernel = summarize(seen);
          for (let batch = 0; batch < (onlyFailures ? 1 : KERNEL_MAX_BATCHES); batch++) {
            seen.push(...(await lab!.send(traffic(from, to, onlyFailures ? 4 : KERNEL_BATCH, onlyFailures ? 400 : 1000, protocol))));
            kernel = summarize(seen);
            if (!within(kernel, expected) || JSON.stringify(kernel) === JSON.stringify(expected)) break;
          }
          if (process.env.SVCLAB_GRID_PRINT) console.log(`${from.name} -> ${to.address}:${to.port}`, seen.length, JSON.stringify(kernel));
          if (JSON.stringify(kernel) !== JSON.stringify(expected)) {
            disagreements.push(`${to.address}:${to.port}  sim ${JSON.stringify(expected)}  kernel (${seen.length} requests) ${JSON.stringify(kernel)}`);
          }
        }
        expect(disagreements, disagreements.join('\n')).toEqual([]);
      });
    }
  });
}

crossCheck('sim and kernel agree on the seed-004 grid', state, sources, targets, 'TCP');

// UDP: the same lab with a UDP service (eTP Cluster, two pods), from an unrouted and a routed
// client, every node and every pod, to every node port, the ClusterIP and the pods directly.
const udpState = withRoutedClients(seed004({ replicas: 2, protocol: 'UDP' }));
crossCheck(
  'sim and kernel agree on the seed-004 grid over UDP',
  udpState,
  [
    { kind: 'client', name: CLIENT.name, address: CLIENT.ip },
    { kind: 'client', name: ROUTED[0].name, address: ROUTED[0].address },
    ...Object.values(NODES).map((n) => ({ kind: 'node' as const, name: n.name, address: n.ip })),
    ...udpState.pods.map((p) => ({ kind: 'pod' as const, name: p.name, address: p.ip, node: p.node })),
  ],
  [...Object.values(NODES).map((n) => ({ address: n.ip, port: NODE_PORT })), { address: CLUSTER_IP, port: 9000 }, ...udpState.pods.map((p) => ({ address: p.ip, port: 8080 }))],
  'UDP',
);
