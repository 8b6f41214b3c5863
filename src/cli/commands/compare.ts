/**
 * `svclab compare`: run the same scenarios on several backends, and with `--modes` in several
 * kube-proxy modes (each backend × mode in its own `svclab run` child process), and produce one
 * matrix, scenario × step × column, in the console, as HTML (`<out>/index.html`, linking each
 * run's own report in `<out>/<backend>[-<mode>]/`) and as JSON (`<out>/compare.json`). Exit 0 when
 * backends agree (or differ only as stated in `diverges:`) and every change between modes is stated
 * in the step's `modes:`, 1 otherwise, 2 usage, 3 invalid scenario, 4 fewer than two runs could
 * run, 130 interrupted.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendNames, isBackendName } from '../../backends/registry.js';
import { ExitCode, UsageError } from '../../errors.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { decideColor } from '../../report/console.js';
import { displayPath } from '../../runner/display-path.js';
import { selectScenarios } from '../../runner/select.js';
import { runBackendInChild } from '../../compare/backend-run.js';
import type { BackendRunOutcome, BackendRunRequest } from '../../compare/backend-run.js';
import { renderCompareConsole } from '../../compare/console.js';
import { renderCompareHtml } from '../../compare/html.js';
import { renderCompareJson } from '../../compare/json.js';
import { buildMatrix } from '../../compare/matrix.js';
import type { BackendRun } from '../../compare/matrix.js';
import { loadAllScenarios } from '../load-scenarios.js';
import { colorOption, grepOption, integerOption, MAX_SEED, parseCommandArgs } from '../options.js';
import { prepareReportDir, removeOwnReport, writeReportFile } from '../output-files.js';
import { exitCodeOf } from '../user-errors.js';
import { modeOptionProblem } from '../../model/proxy-mode.js';
import type { ProxyMode } from '../../model/types.js';
import { terminalText } from '../../report/terminal-text.js';

export const summary = 'run scenarios on several backends and compare';

export const DEFAULT_BACKENDS = ['sim', 'proxy'] as const;
/** Seed shown when none is given (the children then use each scenario's own seed, else this). */
const DEFAULT_SEED = 1;

export const help = `Usage: svclab compare [paths...] [options]

Run the same scenarios (files or folders; default: scenarios) on several backends and compare
them step by step: outcome counts, pods that answered, source addresses seen, pass/fail.

Options:
  --backends LIST      comma list of sim, proxy, netns, kind (default: ${DEFAULT_BACKENDS.join(',')});
                       one backend is enough with --modes
  --mode MODE          run every scenario with kube-proxy in iptables or nftables mode
  --modes LIST         the migration report: run each backend in each mode (e.g. iptables,nftables,
                       the one you run today first) and list, per step, what changes between them
  --seed N             seed passed to every backend (default: each scenario's own, else ${DEFAULT_SEED})
  --out DIR            compare.json, index.html, and <backend>/ reports (default: reports/compare)
  --grep PATTERN       only scenarios whose name or file matches this regular expression
  --tag TAG            only scenarios with this tag (repeatable: any of them)
  --kube-proxy-version V  the kube-proxy backend runs this older release (kube-proxy-host/releases/V.mod):
                       compare it with the simulator's model of the pinned release
  --color, --no-color  force colour on or off (default: NO_COLOR, FORCE_COLOR, then terminal)
  -h, --help           show this help

A backend that cannot run here (exit 4) shows as an 'unavailable' column. A send step may state
known differences (diverges: [{ backend, does, why, link }]); those show as 'known' and fail
when the backend agrees again. With --modes, a step states its answer per mode in
modes: { nftables: { expect, why } }; a change between the modes that no step states fails.
See docs/compare.md.

Exit codes: 0 no unexplained difference, 1 backends disagree outside the stated divergences, or
            the modes differ where the step states no per-mode answer (or a stale annotation or
            modes: block, or an error), 2 usage error, 3 invalid scenario, 4 fewer than two runs
            could run (nothing compared), 130 interrupted.
`;

export interface CompareArgs {
  paths: string[];
  backends: string[];
  /** --mode (one entry) or --modes; absent: each file's own mode. */
  modes?: ProxyMode[];
  /** The kube-proxy backend runs this older release (--kube-proxy-version). */
  kubeProxyVersion?: string;
  seed?: number;
  out: string;
  grep?: RegExp;
  grepText?: string;
  tags: string[];
  color?: boolean;
  help: boolean;
}

export function parseCompareArgs(argv: string[]): CompareArgs {
  const parsed = parseCommandArgs(
    'compare',
    {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        backends: { type: 'string' },
        mode: { type: 'string' },
        modes: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        grep: { type: 'string' },
        tag: { type: 'string', multiple: true },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        'kube-proxy-version': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    "Run 'svclab compare --help' for the options.",
  );
  const v = parsed.values;
  const backends = (v.backends ?? DEFAULT_BACKENDS.join(','))
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  for (const b of backends) {
    if (!isBackendName(b)) throw new UsageError(`--backends: unknown backend '${b}' (known: ${backendNames.join(', ')})`);
  }
  if (new Set(backends).size !== backends.length) throw new UsageError(`--backends names a backend twice (got '${v.backends}')`);
  const modes = parseModes(v.mode, v.modes);
  if (backends.length < 2 && (modes === undefined || modes.length < 2)) {
    throw new UsageError(`--backends needs at least two backends to compare, or --modes two modes (got '${v.backends ?? ''}')`);
  }
  const args: CompareArgs = {
    paths: parsed.positionals.length > 0 ? parsed.positionals : ['scenarios'],
    backends,
    out: v.out ?? 'reports/compare',
    tags: v.tag ?? [],
    help: v.help === true,
  };
  if (v.out !== undefined && v.out.trim() === '') throw new UsageError('--out needs a directory');
  if (modes !== undefined) args.modes = modes;
  if (v['kube-proxy-version'] !== undefined) {
    if (!backends.includes('kube-proxy')) throw new UsageError('--kube-proxy-version needs the kube-proxy backend in --backends');
    args.kubeProxyVersion = v['kube-proxy-version'];
  }
  if (v.seed !== undefined) args.seed = integerOption('seed', v.seed, 0, MAX_SEED);
  if (v.grep !== undefined) {
    args.grep = grepOption(v.grep);
    args.grepText = v.grep;
  }
  const color = colorOption(v);
  if (color !== undefined) args.color = color;
  return args;
}

/** `--mode X` or `--modes X,Y` (not both), each a mode svclab runs, none twice. */
function parseModes(mode: string | undefined, modes: string | undefined): ProxyMode[] | undefined {
  if (mode !== undefined && modes !== undefined) throw new UsageError('use --mode (one mode for the whole run) or --modes (compare modes), not both');
  if (mode === undefined && modes === undefined) return undefined;
  const option = mode !== undefined ? '--mode' : '--modes';
  const list = (mode ?? modes ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
  if (list.length === 0) throw new UsageError(`${option} needs a mode (iptables or nftables)`);
  for (const m of list) {
    const problem = modeOptionProblem(option, m);
    if (problem !== undefined) throw new UsageError(problem);
  }
  if (new Set(list).size !== list.length) throw new UsageError(`--modes names a mode twice (got '${modes}')`);
  return list as ProxyMode[];
}

/** What the command touches outside itself; tests swap these. */
export interface CompareDeps {
  discoverScenarioFiles(paths: string[], onSkip?: (note: string) => void): Promise<string[]>;
  loadScenarioFile(path: string): Promise<CompiledScenario>;
  runBackend(req: BackendRunRequest): Promise<BackendRunOutcome>;
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Call `handler` on Ctrl-C; returns a function that stops listening. */
  onInterrupt(handler: () => void): () => void;
  /** Leave at once with `code` (a second Ctrl-C), skipping the reports. */
  quitNow(code: number): void;
}

async function defaultDeps(): Promise<CompareDeps> {
  const dsl = await import('../../dsl/load.js');
  return {
    discoverScenarioFiles: dsl.discoverScenarioFiles,
    loadScenarioFile: dsl.loadScenarioFile,
    runBackend: runBackendInChild,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    quitNow: (code) => process.exit(code),
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCompareArgs(argv);
  if (args.help) {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  return compareWith(args, await defaultDeps());
}

export async function compareWith(args: CompareArgs, deps: CompareDeps): Promise<number> {
  return exitCodeOf(deps.stderr, () => execute(args, deps));
}

async function execute(args: CompareArgs, deps: CompareDeps): Promise<number> {
  const files = await deps.discoverScenarioFiles(args.paths, (note) => deps.stderr.write(`${terminalText(note)}\n`));
  // Every file is loaded (all invalid ones reported together, exit 3) before any backend runs.
  const all = await loadAllScenarios(files, (file) => deps.loadScenarioFile(file));
  const selection: Parameters<typeof selectScenarios>[1] = { tags: args.tags, cwd: deps.cwd };
  if (args.grep !== undefined) selection.grep = args.grep;
  const scenarios = selectScenarios(all, selection);
  if (scenarios.length === 0) {
    deps.stderr.write(
      all.length === 0 ? `svclab compare: no scenario files found in ${args.paths.join(', ')}\n` : `svclab compare: none of ${all.length} scenarios matched the --grep/--tag selection\n`,
    );
    return ExitCode.failed;
  }

  const out = path.resolve(deps.cwd, args.out);
  // Every report folder is checked before any backend runs: no link, no user's file in the way.
  await prepareReportDir(out, ['compare.json', 'index.html']);
  for (const backend of args.backends) await prepareReportDir(path.join(out, backend), ['result.json', 'index.html'], `--out ${args.out} (for ${backend})`);
  const cli = fileURLToPath(new URL('../main.js', import.meta.url));
  const controller = new AbortController();
  const forward = new Set<() => void>();
  let interrupts = 0;
  const stopListening = deps.onInterrupt(() => {
    interrupts++;
    if (interrupts === 1) {
      deps.stderr.write('\ninterrupted: stopping the backend run (it cleans up first; Ctrl-C again to quit now)\n');
      controller.abort();
    }
    // Each Ctrl-C reaches the running child as one SIGINT: its first makes `svclab run` stop and
    // clean up, its second makes it quit at once (killing what it started), like ours below.
    for (const f of forward) f();
    if (interrupts > 1) {
      deps.stderr.write('interrupted again: quitting now\n');
      deps.quitNow(ExitCode.interrupted);
    }
  });
  const onInterrupt = (handler: () => void): (() => void) => {
    forward.add(handler);
    return () => forward.delete(handler);
  };
  const startedAt = new Date();
  const t0 = performance.now();
  const runs: BackendRun[] = [];
  let interrupted = false;
  try {
    for (const column of columnsOf(args)) {
      const { name, backend, mode, dir: folder } = column;
      const key = { name, backend, ...(mode !== undefined ? { mode } : {}) };
      if (controller.signal.aborted) {
        runs.push({ ...key, state: 'unavailable', reason: 'not run: interrupted' });
        continue;
      }
      const dir = path.join(out, folder);
      // A stale report from an earlier comparison must not pass for this one (only the files a run writes).
      for (const file of ['result.json', 'index.html']) await removeOwnReport(dir, file);
      deps.stderr.write(`running ${scenarios.length} scenario(s) on ${backend}${mode !== undefined ? ` in ${mode} mode` : ''} …\n`);
      const req: BackendRunRequest = { cli, backend, paths: args.paths, out: dir, tags: args.tags, cwd: deps.cwd, onInterrupt };
      if (mode !== undefined) req.mode = mode;
      if (args.seed !== undefined) req.seed = args.seed;
      if (backend === 'kube-proxy' && args.kubeProxyVersion !== undefined) req.kubeProxyVersion = args.kubeProxyVersion;
      if (args.grepText !== undefined) req.grep = args.grepText;
      const outcome = await deps.runBackend(req);
      interrupted ||= outcome.interrupted;
      const r = { ...outcome.run, ...key };
      if (r.state === 'ran') {
        r.report = `${folder}/index.html`;
        deps.stderr.write(`  ${name}: ${r.result.totals.passed} passed, ${r.result.totals.failed} failed, ${r.result.totals.skipped} skipped, ${r.result.totals.errors} errors\n`);
      } else {
        deps.stderr.write(`  ${name}: ${r.state}: ${r.reason}\n`);
      }
      runs.push(r);
    }
  } finally {
    stopListening();
  }

  const result = buildMatrix({
    scenarios,
    runs,
    seed: args.seed ?? DEFAULT_SEED,
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    cwd: deps.cwd,
    ...(args.modes !== undefined ? { modes: args.modes } : {}),
  });
  await writeReportFile(out, 'compare.json', renderCompareJson(result));
  await writeReportFile(out, 'index.html', renderCompareHtml(result));
  const color = decideColor(args.color, deps.env, deps.stdout.isTTY === true);
  const consoleOptions = { color, cwd: deps.cwd, github: deps.env.GITHUB_ACTIONS === 'true', ...(deps.stdout.columns !== undefined ? { columns: deps.stdout.columns } : {}) };
  deps.stdout.write(renderCompareConsole(result, consoleOptions));
  const shown = (p: string): string => displayPath(p, deps.cwd);
  const perRun = (args.modes?.length ?? 0) > 1 ? '<backend>-<mode>' : '<backend>';
  deps.stdout.write(`reports: ${shown(path.join(out, 'index.html'))}, ${shown(path.join(out, 'compare.json'))}; each run's own: ${shown(out)}/${perRun}/index.html\n`);
  if (interrupted || controller.signal.aborted) return ExitCode.interrupted;
  const ran = runs.filter((r) => r.state === 'ran').length;
  if (ran < 2) {
    // Nothing was compared: saying "no difference" would be a fake pass.
    deps.stderr.write(`svclab compare: only ${ran} of ${runs.length} ${perRun === '<backend>' ? 'backends' : 'backend and mode runs'} could run here, so nothing was compared\n`);
    return ExitCode.backendUnavailable;
  }
  return result.exitCode;
}

/** The runs to make: each backend, in each mode of --modes (columns `backend/mode`, folders `backend-mode`). */
export function columnsOf(args: CompareArgs): { name: string; backend: string; mode?: ProxyMode; dir: string }[] {
  const modes = args.modes ?? [];
  if (modes.length < 2) return args.backends.map((backend) => ({ name: backend, backend, dir: backend, ...(modes.length === 1 ? { mode: modes[0] } : {}) }));
  return args.backends.flatMap((backend) => modes.map((mode) => ({ name: `${backend}/${mode}`, backend, mode, dir: `${backend}-${mode}` })));
}
