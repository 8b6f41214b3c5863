/**
 * `svclab proxyd`: bring a scenario's lab up on loopback (one proxy daemon per node, one echo
 * server per pod port), print the address map and paste-ready commands, and run until Ctrl-C.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ExitCode, ScenarioError, UsageError } from '../../errors.js';
import type { ClusterState } from '../../model/types.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { ProxyLab } from '../../backends/proxy/lab.js';
import { renderBanner } from '../../backends/proxy/banner.js';
import { startControlServer } from '../../backends/proxy/controlApi.js';
import { ProxyDaemon } from '../../backends/proxy/daemon.js';

export const summary = 'run the proxy daemon for a scenario (real TCP on loopback)';

export const help = `Usage: svclab proxyd --scenario FILE [--at-step N] [--seed N]
       svclab proxyd --daemon [--seed N]

Bring a scenario's lab up on this machine: every node, pod, client and service address gets its
own 127.x.y.z address; one proxy daemon per node listens on the node ports (and the ClusterIP,
external and LoadBalancer IPs) and forwards to small HTTP echo pods (/hostname, /clientip, / JSON).
Prints the address map and shell lines to paste; Ctrl-C stops everything.

Options:
  --scenario FILE   scenario to bring up
  --at-step N       use the cluster state step N (1-based) runs against (default: the initial state)
  --state FILE      a ClusterState as JSON instead of a scenario (for scripts and tests)
  --daemon          run one bare daemon: print its control socket and wait for PUT /state
                    (curl --unix-socket SOCK -X PUT -H 'Content-Type: application/json' -d @state.json http://proxyd/state)
  --seed N          seed for endpoint choices (default: 1)
  --hold-ms MS      how long a dropped connection is held before it is closed (default: 120000)
  -h, --help        show this help
`;

function integer(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${flag} must be an integer from ${min} to ${max} (got '${text}')`);
  return Number(text);
}

async function loadState(values: { scenario?: string; state?: string; 'at-step'?: string }): Promise<{ state: ClusterState; later: ClusterState[]; title: string }> {
  if (values.state !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(values.state, 'utf8'));
    } catch (err) {
      throw new ScenarioError(`${values.state}: cannot read a ClusterState JSON (${(err as Error).message})`);
    }
    const s = parsed as ClusterState;
    if (typeof s !== 'object' || s === null || !s.cluster || !Array.isArray(s.cluster.nodes) || !Array.isArray(s.pods) || !Array.isArray(s.services)) {
      throw new ScenarioError(`${values.state}: expected a ClusterState object with cluster.nodes, pods and services`);
    }
    return { state: s, later: [], title: values.state };
  }
  if (values.scenario === undefined) throw new UsageError('svclab proxyd: --scenario FILE is required (see --help)');
  const { loadScenarioFile } = await import('../../dsl/load.js');
  const scenario: CompiledScenario = await loadScenarioFile(values.scenario);
  const step = integer('at-step', values['at-step'], 0, 0, scenario.steps.length);
  const state = step === 0 ? scenario.initial : scenario.steps[step - 1].state;
  const title = step === 0 ? `lab ${scenario.name}` : `lab ${scenario.name} at step ${step} (${scenario.steps[step - 1].title})`;
  return { state, later: scenario.steps.map((s) => s.state), title };
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** One daemon, as kube-proxy runs one per node: it waits for its desired state on the control API. */
async function runBareDaemon(seed: number, holdMs: number): Promise<number> {
  const daemon = new ProxyDaemon({ seed, holdMs });
  const control = await startControlServer(daemon, 'proxyd');
  const signalled = untilSignal();
  try {
    process.stdout.write(`svclab proxyd: control socket ${control.socketPath}\nready: PUT /state, GET /state, GET /status; Ctrl-C stops\n`);
    const sig = await signalled;
    process.stderr.write(`svclab proxyd: ${sig}, stopping\n`);
    return ExitCode.interrupted;
  } finally {
    await daemon.close();
    await control.close();
  }
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        'at-step': { type: 'string' },
        state: { type: 'string' },
        seed: { type: 'string' },
        'hold-ms': { type: 'string' },
        daemon: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`svclab proxyd: ${(err as Error).message}`);
  }
  if (values.help) {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  if (values.scenario !== undefined && values.state !== undefined) throw new UsageError('svclab proxyd: give --scenario or --state, not both');
  const seed = integer('seed', values.seed, 1, 0, 2 ** 32 - 1);
  const holdMs = integer('hold-ms', values['hold-ms'], 120_000, 1, 3_600_000);
  if (values.daemon) {
    if (values.scenario !== undefined || values.state !== undefined) throw new UsageError('svclab proxyd: --daemon takes its state from the control API, not --scenario or --state');
    return runBareDaemon(seed, holdMs);
  }
  const { state, later, title } = await loadState(values);

  const lab = await ProxyLab.start(state, { seed, laterStates: later, holdMs });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= lab.close());
  const signalled = untilSignal();
  try {
    if (state !== lab.state) await lab.update(state);
    process.stdout.write(renderBanner(lab, state, title));
    const sig = await signalled;
    process.stderr.write(`\nsvclab proxyd: ${sig}, stopping daemons and echo servers\n`);
    return ExitCode.interrupted;
  } finally {
    await stop();
  }
}
