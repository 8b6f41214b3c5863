/**
 * The kernel's view of a node's rules: load what kube-proxy would write on that node into a
 * throw-away namespace (inside a sandbox) and read it back with `iptables-save`. Shows how the
 * kernel normalizes the text, e.g. `--probability 0.3333333333` comes back as 0.33333333349
 * (the statistic match stores the probability as a 31-bit fraction). Needs root.
 */
import type { ClusterState } from '../../model/types.js';
import { checkPrerequisites } from './check.js';
import type { RulesFor } from './lab.js';
import { Sandbox } from './sandbox.js';
import { loadRulesInto, stripSaveComments } from './rules.js';

/** `iptables-save` (filter and nat, without timestamp comments) after loading the node's rules. */
export async function kernelRules(state: ClusterState, nodeName: string, rulesFor?: RulesFor): Promise<string> {
  await checkPrerequisites();
  const render = rulesFor ?? (await import('./index.js')).kubeProxyRules;
  if (!state.cluster.nodes.some((n) => n.name === nodeName)) {
    throw new Error(`unknown node '${nodeName}'; nodes: ${state.cluster.nodes.map((n) => n.name).join(', ')}`);
  }
  const sandbox = await Sandbox.open();
  try {
    const hasNfacct = (await sandbox.exec(['nfacct', 'list'])).code === 0;
    await sandbox.execOk(['ip', 'netns', 'add', 'n0']);
    await loadRulesInto(sandbox, 'n0', nodeName, render(state, nodeName, { nfacct: hasNfacct }), hasNfacct);
    const saved = await sandbox.execOk(['ip', 'netns', 'exec', 'n0', 'iptables-save', '-t', 'filter']);
    const nat = await sandbox.execOk(['ip', 'netns', 'exec', 'n0', 'iptables-save', '-t', 'nat']);
    return stripSaveComments(saved + nat);
  } finally {
    await sandbox.close();
  }
}
