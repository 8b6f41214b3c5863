#!/usr/bin/env node
/**
 * `npm run differential -- [--count N] [--seed S] [--mode MODE] [--out DIR]`: the seeded
 * differential check of svclab's renderers against upstream kube-proxy over random cluster states
 * (seeds S..S+N-1), or with `--scenarios [paths...]` over every state of the scenario files.
 * Writes report.md and report.json under --out (default reports/differential). Needs root and the
 * built kube-proxy-host. Exit 0: every case gave the same rules; 1: a
 * difference or an error; 2: usage error; 4: kube-proxy cannot run here.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { BackendUnavailableError, ExitCode, UsageError } from '../errors.js';
import type { ProxyMode } from '../model/types.js';
import { kubeProxyRelease } from '../backends/kube-proxy/binary.js';
import { checkKubeProxy, checkMode } from '../backends/kube-proxy/check.js';
import { NodeRulesLab } from '../backends/kube-proxy/node-rules-lab.js';
import { discoverScenarioFiles, loadScenarioFile } from '../dsl/load.js';
import { prepareReportDir, writeReportFile } from '../cli/output-files.js';
import { checkCase, newTally, type DifferentialCase } from './check.js';
import { BOTH_MODES, scenarioCases } from './library-cases.js';
import { randomCases } from './random-cases.js';
import { reportJson, reportMarkdown, type ReportContext } from './report.js';

const USAGE = `Usage: npm run differential -- [--count N] [--seed S] [--mode iptables|nftables|both] [--out DIR]
       npm run differential -- --scenarios [paths...] [--out DIR]
`;

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      mode: { type: 'string' },
      out: { type: 'string', default: 'reports/differential' },
      scenarios: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  const int = (name: string, text: string, min: number): number => {
    if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`--${name} expects an integer >= ${min}, got '${text}'`);
    return Number(text);
  };
  const mode = values.mode;
  if (mode !== undefined && mode !== 'iptables' && mode !== 'nftables' && mode !== 'both') throw new Error(`--mode expects iptables, nftables or both, got '${mode}'`);
  if (!values.scenarios && positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}' (scenario paths go with --scenarios)`);
  return {
    help: values.help === true,
    count: int('count', values.count!, 1),
    seed: int('seed', values.seed!, 0),
    modes: mode === undefined ? undefined : mode === 'both' ? BOTH_MODES : [mode as ProxyMode],
    out: values.out!,
    scenarios: values.scenarios === true ? (positionals.length > 0 ? positionals : ['scenarios']) : undefined,
  };
}

async function main(argv: string[]): Promise<number> {
  let o: ReturnType<typeof options>;
  try {
    o = options(argv);
  } catch (err) {
    process.stderr.write(`differential: ${(err as Error).message}\n${USAGE}`);
    return ExitCode.usage;
  }
  if (o.help) {
    process.stdout.write(USAGE);
    return ExitCode.ok;
  }
  let cases: Iterable<DifferentialCase>;
  let source: string;
  let repeat: ReportContext['repeat'];
  if (o.scenarios !== undefined) {
    const files = await discoverScenarioFiles(o.scenarios);
    const scenarios = await Promise.all(files.map((f) => loadScenarioFile(f)));
    cases = (function* () {
      for (const s of scenarios) yield* scenarioCases(s, o.modes ?? BOTH_MODES);
    })();
    source = `every state of ${files.length} scenario files (${o.scenarios.join(', ')})`;
    repeat = (id) => `svclab rules ${id.split('@')[0]} --diff --at-step ${id.split('@step ')[1]}`;
  } else {
    cases = randomCases(o.seed, o.count, o.modes);
    source = `random cluster states, seeds ${o.seed}..${o.seed + o.count - 1}`;
    repeat = (id) => `npm run differential -- --seed ${id.replace(/^seed /, '')} --count 1`;
  }
  await prepareReportDir(o.out, ['report.md', 'report.json']);
  const release = kubeProxyRelease();
  await checkKubeProxy(release);
  for (const mode of o.modes ?? BOTH_MODES) await checkMode(mode);
  const lab = await NodeRulesLab.open(release);
  const tally = newTally();
  const t0 = performance.now();
  const stop = () => void lab.close().finally(() => process.exit(ExitCode.interrupted));
  process.once('SIGINT', stop);
  try {
    for (const c of cases) {
      const outcome = await checkCase(lab, c, tally);
      if (outcome.status === 'differs' || outcome.status === 'error') {
        process.stderr.write(`${outcome.status.toUpperCase()}: ${c.id}, node ${c.node}, ${c.mode}\n`);
      }
      if (tally.cases % 100 === 0) process.stderr.write(`  ${tally.cases} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  } finally {
    process.removeListener('SIGINT', stop);
    await lab.close();
  }
  const ctx: ReportContext = { source, repeat, seconds: (performance.now() - t0) / 1000, machine: `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores` };
  const md = await writeReportFile(o.out, 'report.md', reportMarkdown(tally, ctx));
  await writeReportFile(o.out, 'report.json', reportJson(tally, ctx));
  const s = tally.byStatus;
  process.stdout.write(
    `${tally.cases} cases in ${ctx.seconds.toFixed(0)} s against kube-proxy ${tally.version}: ${s.same} same, ${s.differs} differ, ${s.error} errors\nreport: ${md}\n`,
  );
  return s.differs + s.error === 0 ? ExitCode.ok : ExitCode.failed;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof BackendUnavailableError) {
      process.stderr.write(`differential: ${err.message}\n`);
      process.exitCode = ExitCode.backendUnavailable;
      return;
    }
    const usage = err instanceof UsageError;
    process.stderr.write(`differential: ${usage ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = usage ? ExitCode.usage : 70;
  },
);
