/**
 * Simulator benchmarks. A "verdict" is one packet taken through one node's netfilter
 * (`NetfilterHost.process`: conntrack lookup, nat PREROUTING, routing, filter FORWARD, nat
 * POSTROUTING): for a NodePort SYN that is the DNAT to an endpoint plus the masquerade decision.
 * Its baseline is the same call on the same host with an empty ruleset (every hook walked, no rule
 * matches), so the ratio is what the rendered kube-proxy rules cost over the walk itself.
 *
 * Timing uses tinybench (v6: `latency`/`throughput` statistics, `retainSamples` for percentiles).
 * Each tinybench iteration runs a batch of operations, because a single verdict (about a
 * microsecond) is too close to the timer's own cost to time alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import type { ClusterState } from '../model/types.js';
import { SimNetwork } from '../backends/sim/network.js';
import { renderNodeRules } from '../kubeproxy/iptables/render.js';
import { parseIPv4 } from '../evaluators/iptables/ip.js';
import { CT, type Packet } from '../evaluators/iptables/packet.js';
import { Rng } from '../evaluators/iptables/rng.js';
import type { NetfilterHost, WalkOptions } from '../evaluators/host.js';
import { SYNTHETIC_CLIENT, syntheticCluster } from './synthetic.js';

/** An empty ruleset: every builtin chain present, policy ACCEPT, no rules. */
export const EMPTY_RULES = [
  '*filter',
  ':INPUT ACCEPT [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  'COMMIT',
  '*nat',
  ':PREROUTING ACCEPT [0:0]',
  ':INPUT ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':POSTROUTING ACCEPT [0:0]',
  'COMMIT',
  '',
].join('\n');

/** Result of timing a repeated operation. */
export interface OpTiming {
  opsPerSecond: number;
  /** tinybench samples (batches). */
  samples: number;
  batch: number;
  rmePercent: number;
  /** Per operation, nanoseconds (batch latency / batch size). */
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  /**
   * Operations per second of this process's CPU time (user + system) over the whole run, warmup
   * included: the single-core rate even when other work shares the machine.
   */
  opsPerCpuSecond: number;
}

/** Times `op` with tinybench for about `timeMs`, `batch` calls per sample. */
export async function timeOps(name: string, op: () => void, opts: { batch: number; timeMs: number; signal?: AbortSignal }): Promise<OpTiming> {
  const batch = opts.batch;
  const bench = new Bench({ name, time: opts.timeMs, warmupTime: Math.min(500, opts.timeMs / 4), iterations: 16, retainSamples: true, throws: true, signal: opts.signal });
  let total = 0;
  bench.add(name, () => {
    for (let i = 0; i < batch; i++) op();
    total += batch;
  });
  const cpu0 = process.cpuUsage();
  await bench.run();
  const cpu = process.cpuUsage(cpu0);
  const result = bench.tasks[0]?.result;
  if (!result || result.state !== 'completed') throw new Error(`${name}: benchmark ended ${result?.state ?? 'without a result'}`);
  const lat = result.latency;
  const samples = lat.samples ?? [];
  const at = (p: number): number => (samples.length ? samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)] : NaN);
  const perOpNs = (ms: number): number => (ms * 1e6) / batch;
  return {
    opsPerSecond: (batch * 1000) / lat.mean,
    samples: lat.samplesCount,
    batch,
    rmePercent: lat.rme,
    p50Ns: perOpNs(lat.p50),
    p90Ns: perOpNs(at(90)),
    p99Ns: perOpNs(lat.p99),
    opsPerCpuSecond: total / ((cpu.user + cpu.system) / 1e6),
  };
}

/** Where a NodePort SYN for the bench goes: an outside client to a node's address and node port. */
export interface NodePortProbe {
  client: string;
  clientAddress: number;
  node: string;
  nodeAddress: string;
  /** Node ports to cycle through (one per NodePort/LoadBalancer Service port, TCP). */
  nodePorts: number[];
}

/** The first client, the first node and every TCP node port of the state. */
export function nodePortProbe(state: ClusterState, limit = Infinity): NodePortProbe {
  const client = state.cluster.clients[0];
  const node = state.cluster.nodes[0];
  if (!client || !node) throw new Error('the bench needs a cluster with at least one client and one node');
  const nodePorts: number[] = [];
  for (const s of state.services) {
    for (const p of s.ports) if (p.nodePort !== undefined && p.protocol === 'TCP' && nodePorts.length < limit) nodePorts.push(p.nodePort);
  }
  if (nodePorts.length === 0) throw new Error('the bench needs a Service with a TCP node port');
  const clientAddress = parseIPv4(client.address);
  if (clientAddress === undefined) throw new Error(`client ${client.name} has no IPv4 address`);
  return { client: client.name, clientAddress, node: node.name, nodeAddress: node.addresses[0], nodePorts };
}

/** A ring of distinct NodePort SYNs (source ports and node ports vary). */
export function synPackets(probe: NodePortProbe, count: number): Packet[] {
  const dst = parseIPv4(probe.nodeAddress)!;
  return Array.from({ length: count }, (_, i) => ({
    src: probe.clientAddress,
    dst,
    proto: 6,
    sport: 32768 + ((i * 7919) % 28000),
    dport: probe.nodePorts[i % probe.nodePorts.length],
    mark: 0,
    inIface: '',
    outIface: '',
    ctstate: 0,
  }));
}

/** A network whose node `probe.node` runs `rules` and every other node the empty ruleset. */
function networkWith(state: ClusterState, node: string, rules: string): SimNetwork {
  return new SimNetwork(state, (_s, n) => (n === node ? rules : EMPTY_RULES));
}

export interface VerdictBench {
  rules: OpTiming;
  empty: OpTiming;
  /** ms to build the SimNetwork (parse + compile every node's rules) with the rendered rules / with empty ones. */
  buildMs: number;
  emptyBuildMs: number;
  /** CPU time (user + system) of those builds, ms. */
  buildCpuMs: number;
  emptyBuildCpuMs: number;
  /** What the first packet came to with the real rules (checked: DNAT to an endpoint). */
  sample: { kind: string; dnat: boolean; to: string };
}

/** CPU time (user + system) of this process since `start`, ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

const dotted = (a: number): string => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;

/**
 * Verdicts per second on `probe.node` with `rules`, beside the same packets on an empty ruleset.
 * Throws when the rules do not DNAT the first packet (the bench must measure the real path).
 */
export async function benchVerdicts(state: ClusterState, rules: string, probe: NodePortProbe, opts: { timeMs: number; signal?: AbortSignal }): Promise<VerdictBench> {
  const packets = synPackets(probe, 4096);
  const mask = packets.length - 1;
  const time = async (text: string, label: string): Promise<{ timing: OpTiming; first: ReturnType<NetfilterHost['process']>; buildMs: number; buildCpuMs: number }> => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const net = networkWith(state, probe.node, text);
    const buildMs = performance.now() - t0;
    const buildCpuMs = cpuMsSince(c0);
    const host = net.host(probe.node)!;
    const rng = new Rng(1);
    const walk: WalkOptions = { chance: (p) => rng.next() < p, now: 1, mutate: false };
    const first = host.process(packets[0], 'eth0', walk);
    let i = 0;
    const timing = await timeOps(label, () => void host.process(packets[i++ & mask], 'eth0', walk), { batch: 1000, timeMs: opts.timeMs, signal: opts.signal });
    return { timing, first, buildMs, buildCpuMs };
  };
  const real = await time(rules, 'verdicts: rendered rules');
  const dnat = (real.first.packet.ctstate & CT.DNAT) !== 0;
  if (real.first.kind !== 'out' || !dnat) {
    throw new Error(`bench packet to ${probe.nodeAddress}:${packets[0].dport} was not DNATed to an endpoint (${real.first.kind}); the rules do not serve the NodePort`);
  }
  const empty = await time(EMPTY_RULES, 'verdicts: empty ruleset');
  return {
    rules: real.timing,
    empty: empty.timing,
    buildMs: real.buildMs,
    emptyBuildMs: empty.buildMs,
    buildCpuMs: real.buildCpuMs,
    emptyBuildCpuMs: empty.buildCpuMs,
    sample: { kind: real.first.kind, dnat, to: `${dotted(real.first.packet.dst)}:${real.first.packet.dport}` },
  };
}

export interface RequestBench {
  rules: OpTiming;
  direct: OpTiming;
  outcome: string;
  directOutcome: string;
  /** The pod address the direct requests go to. */
  directTo: string;
}

/**
 * Whole NodePort requests per second through SimNetwork (forward walk, pod, reply walk back
 * through conntrack), beside the same client calling one endpoint pod straight (a static route via
 * the same node, same rules: forwarding without the Service NAT).
 */
export async function benchRequests(state: ClusterState, probe: NodePortProbe, pod: { address: string; port: number }, opts: { timeMs: number; signal?: AbortSignal }): Promise<RequestBench> {
  const routed: ClusterState = {
    ...state,
    cluster: {
      ...state.cluster,
      clients: state.cluster.clients.map((c) => (c.name === probe.client ? { ...c, routes: [...c.routes, { to: state.cluster.clusterCIDR, via: probe.nodeAddress }] } : c)),
    },
  };
  const net = new SimNetwork(routed, renderNodeRules);
  const run = async (label: string, to: (i: number) => { address: string; port: number }): Promise<{ timing: OpTiming; outcome: string }> => {
    const rng = new Rng(2);
    const chance = (p: number): boolean => rng.next() < p;
    let i = 0;
    const one = (): string => {
      const now = i * 0.001;
      const dst = to(i);
      const r = net.request({ kind: 'client', name: probe.client }, dst.address, dst.port, 'tcp', { chance, now, mutate: true, sport: 32768 + (i % 28000), trace: false });
      // Keep conntrack at a steady size, as a real run's expiry would.
      if (++i % 4096 === 0) for (const n of net.nodeNames()) net.host(n)!.conntrack.prune(now + 1e6);
      return r.outcome;
    };
    const outcome = one();
    const timing = await timeOps(label, () => void one(), { batch: 200, timeMs: opts.timeMs, signal: opts.signal });
    for (const n of net.nodeNames()) net.host(n)!.conntrack.prune(Number.MAX_SAFE_INTEGER);
    return { timing, outcome };
  };
  const real = await run('requests: NodePort', (i) => ({ address: probe.nodeAddress, port: probe.nodePorts[i % probe.nodePorts.length] }));
  const direct = await run('requests: direct to pod', () => pod);
  return { rules: real.timing, direct: direct.timing, outcome: real.outcome, directOutcome: direct.outcome, directTo: `${pod.address}:${pod.port}` };
}

export interface SuiteTiming {
  path: string;
  /** Median wall time of the runs, ms. */
  runMs: number;
  runsMs: number[];
  runExit: number | null;
  totals?: { passed: number; failed: number; skipped: number; errors: number };
  scenarios?: number;
  validateMs: number;
  validatesMs: number[];
  validateExit: number | null;
}

/** Runs a CLI command to completion; `track` sees the child so an interrupt can stop it. */
function runCli(cli: string, args: string[], cwd: string, track: (c: ChildProcess) => void): Promise<{ ms: number; code: number | null; stderr: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    track(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - t0, code, stderr }));
  });
}

/**
 * Wall time of `svclab run <path> --backend sim` (a fresh process, as a user runs it) beside
 * `svclab validate <path>` (the same process start, loading and compiling, no traffic).
 */
export async function timeSuite(cli: string, path: string, cwd: string, runs: number, track: (c: ChildProcess) => void): Promise<SuiteTiming> {
  const out = await mkdtemp(join(tmpdir(), 'svclab-bench-suite-'));
  try {
    const validatesMs: number[] = [];
    const runsMs: number[] = [];
    let validate: { code: number | null } = { code: null };
    let run: { code: number | null; stderr: string } = { code: null, stderr: '' };
    // Alternate the two commands so neither always meets a busier machine.
    for (let i = 0; i < runs; i++) {
      const v = await runCli(cli, ['validate', '--quiet', path], cwd, track);
      validatesMs.push(v.ms);
      validate = v;
      const r = await runCli(cli, ['run', path, '--backend', 'sim', '--reporter', 'json', '--out', out], cwd, track);
      if (r.code !== 0 && r.code !== 1) throw new Error(`svclab run ${path} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      runsMs.push(r.ms);
      run = r;
    }
    let totals: SuiteTiming['totals'];
    let scenarios: number | undefined;
    try {
      const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as { totals?: SuiteTiming['totals']; scenarios?: unknown[] };
      totals = result.totals;
      scenarios = result.scenarios?.length;
    } catch {
      totals = undefined;
    }
    return { path, runMs: median(runsMs), runsMs, runExit: run.code, totals, scenarios, validateMs: median(validatesMs), validatesMs, validateExit: validate.code };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** What one scale child measures (plain data: it crosses a process boundary). */
export interface ScaleResult {
  nodes: number;
  services: number;
  endpoints: number;
  generateMs: number;
  /** Median of `renderRuns` renders of one node's rules. */
  renderMs: number;
  renderRuns: number[];
  /** CPU time of each render, ms (other work on the machine does not inflate it). */
  renderCpuRuns: number[];
  /** Median time to serialize the same ClusterState with JSON.stringify (the render baseline). */
  stringifyMs: number;
  stringifyCpuMs: number;
  rulesBytes: number;
  rulesLines: number;
  verdicts: VerdictBench;
  /** process.resourceUsage().maxRSS in bytes, after generating the input and at the end. */
  maxRssAfterInputBytes: number;
  maxRssBytes: number;
  /** Largest heapUsed seen at the stage boundaries. */
  heapHighWaterBytes: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The scale measurement, meant to run alone in a child process so maxRSS is its own. */
export async function measureScale(opts: { nodes: number; services: number; endpointsPerService: number; renderRuns: number; timeMs: number }): Promise<ScaleResult> {
  let heap = 0;
  const mark = (): void => {
    heap = Math.max(heap, process.memoryUsage().heapUsed);
  };
  let t = performance.now();
  const state = syntheticCluster(opts);
  const generateMs = performance.now() - t;
  mark();
  const maxRssAfterInputBytes = process.resourceUsage().maxRSS * 1024;
  const node = state.cluster.nodes[0].name;

  const renderRuns: number[] = [];
  const renderCpuRuns: number[] = [];
  let rules = '';
  for (let i = 0; i < opts.renderRuns; i++) {
    t = performance.now();
    const c = process.cpuUsage();
    rules = renderNodeRules(state, node);
    renderRuns.push(performance.now() - t);
    renderCpuRuns.push(cpuMsSince(c));
    mark();
  }
  const stringifyRuns: number[] = [];
  const stringifyCpuRuns: number[] = [];
  for (let i = 0; i < opts.renderRuns; i++) {
    t = performance.now();
    const c = process.cpuUsage();
    JSON.stringify(state);
    stringifyRuns.push(performance.now() - t);
    stringifyCpuRuns.push(cpuMsSince(c));
  }
  mark();

  const probe = nodePortProbe(state);
  if (state.cluster.clients[0].name !== SYNTHETIC_CLIENT.name) throw new Error('synthetic cluster without its bench client');
  const verdicts = await benchVerdicts(state, rules, probe, { timeMs: opts.timeMs });
  mark();
  let lines = 0;
  for (let i = rules.indexOf('\n'); i >= 0; i = rules.indexOf('\n', i + 1)) lines++;
  return {
    nodes: opts.nodes,
    services: opts.services,
    endpoints: state.endpointSlices.reduce((n, s) => n + s.endpoints.length, 0),
    generateMs,
    renderMs: median(renderRuns),
    renderRuns,
    renderCpuRuns,
    stringifyMs: median(stringifyRuns),
    stringifyCpuMs: median(stringifyCpuRuns),
    rulesBytes: Buffer.byteLength(rules),
    rulesLines: lines,
    verdicts,
    maxRssAfterInputBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapHighWaterBytes: heap,
  };
}
