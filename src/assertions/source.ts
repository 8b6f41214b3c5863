/**
 * The source address the pod saw: the client's own (no SNAT), an address of the node the request
 * entered (SNAT/MASQUERADE on that node), or a literal address. Only answered requests count.
 */
import type { SourceExpectation } from '../model/scenario.js';
import { podGatewayAddress } from '../model/pod-network.js';
import type { ClusterState } from '../model/types.js';
import type { Observation } from '../observe/observation.js';
import type { Assertion } from './context.js';
import { answered, countBy, formatCounts, result } from './context.js';

/** Every address traffic leaving a node can carry: its node addresses and its pod gateway. */
export function nodeAddresses(state: ClusterState, nodeName: string): string[] | undefined {
  const node = state.cluster.nodes.find((n) => n.name === nodeName);
  if (node === undefined) return undefined;
  const gateway = podGatewayAddress(state.cluster, node);
  return gateway === undefined ? [...node.addresses] : [...node.addresses, gateway];
}

function describeExpected(e: SourceExpectation, clientAddress: string): string {
  if (e.seen === 'client') return `the client address ${clientAddress}`;
  if (e.seen === 'ingress-node') return 'an address of the node the request entered';
  return e.seen.address;
}

export const checkSource: Assertion<SourceExpectation> = (expectation, observations, context) => {
  const ok = answered(observations);
  const clientAddress = context.traffic.from.address;
  const seen = countBy(ok, (o) => o.sourceSeen ?? 'not reported');
  const details: Record<string, unknown> = { n: ok.length, expected: expectation.seen, observed: Object.fromEntries(seen) };
  const want = describeExpected(expectation, clientAddress);
  if (ok.length === 0) {
    return result('sourceSeen', false, `expected pods to see ${want}, but none of ${observations.length} requests was answered`, expectation.loc, context.cwd, details);
  }
  const unreported = ok.filter((o) => o.sourceSeen === undefined).length;
  if (unreported > 0) {
    return result('sourceSeen', false, `backend ${context.backend} did not report the source address for ${unreported} of ${ok.length} answers`, expectation.loc, context.cwd, details);
  }
  const wrong: Observation[] = [];
  const problems = new Set<string>();
  for (const o of ok) {
    if (expectation.seen === 'client') {
      if (o.sourceSeen !== clientAddress) wrong.push(o);
    } else if (expectation.seen === 'ingress-node') {
      if (o.ingressNode === undefined) {
        problems.add(`backend ${context.backend} did not report the ingress node for some answers`);
        wrong.push(o);
        continue;
      }
      const addresses = nodeAddresses(context.state, o.ingressNode);
      if (addresses === undefined) {
        problems.add(`ingress node ${o.ingressNode} is not in the cluster`);
        wrong.push(o);
      } else if (!addresses.includes(o.sourceSeen as string)) {
        problems.add(`${o.ingressNode} has ${addresses.join(', ')}`);
        wrong.push(o);
      }
    } else if (o.sourceSeen !== expectation.seen.address) {
      wrong.push(o);
    }
  }
  if (wrong.length === 0) {
    return result('sourceSeen', true, `pods saw ${want}: ${formatCounts(seen)}`, expectation.loc, context.cwd, details);
  }
  const extra = problems.size > 0 ? ` (${[...problems].join('; ')})` : '';
  return result(
    'sourceSeen',
    false,
    `expected pods to see ${want}, but ${wrong.length} of ${ok.length} answers saw another source; seen: ${formatCounts(seen)}${extra}`,
    expectation.loc,
    context.cwd,
    details,
  );
};
