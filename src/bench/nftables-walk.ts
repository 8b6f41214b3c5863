/**
 * nftables walker benchmarks (bench section `nftables-walk`). A verdict is one NodePort SYN taken
 * through one node (`NetfilterHost.process`: every base chain at prerouting, forward and
 * postrouting, the service-ips / service-nodeports verdict maps, DNAT, masquerade) with kube-proxy's
 * nftables-mode ruleset, rendered by src/kubeproxy/nftables and read back from its
 * `nft list ruleset` text. Every figure has the iptables walk of the same packets, on the same
 * cluster, measured in the same run as its baseline. (Rendering time and its memory at scale are the
 * `nftables` section's, src/bench/nftables-render.ts.) At scale (1,000 and 10,000 Services) only
 * the measured node carries rules (the others are empty), so the figures are that node's. Peak
 * memory at the large size is measured in child processes of its own (one nftables walk, one
 * iptables walk as the baseline), not as the bench process's high-water mark, which earlier
 * sections raise.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../dsl/load.js';
import type { ClusterState, ProxyMode } from '../model/types.js';
import { SimNetwork } from '../backends/sim/network.js';
import { simMode } from '../backends/sim/modes.js';
import { stateWithMode } from '../model/proxy-mode.js';
import type { WalkOptions } from '../evaluators/host.js';
import { CT } from '../evaluators/iptables/packet.js';
import { parseIPv4 } from '../evaluators/iptables/ip.js';
import { Rng } from '../evaluators/iptables/rng.js';
import { figure, target, type Section } from './report.js';
import { EMPTY_RULES, cpuMsSince, nodePortProbe, synPackets, timeOps, type NodePortProbe, type OpTiming } from './sim.js';
import { syntheticCluster } from './synthetic.js';


interface WalkFigure {
  timing: OpTiming;
  /** CPU ms to render the measured node's rules. */
  renderCpuMs: number;
  /** CPU ms to parse and compile them (building the network). */
  buildCpuMs: number;
  dnatTo: string;
}


async function walk(stateIn: ClusterState, mode: ProxyMode, probe: NodePortProbe, timeMs: number, signal: AbortSignal): Promise<WalkFigure> {
  const state = stateWithMode(stateIn, mode);
  const m = simMode(mode);
  if ('unsupported' in m) throw new Error(m.unsupported);
  const r0 = process.cpuUsage();
  const text = m.render(state, probe.node);
  const renderCpuMs = cpuMsSince(r0);
  const b0 = process.cpuUsage();
  const empty = mode === 'iptables' ? EMPTY_RULES : '';
  const net = new SimNetwork(state, (_s, n) => (n === probe.node ? text : empty), { walker: m.walker });
  const buildCpuMs = cpuMsSince(b0);
  const host = net.host(probe.node)!;
  const ring = synPackets(probe, 4096);
  const mask = ring.length - 1;
  const rng = new Rng(1);
  const opts: WalkOptions = { chance: (p) => rng.next() < p, now: 1, mutate: false };
  const first = host.process(ring[0]!, 'eth0', opts);
  if (first.kind !== 'out' || (first.packet.ctstate & CT.DNAT) === 0) {
    throw new Error(`${mode}: the bench packet to ${probe.nodeAddress}:${ring[0]!.dport} was not DNATed (${first.kind}); the rules do not serve the NodePort`);
  }
  let i = 0;
  const timing = await timeOps(`${mode} verdicts`, () => void host.process(ring[i++ & mask]!, 'eth0', opts), { batch: 1000, timeMs, signal });
  const d = first.packet.dst;
  return { timing, renderCpuMs, buildCpuMs, dnatTo: `${d >>> 24}.${(d >>> 16) & 255}.${(d >>> 8) & 255}.${d & 255}:${first.packet.dport}` };
}

/** One walk at scale, measured in a child process (plain data: it crosses a process boundary). */
interface ScaleWalk {
  walk: WalkFigure;
  /** Max RSS of the child once the synthetic cluster exists, and at the end. */
  maxRssAfterInputBytes: number;
  maxRssBytes: number;
}

interface ScaleParams {
  services: number;
  mode: ProxyMode;
  timeMs: number;
}

async function measureScaleWalk(p: ScaleParams): Promise<ScaleWalk> {
  const state = syntheticCluster({ nodes: Math.max(4, Math.ceil((p.services * 10) / 250)), services: p.services });
  const probe = nodePortProbe(state, 64);
  const maxRssAfterInputBytes = process.resourceUsage().maxRSS * 1024;
  const result = await walk(state, p.mode, probe, p.timeMs, new AbortController().signal);
  return { walk: result, maxRssAfterInputBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

const thisFile = fileURLToPath(import.meta.url);

/** measureScaleWalk in a child process (this module's built file), killed after 120 s or on abort. */
function scaleWalkInChild(params: ScaleParams, signal: AbortSignal, track?: (c: ChildProcess) => void): Promise<ScaleWalk> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(thisFile, ['--walk-child', JSON.stringify(params)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track?.(child);
    let result: ScaleWalk | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const onAbort = (): void => void child.kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('message', (m) => (result = m as ScaleWalk));
    child.once('error', reject);
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (result) resolvePromise(result);
      else reject(new Error(`walk child (${params.mode}, ${params.services} Services) ended ${sig ?? `with exit ${code}`} without a result`));
    });
  });
}

const rate = (x: number): string => `${Math.round(x).toLocaleString('en-US')}/s`;

export async function nftablesSection(
  s: { quick: boolean; signal: AbortSignal },
  section: Section,
  scenarioPath: string,
  log: (m: string) => void,
  track?: (c: ChildProcess) => void,
): Promise<void> {
  const timeMs = s.quick ? 300 : 2000;
  log('nftables: seed-004 NodePort verdicts, nftables and iptables walks');
  const lab = (await loadScenarioFile(scenarioPath)).initial;
  const probe = nodePortProbe(lab);
  const nft = await walk(lab, 'nftables', probe, timeMs, s.signal);
  const ipt = await walk(lab, 'iptables', probe, timeMs, s.signal);
  section.figures.push(
    figure({
      id: 'nftwalk.seed004.verdicts',
      title: 'seed-004 NodePort verdicts per CPU-second, nftables walk',
      value: nft.timing.opsPerCpuSecond,
      unit: 'verdicts/s',
      higherIsBetter: true,
      baseline: { label: 'iptables walk of the same packets, same lab', value: ipt.timing.opsPerCpuSecond },
      target: target('>=', 1_000_000, 'at least 1,000,000 nftables verdicts/s on one core', nft.timing.opsPerCpuSecond),
      stats: { samples: nft.timing.samples, rmePercent: nft.timing.rmePercent, p50: nft.timing.p50Ns, p90: nft.timing.p90Ns, p99: nft.timing.p99Ns, statsUnit: 'ns per operation' },
      note: `wall clock ${rate(nft.timing.opsPerSecond)} (iptables ${rate(ipt.timing.opsPerSecond)}); ${probe.client} -> ${probe.node} ${probe.nodeAddress}:${probe.nodePorts[0]}, DNAT to ${nft.dnatTo}`,
    }),
  );

  const sizes = s.quick ? [100, 1000] : [1000, 10000];
  const at: Record<number, { nft: WalkFigure; ipt: WalkFigure }> = {};
  for (const services of sizes) {
    log(`nftables: synthetic cluster, ${services} Services (only the measured node carries rules)`);
    const state = syntheticCluster({ nodes: Math.max(4, Math.ceil((services * 10) / 250)), services });
    const p = nodePortProbe(state, 64);
    at[services] = { nft: await walk(state, 'nftables', p, timeMs, s.signal), ipt: await walk(state, 'iptables', p, timeMs, s.signal) };
  }
  const [small, large] = sizes as [number, number];
  const a = at[small]!;
  const b = at[large]!;
  for (const n of sizes) {
    const f = at[n]!;
    section.figures.push(
      figure({
        id: `nftwalk.services${n}.verdicts`,
        title: `${n.toLocaleString('en-US')} Services: NodePort verdicts per CPU-second, nftables walk`,
        value: f.nft.timing.opsPerCpuSecond,
        unit: 'verdicts/s',
        higherIsBetter: true,
        baseline: { label: 'iptables walk, same cluster and packets', value: f.ipt.timing.opsPerCpuSecond },
        note: `render ${f.nft.renderCpuMs.toFixed(0)} ms CPU (iptables ${f.ipt.renderCpuMs.toFixed(0)} ms), parse + compile ${f.nft.buildCpuMs.toFixed(0)} ms CPU (iptables ${f.ipt.buildCpuMs.toFixed(0)} ms)`,
      }),
    );
  }
  const nftRatio = b.nft.timing.opsPerCpuSecond / a.nft.timing.opsPerCpuSecond;
  const iptRatio = b.ipt.timing.opsPerCpuSecond / a.ipt.timing.opsPerCpuSecond;
  section.figures.push(
    figure({
      id: 'nftwalk.scale.verdictRatio',
      title: `nftables verdicts/s at ${large.toLocaleString('en-US')} over ${small.toLocaleString('en-US')} Services`,
      value: nftRatio,
      unit: 'x',
      higherIsBetter: true,
      baseline: { label: 'the same ratio for the iptables walk', value: iptRatio },
      target: s.quick ? undefined : target('>=', 0.8, 'at least 0.8x: verdict maps make the lookup independent of the Service count', nftRatio),
      note: `nftables ${rate(a.nft.timing.opsPerCpuSecond)} -> ${rate(b.nft.timing.opsPerCpuSecond)}; iptables ${rate(a.ipt.timing.opsPerCpuSecond)} -> ${rate(b.ipt.timing.opsPerCpuSecond)} (CPU time); rendering is timed by the nftables section`,
    }),
  );
  log(`nftables: peak memory at ${large} Services (two child processes: nftables, iptables)`);
  const memTimeMs = Math.min(timeMs, 500);
  const big = {
    nft: await scaleWalkInChild({ services: large, mode: 'nftables', timeMs: memTimeMs }, s.signal, track),
    ipt: await scaleWalkInChild({ services: large, mode: 'iptables', timeMs: memTimeMs }, s.signal, track),
  };
  const peak = big.nft.maxRssBytes;
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  section.figures.push(
    figure({
      id: 'nftwalk.scale.peakRss',
      title: `${large.toLocaleString('en-US')} Services: peak memory of the nftables walk (max RSS)`,
      value: peak,
      unit: 'bytes',
      higherIsBetter: false,
      baseline: { label: 'iptables walk, same cluster, own process', value: big.ipt.maxRssBytes },
      target: s.quick ? undefined : target('<', 2 ** 30, 'peak memory under 1 GiB', peak),
      note: `a child process of its own: synthetic cluster, render, parse, ${memTimeMs} ms of walking; ${mib(big.nft.maxRssAfterInputBytes)} with only the cluster built (iptables child ${mib(big.ipt.maxRssAfterInputBytes)})`,
    }),
  );
  section.raw = { seed004: { nftables: nft, iptables: ipt }, scale: at, peakMemory: big };
}

// Child entry: `node dist/bench/nftables-walk.js --walk-child '<params json>'` (forked above).
if (process.argv[1] === thisFile && process.argv[2] === '--walk-child' && process.send) {
  process.once('disconnect', () => process.exit(1));
  measureScaleWalk(JSON.parse(process.argv[3] ?? '') as ScaleParams).then(
    (result) => process.send!(result, () => process.exit(0)),
    (err: unknown) => {
      process.stderr.write(`walk child: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
