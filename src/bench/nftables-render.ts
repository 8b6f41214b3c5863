/**
 * Bench section `nftables`: rendering one node's kube-proxy rules in nftables mode at 1,000 and
 * 10,000 Services (issue 12: under 2 s and under 1 GiB at 10k), with iptables mode measured beside
 * it on the same synthetic cluster (src/bench/synthetic.ts) as the baseline. Each (mode, size)
 * runs in its own child process so its peak memory (max RSS) is its own.
 *
 * "Render" is what a caller needs to get the text kube-proxy writes: for nftables the transaction
 * (renderNftNode + formatTransaction), for iptables the iptables-restore text. The `nft list`
 * form is timed too and reported in the note.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { renderNodeRules } from '../kubeproxy/iptables/render.js';
import { formatNftList, formatTransaction, renderNftNode } from '../kubeproxy/nftables/index.js';
import { figure, formatValue, growthRows, target, type Figure, type Section } from './report.js';
import { syntheticCluster } from './synthetic.js';

export type RenderMode = 'iptables' | 'nftables';

export interface RenderParams {
  mode: RenderMode;
  nodes: number;
  services: number;
  endpointsPerService: number;
  renderRuns: number;
}

/** One child's measurement (plain data: it crosses a process boundary). */
export interface RenderMeasure {
  params: RenderParams;
  endpoints: number;
  /** CPU time (user + system) and wall time of each render, ms. */
  renderCpuRuns: number[];
  renderWallRuns: number[];
  /** nftables only: CPU time of formatting the `nft list` text once, ms. */
  listCpuMs?: number;
  textBytes: number;
  textLines: number;
  maxRssAfterInputBytes: number;
  maxRssBytes: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};
const countLines = (text: string): number => {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

/** Renders one node `renderRuns` times in this process. */
export function measureRender(params: RenderParams): RenderMeasure {
  const state = syntheticCluster(params);
  state.cluster.kubeProxy = { ...state.cluster.kubeProxy, mode: params.mode };
  const maxRssAfterInputBytes = process.resourceUsage().maxRSS * 1024;
  const node = state.cluster.nodes[0].name;
  const renderCpuRuns: number[] = [];
  const renderWallRuns: number[] = [];
  let text = '';
  let listCpuMs: number | undefined;
  for (let i = 0; i < params.renderRuns; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    if (params.mode === 'nftables') {
      const rendered = renderNftNode(state, node);
      text = formatTransaction(rendered.operations);
      renderCpuRuns.push(cpuMsSince(c));
      renderWallRuns.push(performance.now() - t);
      if (i === params.renderRuns - 1) {
        const l = process.cpuUsage();
        formatNftList(rendered.ruleset);
        listCpuMs = cpuMsSince(l);
      }
    } else {
      text = renderNodeRules(state, node);
      renderCpuRuns.push(cpuMsSince(c));
      renderWallRuns.push(performance.now() - t);
    }
  }
  return {
    params,
    endpoints: state.endpointSlices.reduce((n, s) => n + s.endpoints.length, 0),
    renderCpuRuns,
    renderWallRuns,
    listCpuMs,
    textBytes: Buffer.byteLength(text),
    textLines: countLines(text),
    maxRssAfterInputBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

const thisFile = fileURLToPath(import.meta.url);

/** measureRender in a child process (this module's built file), killed after 120 s or on abort. */
function renderInChild(params: RenderParams, signal: AbortSignal, track: (c: ChildProcess) => void): Promise<RenderMeasure> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(thisFile, ['--render-child', JSON.stringify(params)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(child);
    let result: RenderMeasure | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const onAbort = (): void => void child.kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('message', (m) => (result = m as RenderMeasure));
    child.once('error', reject);
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (result) resolvePromise(result);
      else reject(new Error(`render child (${params.mode}, ${params.services} Services) ended ${sig ?? `with exit ${code}`} without a result`));
    });
  });
}

const ms = (x: number): string => formatValue(x, 'ms');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function sizeFigures(nft: RenderMeasure, ipt: RenderMeasure, idTag: string, label: string, withTargets: boolean): Figure[] {
  const nftCpu = median(nft.renderCpuRuns);
  return [
    figure({
      id: `nftables.${idTag}.render`,
      title: `${label}render one node's nftables transaction (CPU time)`,
      value: nftCpu,
      unit: 'ms',
      higherIsBetter: false,
      baseline: { label: 'iptables mode, same cluster and node', value: median(ipt.renderCpuRuns) },
      target: withTargets ? target('<', 2000, 'one node rendered in under 2 s', nftCpu) : undefined,
      note:
        `wall clock ${ms(median(nft.renderWallRuns))} (iptables ${ms(median(ipt.renderWallRuns))}); ` +
        `${nft.textLines.toLocaleString('en-US')} lines, ${mib(nft.textBytes)} of nft commands ` +
        `(iptables: ${ipt.textLines.toLocaleString('en-US')} lines, ${mib(ipt.textBytes)}); ` +
        `nft list text ${ms(nft.listCpuMs ?? NaN)} more; median of ${nft.renderCpuRuns.length}`,
    }),
    figure({
      id: `nftables.${idTag}.peakRss`,
      title: `${label}peak memory rendering nftables (max RSS)`,
      value: nft.maxRssBytes,
      unit: 'bytes',
      higherIsBetter: false,
      baseline: { label: 'iptables mode, same cluster and node', value: ipt.maxRssBytes },
      target: withTargets ? target('<', 2 ** 30, 'peak memory under 1 GiB', nft.maxRssBytes) : undefined,
      note: `max RSS with only the input built: ${mib(nft.maxRssAfterInputBytes)} (iptables child ${mib(ipt.maxRssAfterInputBytes)})`,
    }),
  ];
}

export interface NftRenderBenchOptions {
  quick: boolean;
  signal: AbortSignal;
  track: (child: ChildProcess) => void;
  log: (line: string) => void;
}

/** Fills `section` with the nftables render figures at two sizes, iptables beside them. */
export async function nftablesRenderSection(o: NftRenderBenchOptions, section: Section): Promise<void> {
  const nodes = o.quick ? 100 : 1000;
  const sizes = o.quick ? [100, 1000] : [1000, 10_000];
  const runs = o.quick ? 1 : 3;
  const measured: { nft: RenderMeasure; ipt: RenderMeasure }[] = [];
  for (const services of sizes) {
    const base = { nodes, services, endpointsPerService: 10, renderRuns: runs };
    o.log(`nftables: render one node, ${nodes} nodes, ${services} Services (two child processes: nftables, iptables)`);
    const nft = await renderInChild({ ...base, mode: 'nftables' }, o.signal, o.track);
    const ipt = await renderInChild({ ...base, mode: 'iptables' }, o.signal, o.track);
    measured.push({ nft, ipt });
  }
  const [small, large] = measured;
  const tag = (m: RenderMeasure): string => `${m.params.services >= 1000 ? `${m.params.services / 1000}k` : m.params.services} Services: `;
  const issueSize = large.nft.params.services === 10_000;
  section.figures.push(
    ...sizeFigures(large.nft, large.ipt, 'render.large', tag(large.nft), issueSize),
    ...sizeFigures(small.nft, small.ipt, 'render.small', tag(small.nft), false),
  );
  section.growth = growthRows(
    sizeFigures(small.nft, small.ipt, 'render', '', false),
    sizeFigures(large.nft, large.ipt, 'render', '', false),
    `Services (${small.nft.params.services.toLocaleString('en-US')} -> ${large.nft.params.services.toLocaleString('en-US')})`,
    large.nft.params.services / small.nft.params.services,
  );
  section.raw = { ...section.raw, render: measured };
}

// Child entry: `node dist/bench/nftables-render.js --render-child '<params json>'` (forked above).
if (process.argv[1] === thisFile && process.argv[2] === '--render-child' && process.send) {
  try {
    const result = measureRender(JSON.parse(process.argv[3] ?? '') as RenderParams);
    process.send(result, () => process.exit(0));
  } catch (err) {
    process.stderr.write(`render child: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}
