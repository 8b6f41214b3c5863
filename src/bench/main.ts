/**
 * `npm run bench`: the speed figures of issue 8, each printed beside a baseline measured in the
 * same run, written to `reports/bench.json`. Sections: `sim` (simulator on the seed-004 lab, the
 * lab suite's wall time, a synthetic 1,000-node cluster at 1k and 10k Services), `proxy` (proxyd
 * and HAProxy beside direct connections), `netns` (kube-proxy's rules in the kernel beside direct
 * pod access, 4-node lab up/down), `kube-proxy` (upstream kube-proxy's proxier on the same 4-node lab:
 * up with every node's first sync, one scale-up re-synced, iptables and nftables mode, beside the
 * netns backend doing the same), `nftables` (one node rendered in nftables mode at 1k and 10k
 * Services, iptables mode beside it), `nftables-walk` (nftables verdicts per CPU-second on seed-004
 * and at 1k and 10k Services, the iptables walk beside them). A missed target is recorded and printed, never an exit code.
 *
 * Exit codes: 0 done (targets met or not), 1 a section failed to measure, 2 usage, 130 interrupted.
 * Every child process and server is stopped on exit and on SIGINT/SIGTERM.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadScenarioFile } from '../dsl/load.js';
import { BackendUnavailableError } from '../errors.js';
import { renderNodeRules } from '../kubeproxy/iptables/render.js';
import { benchProxy, type ProxyBenchFigure } from './proxy.js';
import { nftablesSection } from './nftables-walk.js';
import { benchNetns } from './netns.js';
import { benchKubeProxy } from './kube-proxy.js';
import { benchImport } from './import.js';
import { nftablesRenderSection } from './nftables-render.js';
import { benchHaproxy, ensureHaproxy, runCommand, type HaproxyLoadFigure } from './haproxy.js';
import type { LoadFigure } from './load-figure.js';
import { decideColor } from '../report/console.js';
import { measureVolume } from './volume.js';
import { benchRequests, benchVerdicts, measureScale, nodePortProbe, timeSuite, type OpTiming, type ScaleResult } from './sim.js';
import {
  collectTargets,
  figure,
  formatMachine,
  formatSection,
  formatValue,
  growthRows,
  machineInfo,
  target,
  writeReport,
  type BenchReport,
  type Figure,
  type Section,
  type SectionName,
} from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root (dist/bench/main.js -> ../..). */
const root = resolve(here, '..', '..');
const cliPath = join(root, 'dist', 'cli', 'main.js');
const sectionNames: SectionName[] = ['sim', 'proxy', 'netns', 'kube-proxy', 'nftables', 'nftables-walk'];

const help = `Usage: npm run bench -- [options]   (node dist/bench/main.js [options])

Measure svclab's speed figures (issue 8), each beside a baseline from the same run, print them
and write them to reports/bench.json. Never part of npm test; about 2 minutes on 2 cores.

Options:
  --quick          short runs and a smaller synthetic cluster (a smoke test, under 2 minutes)
  --only LIST      sections to run: sim,proxy,netns,kube-proxy,nftables,nftables-walk (default: all)
  --out FILE       where the JSON goes (default: reports/bench.json)
  -h, --help       show this help

Exit codes: 0 done (a missed target is recorded, not an error), 1 a section could not measure,
            2 usage error, 130 interrupted.
`;

/** Child processes started by the bench (haproxy, apt-get, svclab run, scale children). */
const children = new Set<ChildProcess>();
const track = (child: ChildProcess): void => {
  children.add(child);
  child.once('close', () => children.delete(child));
};
function killChildren(signal: NodeJS.Signals): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
}

const log = (line: string): void => void process.stderr.write(`  ${line}\n`);

interface Settings {
  quick: boolean;
  only: SectionName[];
  out: string;
  signal: AbortSignal;
}

// ---------------------------------------------------------------- sim

const nsPerOp = (t: OpTiming): Figure['stats'] => ({ samples: t.samples, rmePercent: round2(t.rmePercent), p50: round2(t.p50Ns), p90: round2(t.p90Ns), p99: round2(t.p99Ns), statsUnit: 'ns per operation' });
const round2 = (x: number): number => Math.round(x * 100) / 100;
/**
 * Simulator figures are CPU time (user + system of the bench process): the single-core rate or
 * cost even when other work shares the machine. Wall-clock figures go in each note.
 */
const ms = (x: number): string => formatValue(x, 'ms');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The CPU-time rate, which other work on the machine does not dilute. */
const wall = (t: OpTiming, unit = 'verdicts/s'): string => `${formatValue(t.opsPerSecond, unit)}`;

/** Runs one scale measurement in a child process, so its peak memory is its own. */
function scaleInChild(params: Parameters<typeof measureScale>[0], signal: AbortSignal): Promise<ScaleResult> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(join(here, 'main.js'), ['--scale-child', JSON.stringify(params)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(child);
    let result: ScaleResult | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    const onAbort = (): void => void child.kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('message', (m) => (result = m as ScaleResult));
    child.once('error', reject);
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (result) resolvePromise(result);
      else reject(new Error(`scale child (${params.services} Services) ended ${sig ?? `with exit ${code}`} without a result${sig === 'SIGKILL' && !signal.aborted ? ' (killed after 300 s)' : ''}`));
    });
  });
}

function scaleFigures(r: ScaleResult, idTag: string, label: string, withTargets: boolean): Figure[] {
  const v = r.verdicts;
  return [
    figure({
      id: `sim.${idTag}.render`,
      title: `${label}render one node's rules (CPU time)`,
      value: median(r.renderCpuRuns),
      unit: 'ms',
      higherIsBetter: false,
      baseline: { label: 'JSON.stringify of the same ClusterState', value: r.stringifyCpuMs },
      target: withTargets ? target('<', 2000, 'rules for one node rendered in under 2 s', median(r.renderCpuRuns)) : undefined,
      note: `wall clock ${ms(r.renderMs)} (baseline ${ms(r.stringifyMs)}); ${r.rulesLines.toLocaleString('en-US')} lines, ${(r.rulesBytes / 2 ** 20).toFixed(1)} MiB of iptables-save; median of ${r.renderRuns.length}`,
    }),
    figure({
      id: `sim.${idTag}.parseCompile`,
      title: `${label}parse + compile those rules (CPU time)`,
      value: r.verdicts.buildCpuMs,
      unit: 'ms',
      higherIsBetter: false,
      baseline: { label: 'same network, empty rulesets', value: r.verdicts.emptyBuildCpuMs },
      note: `wall clock ${ms(r.verdicts.buildMs)} (baseline ${ms(r.verdicts.emptyBuildMs)}); building the SimNetwork: that node with the rendered rules, every other node empty`,
    }),
    figure({
      id: `sim.${idTag}.verdicts`,
      title: `${label}NodePort verdicts per CPU-second`,
      value: v.rules.opsPerCpuSecond,
      unit: 'verdicts/s',
      higherIsBetter: true,
      baseline: { label: 'empty-ruleset walk, same host', value: v.empty.opsPerCpuSecond },
      target: withTargets ? target('>=', 200_000, 'at least 200,000 verdicts/s', v.rules.opsPerCpuSecond) : undefined,
      stats: nsPerOp(v.rules),
      note: `wall clock ${wall(v.rules)} (baseline ${wall(v.empty)}); first packet DNATed to ${v.sample.to}`,
    }),
    figure({
      id: `sim.${idTag}.peakRss`,
      title: `${label}peak memory (max RSS)`,
      value: r.maxRssBytes,
      unit: 'bytes',
      higherIsBetter: false,
      baseline: { label: 'max RSS with only the input built', value: r.maxRssAfterInputBytes },
      target: withTargets ? target('<', 2 ** 30, 'peak memory under 1 GiB', r.maxRssBytes) : undefined,
      note: `heap high-water ${(r.heapHighWaterBytes / 2 ** 20).toFixed(0)} MiB`,
    }),
  ];
}

async function simSection(s: Settings, section: Section): Promise<void> {
  const timeMs = s.quick ? 300 : 3000;
  // 1. seed-004 lab.
  log('sim: seed-004 NodePort verdicts');
  const scenario = await loadScenarioFile(join(root, 'scenarios', 'labs', '004-kans-nodeport.yaml'));
  const state = scenario.initial;
  const probe = nodePortProbe(state);
  const rules = renderNodeRules(state, probe.node);
  const verdicts = await benchVerdicts(state, rules, probe, { timeMs, signal: s.signal });
  section.figures.push(
    figure({
      id: 'sim.seed004.verdicts',
      title: 'seed-004 NodePort verdicts per CPU-second',
      value: verdicts.rules.opsPerCpuSecond,
      unit: 'verdicts/s',
      higherIsBetter: true,
      baseline: { label: 'empty-ruleset walk, same host', value: verdicts.empty.opsPerCpuSecond },
      target: target('>=', 1_000_000, 'at least 1,000,000 verdicts/s on one core', verdicts.rules.opsPerCpuSecond),
      stats: nsPerOp(verdicts.rules),
      note: `wall clock ${wall(verdicts.rules)} (baseline ${wall(verdicts.empty)}); ${probe.client} -> ${probe.node} ${probe.nodeAddress}:${probe.nodePorts[0]}, DNAT to ${verdicts.sample.to}`,
    }),
  );
  log('sim: seed-004 whole NodePort requests');
  const [podAddress, podPort] = verdicts.sample.to.split(':');
  const requests = await benchRequests(state, probe, { address: podAddress, port: Number(podPort) }, { timeMs, signal: s.signal });
  section.figures.push(
    figure({
      id: 'sim.seed004.requests',
      title: 'seed-004 NodePort requests per CPU-second',
      value: requests.rules.opsPerCpuSecond,
      unit: 'requests/s',
      higherIsBetter: true,
      baseline: { label: `client straight to pod ${requests.directTo} via the node`, value: requests.direct.opsPerCpuSecond },
      stats: nsPerOp(requests.rules),
      note: `wall clock ${wall(requests.rules, 'requests/s')} (baseline ${wall(requests.direct, 'requests/s')}); outcome ${requests.outcome} (direct: ${requests.directOutcome}); forward walk, pod, reply through conntrack`,
    }),
  );
  section.raw = { seed004: { probe, verdicts, requests } };

  // 2. lab suite wall time.
  const suitePath = s.quick ? 'scenarios/labs' : 'scenarios';
  log(`sim: wall time of svclab run ${suitePath} --backend sim`);
  const suite = await timeSuite(cliPath, suitePath, root, s.quick ? 1 : 3, track);
  const t = suite.totals;
  section.figures.push(
    figure({
      id: 'sim.suite.wall',
      title: `svclab run ${suitePath} (sim) wall time`,
      value: suite.runMs,
      unit: 'ms',
      higherIsBetter: false,
      baseline: { label: 'svclab validate, same files', value: suite.validateMs },
      note: `median of ${suite.runsMs.length}; ${suite.scenarios ?? '?'} scenarios${t ? `: ${t.passed} passed, ${t.failed} failed, ${t.errors} errors, ${t.skipped} skipped` : ''}; exit ${suite.runExit}`,
    }),
  );
  section.raw = { ...section.raw, suite };
  if (s.signal.aborted) return;

  // 2b. one step of 100,000 requests (child process), and validate start-up beside a bare node.
  log('sim: one step of 100,000 requests; svclab validate start-up beside node -e ""');
  const volume = await measureVolume(root, s.quick ? 3 : 7);
  const MiB256 = 256;
  section.figures.push(
    figure({
      id: 'sim.step100k.peakRss',
      title: 'peak RSS of a process sending one step of 100,000 requests (sim)',
      value: volume.big.peakRssMiB,
      unit: 'MiB',
      higherIsBetter: false,
      baseline: { label: 'the same step with 100 requests', value: volume.small.peakRssMiB },
      target: { op: '<', value: MiB256, text: 'under 256 MiB', met: volume.big.peakRssMiB < MiB256 },
    }),
    figure({
      id: 'sim.step100k.wall',
      title: 'wall time of one step of 100,000 requests (sim)',
      value: volume.big.ms,
      unit: 'ms',
      higherIsBetter: false,
      baseline: { label: 'the 100-request step x 1000', value: volume.small.ms * 1000 },
    }),
    figure({
      id: 'cli.validate.startup',
      title: 'svclab validate FILE, process start to exit',
      value: volume.startup.validateMs,
      unit: 'ms',
      higherIsBetter: false,
      baseline: { label: "node -e '' (bare start, interleaved)", value: volume.startup.bareNodeMs },
      target: { op: '<', value: 150, text: 'under 150 ms and at most 3x a bare node start', met: volume.startup.validateMs < 150 && volume.startup.validateMs <= 3 * volume.startup.bareNodeMs },
      note: `median of ${volume.startup.runs} interleaved runs`,
    }),
  );
  section.raw = { ...section.raw, volume };
  if (s.signal.aborted) return;

  // 3. svclab import of a 5,000-object kubectl List.
  log('sim: svclab import of a 5,000-object kubectl List');
  const imp = benchImport(5000, s.quick ? 1 : 3);
  section.figures.push(
    figure({
      id: 'sim.import.5k',
      title: 'svclab import of a 5,000-object kubectl List (YAML)',
      value: imp.importMs,
      unit: 'ms',
      higherIsBetter: false,
      baseline: { label: 'yaml library parse of the same text', value: imp.parseMs },
      target: target('<', 5000, 'under 5 s', imp.importMs),
      note: `median of ${imp.runs}; ${imp.objects} objects, ${(imp.inputBytes / 1e6).toFixed(1)} MB in, ${(imp.outputBytes / 1e6).toFixed(1)} MB scenario out`,
    }),
  );
  section.raw = { ...section.raw, import: imp };
  if (s.signal.aborted) return;

  // 4. scale: small and large synthetic cluster, each in its own process.
  const nodes = s.quick ? 100 : 1000;
  const sizes = s.quick ? [100, 1000] : [1000, 10_000];
  const results: ScaleResult[] = [];
  for (const services of sizes) {
    log(`sim: synthetic cluster ${nodes} nodes, ${services} Services, ${services * 10} endpoints (child process)`);
    results.push(await scaleInChild({ nodes, services, endpointsPerService: 10, renderRuns: s.quick ? 1 : 3, timeMs }, s.signal));
  }
  const [small, large] = results;
  const tag = (r: ScaleResult): string => `${r.services >= 1000 ? `${r.services / 1000}k` : r.services} Services: `;
  const issueSize = large.nodes === 1000 && large.services === 10_000 && large.endpoints === 100_000;
  section.figures.push(...scaleFigures(large, 'scale.large', tag(large), issueSize), ...scaleFigures(small, 'scale.small', tag(small), false));
  section.growth = growthRows(scaleFigures(small, 'scale', '', false), scaleFigures(large, 'scale', '', false), `Services (${small.services.toLocaleString('en-US')} -> ${large.services.toLocaleString('en-US')})`, large.services / small.services);
  section.raw = { ...section.raw, scale: results };
}

// ---------------------------------------------------------------- proxy

function loadFigures(name: string, label: string, via: LoadFigure, direct: LoadFigure, rpsTarget: boolean, latencyTarget: boolean): Figure[] {
  const c = via.concurrency;
  const stats = (f: LoadFigure): Figure['stats'] => ({ samples: f.requests - f.errors, p50: f.p50Ms, p90: f.p90Ms, p99: f.p99Ms, statsUnit: 'ms per request' });
  const errors = via.errors || direct.errors ? `errors: ${via.errors} via ${name}, ${direct.errors} direct` : undefined;
  const added = via.p99Ms - direct.p99Ms;
  return [
    figure({
      id: `proxy.${name}.c${c}.rps`,
      title: `${label} c=${c} requests/s`,
      value: via.requestsPerSecond,
      unit: 'requests/s',
      higherIsBetter: true,
      baseline: { label: 'direct to the echo pod', value: direct.requestsPerSecond },
      target: rpsTarget ? target('>=', direct.requestsPerSecond / 2, 'at least half the direct throughput at 64 connections', via.requestsPerSecond) : undefined,
      stats: stats(via),
      note: errors,
    }),
    figure({ id: `proxy.${name}.c${c}.p50`, title: `${label} c=${c} p50 latency`, value: via.p50Ms, unit: 'ms', higherIsBetter: false, baseline: { label: 'direct p50', value: direct.p50Ms } }),
    figure({ id: `proxy.${name}.c${c}.p99`, title: `${label} c=${c} p99 latency`, value: via.p99Ms, unit: 'ms', higherIsBetter: false, baseline: { label: 'direct p99', value: direct.p99Ms } }),
    figure({
      id: `proxy.${name}.c${c}.p99Added`,
      title: `${label} c=${c} p99 added latency`,
      value: round2(added * 1000) / 1000,
      unit: 'ms',
      higherIsBetter: false,
      target: latencyTarget ? target('<', 1, 'p99 added latency under 1 ms', added) : undefined,
      note: `${name} p99 minus direct p99, same run`,
    }),
  ];
}

function pairs<T extends { concurrency: number; path: string }>(figs: T[], via: string): { via: T; direct: T }[] {
  const out: { via: T; direct: T }[] = [];
  for (const f of figs) {
    if (f.path !== via) continue;
    const d = figs.find((x) => x.path === 'direct' && x.concurrency === f.concurrency);
    if (d) out.push({ via: f, direct: d });
  }
  return out;
}

async function proxySection(s: Settings, section: Section): Promise<void> {
  const concurrencies = [1, 64, 1000];
  const requests = s.quick ? 400 : 4000;
  const warmup = s.quick ? 50 : 200;
  log('proxy: proxyd vs direct');
  const proxy = await benchProxy({ concurrencies, requests, warmup, signal: s.signal, log });
  const proxyPairs = pairs<ProxyBenchFigure>(proxy.figures, 'proxyd');
  for (const { via, direct } of proxyPairs) section.figures.push(...loadFigures('proxyd', 'proxyd', via, direct, via.concurrency === 64, true));
  section.raw = { proxyd: proxy };
  if (s.signal.aborted) return;

  let version: string;
  try {
    version = await ensureHaproxy(track, log);
  } catch (err) {
    section.skippedParts = [{ part: 'HAProxy', reason: (err as Error).message }];
    return;
  }
  log(`proxy: ${version} vs direct`);
  const ha = await benchHaproxy(version, { concurrencies, requests, warmup, signal: s.signal, track, log });
  const haPairs = pairs<HaproxyLoadFigure>(ha.figures, 'haproxy');
  for (const { via, direct } of haPairs) section.figures.push(...loadFigures('haproxy', 'HAProxy', via, direct, false, false));
  for (const c of concurrencies) {
    const p = proxyPairs.find((x) => x.via.concurrency === c);
    const h = haPairs.find((x) => x.via.concurrency === c);
    if (!p || !h) continue;
    section.figures.push(
      figure({
        id: `proxy.proxydVsHaproxy.c${c}.rps`,
        title: `proxyd vs HAProxy c=${c} requests/s`,
        value: p.via.requestsPerSecond,
        unit: 'requests/s',
        higherIsBetter: true,
        baseline: { label: 'HAProxy, same forwarding', value: h.via.requestsPerSecond },
        note: 'each measured beside its own direct run; see the rows above',
      }),
    );
  }
  section.raw = { ...section.raw, haproxy: { ...ha, config: 'mode tcp, nbthread 1, one server' } };
}

// ---------------------------------------------------------------- netns

/** Median ms to create and destroy one bare network namespace (`unshare --net true`). */
async function bareNamespaceMs(runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await runCommand('unshare', ['--net', '--', 'true'], { timeoutMs: 10_000, track });
    if (r.code !== 0) throw new Error(`unshare --net true failed: ${r.error ?? r.out.trim()}`);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

async function netnsSection(s: Settings, section: Section): Promise<void> {
  log('netns: kube-proxy rules in namespaces');
  const result = await benchNetns({ concurrencies: s.quick ? [1, 16] : [1, 16, 64], requests: s.quick ? 200 : 4000, warmup: s.quick ? 20 : 200, labCycles: s.quick ? 1 : 5, log });
  for (const { via, direct } of pairs(result.figures, 'kernel-nat')) {
    const c = via.concurrency;
    section.figures.push(
      figure({
        id: `netns.c${c}.rps`,
        title: `kube-proxy rules (NodePort) c=${c} requests/s`,
        value: via.requestsPerSecond,
        unit: 'requests/s',
        higherIsBetter: true,
        baseline: { label: 'direct to the pod, same node path', value: direct.requestsPerSecond },
        stats: { samples: via.requests - via.errors, p50: via.p50Ms, p90: via.p90Ms, p99: via.p99Ms, statsUnit: 'ms per request' },
        note: via.errors || direct.errors ? `errors: ${via.errors} via rules, ${direct.errors} direct` : undefined,
      }),
      figure({ id: `netns.c${c}.p99`, title: `kube-proxy rules (NodePort) c=${c} p99 latency`, value: via.p99Ms, unit: 'ms', higherIsBetter: false, baseline: { label: 'direct p99', value: direct.p99Ms } }),
    );
  }
  const bare = await bareNamespaceMs(5);
  const up = median(result.lab.upMs);
  const down = median(result.lab.downMs);
  const base = { label: 'one bare netns created+destroyed (unshare --net true)', value: bare };
  section.figures.push(
    figure({ id: 'netns.lab.up', title: '4-node lab up', value: up, unit: 'ms', higherIsBetter: false, baseline: base, note: `median of ${result.lab.upMs.length}: ${result.lab.upMs.join(', ')} ms` }),
    figure({ id: 'netns.lab.down', title: '4-node lab down', value: down, unit: 'ms', higherIsBetter: false, baseline: base, note: `median of ${result.lab.downMs.length}: ${result.lab.downMs.join(', ')} ms` }),
    figure({ id: 'netns.lab.upDown', title: '4-node lab up + down', value: up + down, unit: 'ms', higherIsBetter: false, baseline: base }),
  );
  section.raw = { netns: result, bareNamespaceMs: bare };
}

// ---------------------------------------------------------------- kube-proxy

async function kubeProxySection(s: Settings, section: Section): Promise<void> {
  log('kube-proxy: upstream proxier on the 4-node lab beside the netns backend');
  const result = await benchKubeProxy({ cycles: s.quick ? 1 : 5, signal: s.signal, log });
  for (const r of result.modes) {
    const k = r.kubeProxy;
    const n = r.netns;
    const runs = (xs: number[]): string => `median of ${xs.length}: ${xs.join(', ')} ms`;
    section.figures.push(
      figure({
        id: `kubeProxy.${r.mode}.lab.up`,
        title: `kube-proxy ${r.mode}: 4-node lab up, first syncs done`,
        value: median(k.upMs),
        unit: 'ms',
        higherIsBetter: false,
        baseline: { label: `netns backend lab up, ${r.mode} rules`, value: median(n.upMs) },
        target: target('<', 5000, 'under 5 s', median(k.upMs)),
        note: `${runs(k.upMs)} (netns ${runs(n.upMs)})`,
      }),
      figure({
        id: `kubeProxy.${r.mode}.apply`,
        title: `kube-proxy ${r.mode}: scale 3->4 pods, all re-synced`,
        value: median(k.applyMs),
        unit: 'ms',
        higherIsBetter: false,
        baseline: { label: `netns backend, same step`, value: median(n.applyMs) },
        target: target('<', 1000, 'under 1 s', median(k.applyMs)),
        note: `${runs(k.applyMs)} (netns ${runs(n.applyMs)}); new pod namespace + endpoint, checked in every node's rules afterwards`,
      }),
      figure({
        id: `kubeProxy.${r.mode}.lab.down`,
        title: `kube-proxy ${r.mode}: 4-node lab down`,
        value: median(k.downMs),
        unit: 'ms',
        higherIsBetter: false,
        baseline: { label: 'netns backend lab down', value: median(n.downMs) },
      }),
    );
  }
  if (result.skipped.length) section.skippedParts = result.skipped.map((x) => ({ part: `${x.mode} mode`, reason: x.reason }));
  section.raw = { kubeProxy: result };
}

// ---------------------------------------------------------------- main

const titles: Record<SectionName, string> = {
  sim: 'simulator (seed-004 lab, lab suite, synthetic cluster)',
  proxy: 'proxy daemon (proxyd, HAProxy, direct)',
  netns: 'kernel backend (kube-proxy rules in network namespaces)',
  'kube-proxy': "upstream kube-proxy on the netns lab (netns backend's same lab beside it)",
  nftables: 'nftables mode (rendering one node, iptables mode beside it)',
  'nftables-walk': 'nftables walker (verdicts on seed-004, 1,000 and 10,000 Services; iptables walk beside)',
};
/** Longest each section may take (halved with --quick); together under the issue's 10 minutes. */
const sectionLimitMs: Record<SectionName, number> = { sim: 240_000, proxy: 210_000, netns: 120_000, 'kube-proxy': 120_000, nftables: 120_000, 'nftables-walk': 120_000 };
const runners: Record<SectionName, (s: Settings, section: Section) => Promise<void>> = {
  sim: simSection,
  proxy: proxySection,
  netns: netnsSection,
  'kube-proxy': kubeProxySection,
  nftables: (s, section) => nftablesRenderSection({ quick: s.quick, signal: s.signal, track, log }, section),
  'nftables-walk': (s, section) => nftablesSection(s, section, join(root, 'scenarios', 'labs', '004-kans-nodeport.yaml'), log, track),
};

function parseSettings(argv: string[], signal: AbortSignal): Settings | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean' }, only: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const only = values.only === undefined ? sectionNames : values.only.split(',').map((x) => x.trim());
  for (const name of only) {
    if (!sectionNames.includes(name as SectionName)) throw new Error(`--only: unknown section '${name}' (expected a comma list of ${sectionNames.join(', ')})`);
  }
  return { quick: values.quick ?? false, only: sectionNames.filter((n) => only.includes(n)), out: resolve(values.out ?? 'reports/bench.json'), signal };
}

async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let settings: Settings | 'help';
  try {
    settings = parseSettings(argv, controller.signal);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${help}`);
    return 2;
  }
  if (settings === 'help') {
    process.stdout.write(help);
    return 0;
  }
  const s = settings;
  const startedAt = new Date();
  const t0 = performance.now();
  const report: BenchReport = {
    schema: 'svclab-bench/1',
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    durationMs: 0,
    quick: s.quick,
    only: s.only,
    interrupted: false,
    machine: machineInfo(),
    loadAverageAtEnd: [],
    sections: [],
    targets: [],
  };
  const save = async (): Promise<void> => {
    report.finishedAt = new Date().toISOString();
    report.durationMs = Math.round(performance.now() - t0);
    report.targets = collectTargets(report.sections);
    report.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
    await writeReport(s.out, report);
  };
  const color = decideColor(undefined, process.env, process.stdout.isTTY);

  let interrupts = 0;
  let current: Section | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    report.interrupted = true;
    controller.abort(new Error(`interrupted by ${sig}`));
    killChildren('SIGTERM');
    process.stderr.write(`bench: ${sig}, stopping (again to quit at once)\n`);
    // Sections clean up in their finally blocks; give them a moment, then go regardless.
    const force = (): void => {
      killChildren('SIGKILL');
      if (current) current.status = 'interrupted';
      void save().finally(() => process.exit(130));
    };
    if (interrupts > 1) force();
    else setTimeout(force, 15_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => killChildren('SIGKILL'));

  process.stdout.write(`svclab bench${s.quick ? ' --quick' : ''}: ${s.only.join(', ')}\n${formatMachine(report.machine)}\n`);
  let failed = false;
  for (const name of s.only) {
    if (controller.signal.aborted) break;
    const section: Section = { name, title: titles[name], status: 'ok', durationMs: 0, figures: [] };
    current = section;
    report.sections.push(section);
    const started = performance.now();
    const limitMs = sectionLimitMs[name] * (s.quick ? 0.5 : 1);
    const local = new AbortController();
    // Every tinybench run of a section listens on this signal (about a dozen in nftables-walk).
    setMaxListeners(64, local.signal);
    const stop = (): void => local.abort(controller.signal.reason);
    controller.signal.addEventListener('abort', stop, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((done) => {
      timer = setTimeout(() => {
        local.abort(new Error(`did not finish within ${limitMs / 1000} s`));
        // Work that ignores the signal is left behind (it is killed at exit); the bench moves on.
        setTimeout(() => done('timeout'), 10_000);
      }, limitMs);
    });
    try {
      const outcome = await Promise.race([runners[name]({ ...s, signal: local.signal }, section).then(() => 'done' as const), timedOut]);
      if (controller.signal.aborted) section.status = 'interrupted';
      else if (outcome === 'timeout' || local.signal.aborted) throw local.signal.reason;
    } catch (err) {
      if (controller.signal.aborted) section.status = 'interrupted';
      else if (err instanceof BackendUnavailableError) {
        section.status = 'skipped';
        section.reason = err.message;
      } else {
        section.status = 'error';
        section.reason = local.signal.aborted ? `${(local.signal.reason as Error).message} (partial figures kept)` : (err as Error).message;
        failed = true;
      }
    } finally {
      clearTimeout(timer);
      controller.signal.removeEventListener('abort', stop);
    }
    section.durationMs = Math.round(performance.now() - started);
    current = undefined;
    process.stdout.write('\n' + formatSection(section, color).join('\n') + '\n');
    await save();
  }
  await save();
  const targets = report.targets;
  const missed = targets.filter((t) => !t.met);
  process.stdout.write(`\ntargets: ${targets.length - missed.length} of ${targets.length} met${missed.length ? `; missed: ${missed.map((m) => m.id).join(', ')}` : ''}\n`);
  process.stdout.write(`wrote ${s.out} in ${(report.durationMs / 1000).toFixed(1)} s\n`);
  if (report.interrupted) return 130;
  return failed ? 1 : 0;
}

async function child(params: string): Promise<void> {
  const result = await measureScale(JSON.parse(params) as Parameters<typeof measureScale>[0]);
  await new Promise<void>((done) => process.send!(result, () => done()));
}

const argv = process.argv.slice(2);
if (argv[0] === '--scale-child' && argv[1] !== undefined && process.send) {
  child(argv[1]).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`scale child: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
} else {
  main(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      killChildren('SIGKILL');
      process.stderr.write(`bench: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
