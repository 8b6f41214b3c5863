/**
 * `svclab run`: load scenarios, pick the ones asked for, run them on a backend, print the console
 * report and write the file reports. Exit 0 all passed, 1 something failed, 2 usage, 3 invalid
 * scenario, 4 backend unavailable, 130 interrupted (reports are still written).
 */
import { resolve } from 'node:path';
import type { Backend, BackendName, BackendOptions } from '../../backends/backend.js';
import { backendNames, isBackendName } from '../../backends/registry.js';
import { BackendUnavailableError, ExitCode, SvclabError, UsageError } from '../../errors.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { ConsoleReporter, decideColor, decideLive } from '../../report/console.js';
import type { ConsoleStream } from '../../report/console.js';
import type { RunResult } from '../../report/result.js';
import { Interrupted } from '../../runner/abort.js';
import { displayPath } from '../../runner/display-path.js';
import { runScenarios } from '../../runner/run.js';
import { parseShard, selectScenarios } from '../../runner/select.js';
import type { Shard } from '../../runner/select.js';
import { loadAllScenarios } from '../load-scenarios.js';
import { colorOption, grepOption, integerOption, MAX_SEED, parseCommandArgs } from '../options.js';
import { modeOf, modeOptionProblem, withProxyMode } from '../../model/proxy-mode.js';
import type { ProxyMode } from '../../model/types.js';
import { exitCodeOf } from '../user-errors.js';
import { terminalText } from '../../report/terminal-text.js';
import { prepareReportDir, writeReportFile } from '../output-files.js';

export const summary = 'run scenarios on a backend and write reports';

export const reporterNames = ['console', 'junit', 'html', 'json'] as const;
export type ReporterName = (typeof reporterNames)[number];

/** File each file reporter writes inside --out. */
const reportFiles: Record<Exclude<ReporterName, 'console'>, string> = {
  junit: 'junit.xml',
  html: 'index.html',
  json: 'result.json',
};

export const DEFAULT_SEED = 1;
export const DEFAULT_TIMEOUT_MS = 600_000;
export const DEFAULT_CONCURRENCY = 4;

export const help = `Usage: svclab run [paths...] [options]

Run scenario files (or every *.yaml/*.yml under folders; default: scenarios) on a backend.

Options:
  --backend NAME       sim | proxy | netns | kind (default: sim)
  --mode MODE          run every scenario with kube-proxy in iptables or nftables mode, whatever
                       the files say (steps check their modes.<mode> expectations where stated)
  --seed N             seed for every random choice (default: ${DEFAULT_SEED}; printed, kept in every result)
  --reporter LIST      console,junit,html,json; comma list or repeated (default: console,junit,html)
  --out DIR            where junit.xml, index.html and result.json go (default: reports)
  --grep PATTERN       only scenarios whose name or file matches this regular expression
  --tag TAG            only scenarios with this tag (repeatable: any of them)
  --shard I/N          run the I-th of N slices of the selected scenarios (for CI jobs)
  --bail               start no new scenario after the first failure
  --fail-on-skip       exit 1 when any step was skipped (for CI jobs that must not pass on less)
  --junit-strict       junit.xml without testcase file/line, for tools that validate it against
                       Jenkins xunit's junit-10.xsd (which does not list them)
  --timeout MS         limit per scenario in ms, 0 for none (default: ${DEFAULT_TIMEOUT_MS})
  --concurrency N      scenarios at once, capped by the backend (default: ${DEFAULT_CONCURRENCY})
  --kind-cluster NAME  kind: use this kind cluster (created if missing, deleted after unless --keep)
  --kube-proxy-version V  kube-proxy: run an older release built from kube-proxy-host/releases/V.mod
                       (default: the release kube-proxy-host/go.mod pins)
  --kubeconfig PATH    kind: kubeconfig to use; alone, its current context is used as is
  --keep               kind: keep clusters this run created
  --color, --no-color  force colour on or off (default: NO_COLOR, FORCE_COLOR, then terminal)
  -h, --help           show this help

Exit codes: 0 all passed, 1 a scenario failed or errored, no step ran at all (every one skipped),
            or --fail-on-skip and a step was skipped; 2 usage error (also an --out svclab may
            not write to), 3 invalid scenario, 4 backend unavailable, 130 interrupted.
`;

/** Everything `svclab run` was asked to do, validated. */
export interface RunArgs {
  paths: string[];
  backend: BackendName;
  /** --mode: kube-proxy mode forced on every scenario. */
  mode?: ProxyMode;
  seed: number;
  seedFromCli: boolean;
  reporters: ReporterName[];
  out: string;
  grep?: RegExp;
  tags: string[];
  shard?: Shard;
  bail: boolean;
  /** Exit 1 when any step was skipped. */
  failOnSkip: boolean;
  /** junit.xml without testcase file/line (strictly valid against junit-10.xsd). */
  junitStrict: boolean;
  timeoutMs: number;
  concurrency: number;
  color?: boolean;
  help: boolean;
  /** --kind-cluster, --kubeconfig, --keep (kind only). */
  backendOptions: BackendOptions;
}

export function parseRunArgs(argv: string[]): RunArgs {
  const parsed = parseCommandArgs(
    'run',
    {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        backend: { type: 'string' },
        mode: { type: 'string' },
        seed: { type: 'string' },
        reporter: { type: 'string', multiple: true },
        out: { type: 'string' },
        grep: { type: 'string' },
        tag: { type: 'string', multiple: true },
        shard: { type: 'string' },
        bail: { type: 'boolean' },
        'fail-on-skip': { type: 'boolean' },
        'junit-strict': { type: 'boolean' },
        timeout: { type: 'string' },
        concurrency: { type: 'string' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        'kind-cluster': { type: 'string' },
        kubeconfig: { type: 'string' },
        keep: { type: 'boolean' },
        'kube-proxy-version': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    "Run 'svclab run --help' for the options.",
  );
  const v = parsed.values;
  const backend = v.backend ?? 'sim';
  if (!isBackendName(backend)) throw new UsageError(`--backend must be one of ${backendNames.join(', ')} (got '${backend}')`);
  const reporters: ReporterName[] = [];
  for (const name of (v.reporter ?? ['console,junit,html']).flatMap((r) => r.split(','))) {
    const trimmed = name.trim();
    if (trimmed === '') continue;
    if (!(reporterNames as readonly string[]).includes(trimmed)) {
      throw new UsageError(`--reporter must be among ${reporterNames.join(', ')} (got '${trimmed}')`);
    }
    if (!reporters.includes(trimmed as ReporterName)) reporters.push(trimmed as ReporterName);
  }
  const grep = v.grep === undefined ? undefined : grepOption(v.grep);
  if (v.out !== undefined && v.out.trim() === '') throw new UsageError('--out needs a directory');
  const args: RunArgs = {
    paths: parsed.positionals.length > 0 ? parsed.positionals : ['scenarios'],
    backend,
    seed: v.seed === undefined ? DEFAULT_SEED : integerOption('seed', v.seed, 0, MAX_SEED),
    seedFromCli: v.seed !== undefined,
    reporters,
    out: v.out ?? 'reports',
    tags: v.tag ?? [],
    bail: v.bail === true,
    failOnSkip: v['fail-on-skip'] === true,
    junitStrict: v['junit-strict'] === true,
    timeoutMs: v.timeout === undefined ? DEFAULT_TIMEOUT_MS : integerOption('timeout', v.timeout, 0),
    concurrency: v.concurrency === undefined ? DEFAULT_CONCURRENCY : integerOption('concurrency', v.concurrency, 1, 1024),
    help: v.help === true,
    backendOptions: {},
  };
  if (v['kind-cluster'] !== undefined) args.backendOptions.kindCluster = v['kind-cluster'];
  if (v.kubeconfig !== undefined) args.backendOptions.kubeconfig = v.kubeconfig;
  if (v.keep === true) args.backendOptions.keep = true;
  if (backend !== 'kind' && Object.keys(args.backendOptions).length > 0) {
    throw new UsageError(`--kind-cluster, --kubeconfig and --keep only apply to --backend kind (got --backend ${backend})`);
  }
  if (v['kube-proxy-version'] !== undefined) {
    if (backend !== 'kube-proxy') throw new UsageError(`--kube-proxy-version only applies to --backend kube-proxy (got --backend ${backend})`);
    args.backendOptions.kubeProxyVersion = v['kube-proxy-version'];
  }
  if (v.mode !== undefined) {
    const problem = modeOptionProblem('--mode', v.mode);
    if (problem !== undefined) throw new UsageError(problem);
    args.mode = v.mode as ProxyMode;
  }
  if (grep !== undefined) args.grep = grep;
  if (v.shard !== undefined) args.shard = parseShard(v.shard);
  const color = colorOption(v);
  if (color !== undefined) args.color = color;
  return args;
}

/** What the command touches outside itself; tests swap these. */
export interface RunDeps {
  discoverScenarioFiles(paths: string[], onSkip?: (note: string) => void): Promise<string[]>;
  loadScenarioFile(path: string): Promise<CompiledScenario>;
  loadBackend(name: BackendName, options?: BackendOptions): Promise<Backend>;
  stdout: ConsoleStream;
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Call `handler` on Ctrl-C; returns a function that stops listening. */
  onInterrupt(handler: () => void): () => void;
}

async function defaultDeps(): Promise<RunDeps> {
  const dsl = await import('../../dsl/load.js');
  const registry = await import('../../backends/registry.js');
  return {
    discoverScenarioFiles: dsl.discoverScenarioFiles,
    loadScenarioFile: dsl.loadScenarioFile,
    loadBackend: registry.loadBackend,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      let count = 0;
      const onSigint = (): void => {
        count++;
        // A second Ctrl-C means "now": give up on cleanup.
        if (count > 1) process.exit(ExitCode.interrupted);
        handler();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      return () => {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      };
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseRunArgs(argv);
  if (args.help) {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  return runWith(args, await defaultDeps());
}

function fileReporters(args: RunArgs): Exclude<ReporterName, 'console'>[] {
  return args.reporters.filter((r): r is Exclude<ReporterName, 'console'> => r !== 'console');
}

/**
 * Write the file reports into --out (and nowhere else; prepared by prepareReportDir before the
 * run): never through a link, never over a file svclab did not write. Returns the paths written.
 */
async function writeReports(result: RunResult, args: RunArgs, cwd: string): Promise<string[]> {
  const wanted = fileReporters(args);
  const dir = resolve(cwd, args.out);
  const written: string[] = [];
  for (const name of wanted) written.push(await writeReportFile(dir, reportFiles[name], await renderReport(name, result, args)));
  return written;
}

async function renderReport(name: Exclude<ReporterName, 'console'>, result: RunResult, args: RunArgs): Promise<string> {
  switch (name) {
    case 'junit':
      return (await import('../../report/junit.js')).render(result, { strict: args.junitStrict });
    case 'json':
      return (await import('../../report/json.js')).render(result);
    case 'html':
      return (await import('../../report/html/render.js')).renderHtml(result);
  }
}

export async function runWith(args: RunArgs, deps: RunDeps): Promise<number> {
  return exitCodeOf(deps.stderr, () => execute(args, deps));
}

async function execute(args: RunArgs, deps: RunDeps): Promise<number> {
  const files = await deps.discoverScenarioFiles(args.paths, (note) => deps.stderr.write(`${terminalText(note)}\n`));
  const all = await loadAllScenarios(files, (file) => deps.loadScenarioFile(file));
  const selection: Parameters<typeof selectScenarios>[1] = { tags: args.tags, cwd: deps.cwd };
  if (args.grep !== undefined) selection.grep = args.grep;
  if (args.shard !== undefined) selection.shard = args.shard;
  const forced = args.mode;
  const scenarios = selectScenarios(all, selection).map((s) => (forced === undefined ? s : withProxyMode(s, forced)));
  if (scenarios.length === 0) {
    deps.stderr.write(
      all.length === 0 ? `svclab run: no scenario files found in ${args.paths.join(', ')}\n` : `svclab run: none of ${all.length} scenarios matched the --grep/--tag/--shard selection\n`,
    );
    return ExitCode.failed;
  }

  // A report folder svclab may not write to is found now, not after the whole run.
  const wantedFiles = fileReporters(args).map((r) => reportFiles[r]);
  if (wantedFiles.length > 0) await prepareReportDir(resolve(deps.cwd, args.out), wantedFiles);

  const backend = await deps.loadBackend(args.backend, args.backendOptions);
  try {
    await backend.check();
  } catch (err) {
    if (err instanceof SvclabError) throw err;
    throw new BackendUnavailableError(`backend ${backend.name} is not usable here: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Layouts the backend cannot build stop the run before anything starts (exit 4), located.
  const layout = scenarios.map((s) => backend.layoutProblem?.(s)).filter((p): p is string => p !== undefined);
  if (layout.length > 0) throw new BackendUnavailableError(layout.join('\n'));

  const isTTY = deps.stdout.isTTY === true;
  const showConsole = args.reporters.includes('console');
  const reporter = new ConsoleReporter(deps.stdout, {
    color: decideColor(args.color, deps.env, isTTY),
    live: showConsole && decideLive(deps.env, isTTY),
    cwd: deps.cwd,
    github: deps.env.GITHUB_ACTIONS === 'true',
  });
  if (showConsole) reporter.begin({ backend: backend.name, mode: modesText(scenarios, args.mode), seed: args.seed, scenarios: scenarios.length, filtered: all.length - scenarios.length });

  const controller = new AbortController();
  const stopListening = deps.onInterrupt(() => {
    if (showConsole) deps.stderr.write('\ninterrupted: stopping scenarios and closing sessions (Ctrl-C again to quit now)\n');
    controller.abort(new Interrupted());
  });
  let result: RunResult;
  try {
    result = await runScenarios(scenarios, {
      backend,
      seed: args.seed,
      seedFromCli: args.seedFromCli,
      concurrency: args.concurrency,
      timeoutMs: args.timeoutMs,
      bail: args.bail,
      signal: controller.signal,
      cwd: deps.cwd,
      ...(args.mode !== undefined ? { mode: args.mode } : {}),
      listener: showConsole
        ? {
            stepStart: (s, step) => reporter.progress(`${s.name}: ${step.title}`),
            log: (s, message) => reporter.progress(`${s.name}: ${message}`),
            scenarioEnd: (r) => reporter.scenario(r),
          }
        : {},
    });
  } finally {
    stopListening();
    // Clusters a kind run created go away also after failures and Ctrl-C.
    await backend.dispose?.();
  }

  const written = await writeReports(result, args, deps.cwd);
  const interrupted = controller.signal.aborted;
  const steps = result.scenarios.flatMap((s) => s.steps);
  const skipped = steps.filter((s) => s.status === 'skip').length;
  const ran = steps.length - skipped;
  // A CI job must not go green on nothing: no step ran, or (asked) some were skipped.
  const verdictNote = ran === 0 ? `no step ran (${skipped} skipped): nothing was tested` : args.failOnSkip && skipped > 0 ? `--fail-on-skip: ${skipped} step(s) skipped` : undefined;
  if (showConsole) {
    const notes: string[] = [];
    if (written.length > 0) notes.push(`reports: ${written.map((p) => displayPath(p, deps.cwd)).join(', ')}`);
    if (interrupted) notes.push('run interrupted');
    else if (verdictNote !== undefined) notes.push(verdictNote);
    reporter.end(result, notes);
  } else if (!interrupted && verdictNote !== undefined) deps.stderr.write(`svclab run: ${verdictNote}\n`);
  if (interrupted) return ExitCode.interrupted;
  const { failed, errors } = result.totals;
  return failed + errors > 0 || verdictNote !== undefined ? ExitCode.failed : ExitCode.ok;
}

/** "kube-proxy nftables mode (--mode)", or the modes the files ask for, for the first console line. */
function modesText(scenarios: CompiledScenario[], forced: ProxyMode | undefined): string {
  if (forced !== undefined) return `kube-proxy ${forced} mode (--mode)`;
  const modes = [...new Set(scenarios.map(modeOf))].sort();
  return `kube-proxy ${modes.join(' and ')} mode${modes.length > 1 ? 's (as the files say)' : ''}`;
}
