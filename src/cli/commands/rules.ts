/**
 * `svclab rules <scenario> --node NAME [--at-step N]`: print the filter and nat tables kube-proxy
 * (iptables mode) would write on one node of the scenario's cluster, as iptables-restore input.
 */
import { ExitCode, UsageError } from '../../errors.js';
import type { ClusterState } from '../../model/types.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { renderNodeRules, type RenderOptions } from '../../kubeproxy/iptables/render.js';
import { parseCommandArgs } from '../options.js';

export const summary = 'print the iptables rules kube-proxy would write on a node';

export const help = `Usage: svclab rules <scenario> --node NAME [--at-step N] [options]

Print the filter and nat tables kube-proxy (iptables mode) would write on one node of the
scenario's cluster, in iptables-save format (loadable with iptables-restore).

Options:
  --node NAME       the node whose rules to print (required)
  --at-step N       use the cluster state step N (1-based) runs against (default: the initial state)
  --no-hooks        only kube-proxy's own restore text: no builtin chains and jump rules
  --no-nfacct       leave out the nfacct counter matches (for kernels without xt_nfacct)
  --random-fully    MASQUERADE with --random-fully, as kube-proxy writes when iptables supports it
  -h, --help        show this help

Exit codes: 0 printed, 2 usage error (unknown node, bad step), 3 invalid scenario.
`;

interface RulesArgs {
  scenario: string;
  node: string;
  atStep: number;
  options: RenderOptions;
}

function parse(argv: string[]): RulesArgs | 'help' {
  const parsed = parseCommandArgs(
    'rules',
    {
      args: argv,
      options: {
        node: { type: 'string' },
        'at-step': { type: 'string' },
        'no-hooks': { type: 'boolean' },
        'no-nfacct': { type: 'boolean' },
        'random-fully': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    },
    `\n${help}`,
  );
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(`svclab rules: expected exactly one scenario file, got ${positionals.length}\n\n${help}`);
  }
  if (values.node === undefined || values.node === '') throw new UsageError(`svclab rules: --node NAME is required\n\n${help}`);
  let atStep = 0;
  if (values['at-step'] !== undefined) {
    if (!/^\d+$/.test(values['at-step'])) {
      throw new UsageError(`svclab rules: --at-step must be a step number (got '${values['at-step']}')`);
    }
    atStep = Number(values['at-step']);
  }
  return {
    scenario: positionals[0],
    node: values.node,
    atStep,
    options: {
      hooks: !values['no-hooks'],
      nfacct: !values['no-nfacct'],
      randomFully: values['random-fully'] === true,
    },
  };
}

/** The state step `atStep` (1-based) runs against; 0 is the initial state. */
export function stateAtStep(scenario: CompiledScenario, atStep: number): ClusterState {
  if (atStep === 0) return scenario.initial;
  if (atStep > scenario.steps.length) {
    throw new UsageError(
      `svclab rules: --at-step ${atStep} is past the last step; ${scenario.name} has ${scenario.steps.length} step(s)`,
    );
  }
  return scenario.steps[atStep - 1].state;
}

/** Rules text for a loaded scenario, or a UsageError naming the nodes when `node` is unknown. */
export function rulesFor(scenario: CompiledScenario, node: string, atStep: number, options: RenderOptions): string {
  const state = stateAtStep(scenario, atStep);
  const names = state.cluster.nodes.map((n) => n.name);
  if (!names.includes(node)) {
    throw new UsageError(`svclab rules: unknown node '${node}'; the nodes of ${scenario.name} are: ${names.join(', ')}`);
  }
  return renderNodeRules(state, node, options);
}

export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  const { loadScenarioFile } = await import('../../dsl/load.js');
  const scenario = await loadScenarioFile(args.scenario);
  const text = rulesFor(scenario, args.node, args.atStep, args.options);
  const mode = stateAtStep(scenario, args.atStep).cluster.kubeProxy.mode;
  if (mode !== 'iptables') {
    process.stderr.write(`svclab rules: note: ${scenario.name} runs kube-proxy in ${mode} mode; these are the rules iptables mode would write\n`);
  }
  process.stdout.write(text);
  return ExitCode.ok;
}
