/**
 * `svclab rules <scenario> --node NAME [--at-step N]`: print the rules kube-proxy would write on
 * one node of the scenario's cluster, in the scenario's kube-proxy mode: iptables-restore input
 * for iptables mode, nft syntax for nftables mode (the transaction `nft -f` loads, or with
 * `--format list` what `nft list ruleset` prints afterwards). With `--from kube-proxy` the rules
 * come from upstream kube-proxy itself, and `--diff` shows how svclab's differ (see
 * rules-from-kube-proxy.ts).
 */
import { ExitCode, ScenarioError, UsageError } from '../../errors.js';
import type { ClusterState } from '../../model/types.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { renderNodeRules, type RenderOptions } from '../../kubeproxy/iptables/render.js';
import { formatNftList, formatTransaction, renderNftNode } from '../../kubeproxy/nftables/index.js';
import { parseCommandArgs } from '../options.js';

export const summary = 'print the iptables or nftables rules kube-proxy would write on a node';

export const help = `Usage: svclab rules <scenario> --node NAME [--at-step N] [options]

Print the rules kube-proxy would write on one node of the scenario's cluster, in the scenario's
kube-proxy mode (kubeProxy.mode):
  iptables  the filter and nat tables in iptables-save format (loadable with iptables-restore)
  nftables  the ip kube-proxy table: the transaction kube-proxy sends (loadable with nft -f),
            or with --format list what \`nft list ruleset\` prints once it is loaded

With --from kube-proxy, upstream kube-proxy (the kube-proxy backend's kube-proxy-host) writes the
rules into a namespace standing for the node and they are printed as the kernel holds them
(iptables-save, or nft list table ip kube-proxy). With --diff, svclab's rules are loaded into an
identical namespace, both are read back and normalized (canary chains, counters, listing order,
per-service rule order in the dispatch chains, set element order), and the difference is printed
as a unified diff: nothing when they agree. Both need root and the built kube-proxy-host.

Options:
  --node NAME       the node whose rules to print (required; with --diff, default every node)
  --from SOURCE     svclab (default: svclab's renderer) or kube-proxy (upstream's proxier)
  --diff            compare svclab's rules with kube-proxy's; exit 1 when they differ
  --kube-proxy-version V  with --from kube-proxy/--diff: ask an older release built from
                    kube-proxy-host/releases/V.mod (see docs/backends/kube-proxy.md)
  --at-step N       use the cluster state step N (1-based) runs against (default: the initial state)
  --mode MODE       iptables or nftables: overrides the scenario's kubeProxy.mode
  --format FORMAT   nftables only: transaction (default) or list
  --no-hooks        iptables only: kube-proxy's own restore text, no builtin chains and jump rules
  --no-nfacct       iptables only: leave out the nfacct counter matches (kernels without xt_nfacct)
  --random-fully    iptables only: MASQUERADE with --random-fully, as kube-proxy writes when supported
  -h, --help        show this help

Exit codes: 0 printed (with --diff: no difference), 1 with --diff: the rules differ, 2 usage error
(unknown node, bad step or option), 3 invalid scenario or a kube-proxy mode svclab does not render
(ipvs), 4 --from kube-proxy/--diff cannot run here (names what is missing and how to fix it).
`;

export type RulesMode = 'iptables' | 'nftables';
export type RulesFormat = 'transaction' | 'list';

/** How to render: the mode (default: the scenario's) and, for nftables, the text form. */
export interface RulesChoice {
  mode?: RulesMode;
  format?: RulesFormat;
}

interface RulesArgs {
  scenario: string;
  /** Undefined only with --diff: every node. */
  node: string | undefined;
  from: 'svclab' | 'kube-proxy';
  diff: boolean;
  kubeProxyVersion?: string;
  atStep: number;
  options: RenderOptions;
  choice: RulesChoice;
  iptablesFlags: string[];
}

function parse(argv: string[]): RulesArgs | 'help' {
  const parsed = parseCommandArgs(
    'rules',
    {
      args: argv,
      options: {
        node: { type: 'string' },
        from: { type: 'string' },
        diff: { type: 'boolean' },
        'kube-proxy-version': { type: 'string' },
        'at-step': { type: 'string' },
        mode: { type: 'string' },
        format: { type: 'string' },
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
  const diff = values.diff === true;
  if (values.node === '' || (values.node === undefined && !diff)) throw new UsageError(`svclab rules: --node NAME is required\n\n${help}`);
  const from = values.from ?? 'svclab';
  if (from !== 'svclab' && from !== 'kube-proxy') throw new UsageError(`svclab rules: --from must be svclab or kube-proxy (got '${from}')`);
  let atStep = 0;
  if (values['at-step'] !== undefined) {
    if (!/^\d+$/.test(values['at-step'])) {
      throw new UsageError(`svclab rules: --at-step must be a step number (got '${values['at-step']}')`);
    }
    atStep = Number(values['at-step']);
  }
  const choice: RulesChoice = {};
  if (values.mode !== undefined) {
    if (values.mode !== 'iptables' && values.mode !== 'nftables') {
      throw new UsageError(`svclab rules: --mode must be iptables or nftables (got '${values.mode}')`);
    }
    choice.mode = values.mode;
  }
  if (values.format !== undefined) {
    if (values.format !== 'transaction' && values.format !== 'list') {
      throw new UsageError(`svclab rules: --format must be transaction or list (got '${values.format}')`);
    }
    choice.format = values.format;
  }
  const iptablesFlags = (['no-hooks', 'no-nfacct', 'random-fully'] as const).filter((f) => values[f] === true).map((f) => `--${f}`);
  if ((from === 'kube-proxy' || diff) && (values.format !== undefined || iptablesFlags.length > 0)) {
    throw new UsageError(
      `svclab rules: ${[...(values.format !== undefined ? ['--format'] : []), ...iptablesFlags].join(', ')} shape svclab's own printout; ` +
        'kube-proxy\'s rules are printed as the kernel lists them',
    );
  }
  const kubeProxyVersion = values['kube-proxy-version'];
  if (kubeProxyVersion !== undefined && from !== 'kube-proxy' && !diff) {
    throw new UsageError('svclab rules: --kube-proxy-version applies with --from kube-proxy or --diff');
  }
  return {
    scenario: positionals[0],
    node: values.node,
    from,
    diff,
    ...(kubeProxyVersion !== undefined ? { kubeProxyVersion } : {}),
    atStep,
    options: {
      hooks: !values['no-hooks'],
      nfacct: !values['no-nfacct'],
      randomFully: values['random-fully'] === true,
    },
    choice,
    iptablesFlags,
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

/** The mode to render: `--mode` if given, else the scenario's; ipvs is refused with the reason. */
export function rulesMode(scenario: CompiledScenario, state: ClusterState, choice: RulesChoice): RulesMode {
  if (choice.mode !== undefined) return choice.mode;
  const mode = state.cluster.kubeProxy.mode;
  // Scenario files cannot ask for ipvs (the DSL refuses it); a hand-built state still could.
  if ((mode as string) === 'ipvs') {
    throw new ScenarioError(
      `svclab rules: ${scenario.file}: ${scenario.name} runs kube-proxy in ipvs mode, which svclab does not render ` +
        '(IPVS mode is deprecated upstream); pass --mode iptables or --mode nftables to see those rules instead',
    );
  }
  return mode;
}

/**
 * Rules text for a loaded scenario, or a UsageError naming the nodes when `node` is unknown.
 * `options` are the iptables renderer's switches; `choice` picks the mode and nftables format.
 */
export function rulesFor(scenario: CompiledScenario, node: string, atStep: number, options: RenderOptions, choice: RulesChoice = {}): string {
  const state = stateAtStep(scenario, atStep);
  const names = state.cluster.nodes.map((n) => n.name);
  if (!names.includes(node)) {
    throw new UsageError(`svclab rules: unknown node '${node}'; the nodes of ${scenario.name} are: ${names.join(', ')}`);
  }
  const mode = rulesMode(scenario, state, choice);
  if (mode === 'iptables') {
    if (choice.format !== undefined) throw new UsageError('svclab rules: --format applies to nftables mode only');
    return renderNodeRules(state, node, options);
  }
  const rendered = renderNftNode(state, node);
  return choice.format === 'list' ? formatNftList(rendered.ruleset) : formatTransaction(rendered.operations);
}

export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  const { loadScenarioFile } = await import('../../dsl/load.js');
  const scenario = await loadScenarioFile(args.scenario);
  const mode = rulesMode(scenario, stateAtStep(scenario, args.atStep), args.choice);
  if (mode === 'nftables' && args.iptablesFlags.length > 0) {
    throw new UsageError(`svclab rules: ${args.iptablesFlags.join(', ')} apply to iptables mode only`);
  }
  if (args.from === 'kube-proxy' || args.diff) {
    const { rulesFromKubeProxy } = await import('./rules-from-kube-proxy.js');
    return rulesFromKubeProxy(scenario, { node: args.node, atStep: args.atStep, mode, diff: args.diff, kubeProxyVersion: args.kubeProxyVersion });
  }
  process.stdout.write(rulesFor(scenario, args.node!, args.atStep, args.options, args.choice));
  return ExitCode.ok;
}
