/**
 * `svclab rules --from kube-proxy [--diff]`: the rules upstream kube-proxy writes for a node of
 * the scenario (printed as the kernel holds them), or the normalized difference between those and
 * svclab's renderer's. Runs kube-proxy-host in a sandbox (see NodeRulesLab); needs root and the
 * built program, and says what is missing otherwise (exit 4).
 */
import { ExitCode, UsageError } from '../../errors.js';
import type { CompiledScenario } from '../../model/scenario.js';
import type { ClusterState, ProxyMode } from '../../model/types.js';
import { stateWithMode } from '../../model/proxy-mode.js';
import { kubeProxyRelease, requireHostBinary } from '../../backends/kube-proxy/binary.js';
import { checkKubeProxy, checkMode } from '../../backends/kube-proxy/check.js';
import { NodeRulesLab } from '../../backends/kube-proxy/node-rules-lab.js';
import { rulesDiff } from '../../kubeproxy/rules-diff/index.js';
import { stateAtStep } from './rules.js';

export interface FromKubeProxyArgs {
  /** The node; undefined (with diff) compares every node. */
  node: string | undefined;
  atStep: number;
  mode: ProxyMode;
  diff: boolean;
  /** An older kube-proxy release to ask (--kube-proxy-version); default the pinned one. */
  kubeProxyVersion?: string;
}

/** Prints kube-proxy's rules or the diff; 1 when --diff found a difference. */
export async function rulesFromKubeProxy(scenario: CompiledScenario, args: FromKubeProxyArgs): Promise<number> {
  const state: ClusterState = stateWithMode(stateAtStep(scenario, args.atStep), args.mode);
  const names = state.cluster.nodes.map((n) => n.name);
  if (args.node !== undefined && !names.includes(args.node)) {
    throw new UsageError(`svclab rules: unknown node '${args.node}'; the nodes of ${scenario.name} are: ${names.join(', ')}`);
  }
  const release = kubeProxyRelease(args.kubeProxyVersion);
  await checkKubeProxy(release);
  await checkMode(args.mode);
  requireHostBinary(process.env, release);
  const lab = await NodeRulesLab.open(release);
  const stopOnSignal = () => void lab.close().finally(() => process.exit(ExitCode.interrupted));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    let differs = false;
    const notes = new Set<string>();
    for (const node of args.node !== undefined ? [args.node] : names) {
      const pair = await lab.compare(state, node, args.mode);
      if (!args.diff) {
        process.stdout.write(pair.real);
        continue;
      }
      const diff = rulesDiff(args.mode, pair.real, pair.ours, {
        a: `kube-proxy ${pair.version} (${args.mode} mode), node ${node}, as the kernel holds them`,
        b: `svclab's renderer, node ${node}, loaded and read back the same way`,
      });
      for (const note of pair.notes.filter((n) => !notes.has(n))) {
        notes.add(note);
        process.stderr.write(`svclab rules: note: ${note}\n`);
      }
      if (diff === '') {
        process.stderr.write(`svclab rules: node ${node}: no difference from kube-proxy ${pair.version} (${args.mode} mode)\n`);
      } else {
        differs = true;
        process.stdout.write(diff);
      }
    }
    return differs ? ExitCode.failed : ExitCode.ok;
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await lab.close();
  }
}
