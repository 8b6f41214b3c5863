/**
 * The differential check of svclab's rule renderers against upstream kube-proxy: each case (a
 * cluster state, a node and a mode) is written by kube-proxy and rendered by svclab in twin
 * namespaces (NodeRulesLab), and the normalized rules must be the same. Every difference is a
 * finding, to be fixed in the renderer (every one found so far was).
 */
import type { ClusterState, ProxyMode } from '../model/types.js';
import { stateWithMode } from '../model/proxy-mode.js';
import type { NodeRulesLab } from '../backends/kube-proxy/node-rules-lab.js';
import { rulesDiff } from '../kubeproxy/rules-diff/index.js';

/** One state to compare on one node in one mode. */
export interface DifferentialCase {
  /** Where it came from: the generator's seed, or a scenario file and step. */
  id: string;
  state: ClusterState;
  node: string;
  mode: ProxyMode;
  /** Feature tags the state exercises (for the coverage table). */
  features: readonly string[];
}

export type CaseStatus = 'same' | 'differs' | 'error';

export interface CaseOutcome {
  id: string;
  node: string;
  mode: ProxyMode;
  features: readonly string[];
  status: CaseStatus;
  /** The normalized diff (differs) or the error message (error). */
  detail?: string;
}

/** Counts and the cases worth reading; memory stays flat however many cases run. */
export interface DifferentialTally {
  cases: number;
  byStatus: Record<CaseStatus, number>;
  byMode: Record<ProxyMode, number>;
  /** How many cases exercised each feature tag. */
  coverage: Map<string, number>;
  /** Every 'differs' and 'error' case. */
  findings: CaseOutcome[];
  notes: Set<string>;
  version: string;
}

export function newTally(): DifferentialTally {
  return {
    cases: 0,
    byStatus: { same: 0, differs: 0, error: 0 },
    byMode: { iptables: 0, nftables: 0 },
    coverage: new Map(),
    findings: [],
    notes: new Set(),
    version: 'unknown',
  };
}

/** Compares one case: kube-proxy's rules against svclab's, both read back from a kernel. */
export async function checkCase(lab: NodeRulesLab, c: DifferentialCase, tally: DifferentialTally): Promise<CaseOutcome> {
  const state = stateWithMode(c.state, c.mode);
  const base = { id: c.id, node: c.node, mode: c.mode, features: c.features };
  let outcome: CaseOutcome;
  try {
    const pair = await lab.compare(state, c.node, c.mode);
    tally.version = pair.version;
    for (const note of pair.notes) tally.notes.add(note);
    const diff = rulesDiff(c.mode, pair.real, pair.ours, {
      a: `kube-proxy ${pair.version} (${c.mode}), node ${c.node}`,
      b: `svclab's renderer, node ${c.node}`,
    });
    outcome = diff === '' ? { ...base, status: 'same' } : { ...base, status: 'differs', detail: diff };
  } catch (err) {
    outcome = { ...base, status: 'error', detail: err instanceof Error ? err.message : String(err) };
  }
  record(tally, outcome);
  return outcome;
}

function record(tally: DifferentialTally, o: CaseOutcome): void {
  tally.cases++;
  tally.byStatus[o.status]++;
  tally.byMode[o.mode]++;
  for (const f of o.features) tally.coverage.set(f, (tally.coverage.get(f) ?? 0) + 1);
  if (o.status !== 'same') tally.findings.push(o);
}
