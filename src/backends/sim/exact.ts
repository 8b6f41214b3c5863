/**
 * Exact mode over the simulated network: every random branch (the `statistic` rules and the
 * network's own random choices, such as which node a cloud load balancer picks), each with the
 * product of its probabilities. Used for distribution checks and by `svclab trace --json`.
 */
import type { ExactDistribution } from '../../observe/observation.js';
import { exploreBranches } from '../../evaluators/iptables/explore.js';
import type { WalkOptions } from '../../evaluators/host.js';
import type { RequestResult, Sender, SimNetwork } from './network.js';

export interface ExactBranch {
  result: RequestResult;
  probability: number;
}

export interface ExactSummary extends ExactDistribution {
  masquerade: boolean;
  branches: ExactBranch[];
}

export interface ExactRequest {
  sender: Sender;
  address: string;
  port: number;
  protocol: string;
  now: number;
  sport: number;
  viaNode?: string;
  trace?: boolean;
}

/** Explores every branch without changing the network's state (conntrack entries are undone). */
export function exactRequest(net: SimNetwork, req: ExactRequest): ExactSummary {
  const branches = exploreBranches((chance) => {
    const journal: NonNullable<WalkOptions['journal']> = [];
    try {
      return net.request(req.sender, req.address, req.port, req.protocol, {
        chance,
        now: req.now,
        mutate: false,
        journal,
        sport: req.sport,
        trace: req.trace ?? false,
        viaNode: req.viaNode,
      });
    } finally {
      for (const { host, entry } of journal) host.conntrack.delete(entry);
    }
  });
  return summarize(branches);
}

function summarize(branches: ExactBranch[]): ExactSummary {
  const byEndpoint = new Map<string, { endpoint: string; pod?: string; node?: string; host?: string; probability: number }>();
  let masquerade = false;
  for (const b of branches) {
    const r = b.result;
    if (r.outcome !== 'ok' || !r.endpoint) continue;
    if (r.masqueraded) masquerade = true;
    const e = byEndpoint.get(r.endpoint);
    if (e) e.probability += b.probability;
    else byEndpoint.set(r.endpoint, { endpoint: r.endpoint, pod: r.pod, node: r.node, ...(r.host !== undefined ? { host: r.host } : {}), probability: b.probability });
  }
  const endpoints = [...byEndpoint.values()].sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0));
  let verdict: ExactDistribution['verdict'];
  const podAnswers = endpoints.some((e) => e.pod !== undefined || e.host !== undefined);
  if (podAnswers) verdict = 'ok';
  else if (endpoints.length) verdict = 'local';
  else {
    const mass = new Map<string, number>();
    for (const b of branches) mass.set(b.result.outcome, (mass.get(b.result.outcome) ?? 0) + b.probability);
    const top = [...mass].sort((a, b) => b[1] - a[1])[0]?.[0];
    verdict = top === 'refused' ? 'reject' : top === 'timeout' ? 'drop' : 'none';
  }
  return { verdict, endpoints, masquerade, branches };
}
