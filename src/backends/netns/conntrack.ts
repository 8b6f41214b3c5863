/**
 * Reading and cleaning the nodes' conntrack tables. Reading: a request's entry tells what the
 * kernel did to it (DNAT, SNAT) and which node it entered. Cleaning, the way kube-proxy does it
 * after a change: UDP flows DNATed to an endpoint that no longer serves, and UDP flows to a
 * Service IP that went away. (TCP needs nothing: kube-proxy leaves established TCP alone, and
 * every probe opens a fresh connection.)
 */
import type { ClusterState } from '../../model/types.js';

function udpEndpoints(state: ClusterState): Set<string> {
  const out = new Set<string>();
  for (const slice of state.endpointSlices) {
    if (!slice.ports.some((p) => p.protocol === 'UDP')) continue;
    for (const ep of slice.endpoints) {
      // What kube-proxy programs: ready endpoints, or serving-terminating ones as a fallback.
      if (!ep.conditions.ready && !(ep.conditions.serving && ep.conditions.terminating)) continue;
      for (const a of ep.addresses) out.add(a);
    }
  }
  return out;
}

function udpServiceIPs(state: ClusterState): Set<string> {
  const out = new Set<string>();
  for (const svc of state.services) {
    if (!svc.ports.some((p) => p.protocol === 'UDP')) continue;
    if (svc.clusterIP && svc.clusterIP !== 'None') out.add(svc.clusterIP);
    for (const ip of svc.externalIPs) out.add(ip);
    for (const lb of svc.loadBalancerIngress) out.add(lb.ip);
  }
  return out;
}

/** `conntrack` argument lists (without the netns prefix) to run on every node. */
export function staleFlowDeletions(before: ClusterState, after: ClusterState): string[][] {
  const commands: string[][] = [];
  const nowEndpoints = udpEndpoints(after);
  for (const ip of udpEndpoints(before)) {
    if (!nowEndpoints.has(ip)) commands.push(['conntrack', '-D', '-p', 'udp', '--dst-nat', ip]);
  }
  const nowServices = udpServiceIPs(after);
  for (const ip of udpServiceIPs(before)) {
    if (!nowServices.has(ip)) commands.push(['conntrack', '-D', '-p', 'udp', '--orig-dst', ip]);
  }
  return commands;
}

/** One conntrack entry: original and reply tuples, on a node. */
export interface Flow {
  node: string;
  orig: { src: string; dst: string; sport: number; dport: number };
  reply: { src: string; dst: string; sport: number; dport: number };
  /** e.g. "TIME_WAIT [ASSURED]", "[UNREPLIED]". */
  state: string;
}

/** Parses a `conntrack -L` line (tcp/udp); undefined for anything else. */
export function parseConntrackLine(line: string, node: string): Flow | undefined {
  const tuple = /src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/g;
  const orig = tuple.exec(line);
  const reply = tuple.exec(line);
  if (!orig || !reply) return undefined;
  const state = [/^\S+\s+\d+\s+\d+\s+([A-Z_]+)\s/.exec(line)?.[1], ...(line.match(/\[[A-Z]+\]/g) ?? [])].filter(Boolean).join(' ');
  const t = (m: RegExpExecArray) => ({ src: m[1], dst: m[2], sport: Number(m[3]), dport: Number(m[4]) });
  return { node, orig: t(orig), reply: t(reply), state };
}

/** What the kernel did to a connection, from its conntrack entry: "DNAT …, SNAT … (TIME_WAIT [ASSURED])". */
export function describeFlow(flow: Flow): string {
  const parts: string[] = [];
  if (flow.reply.src !== flow.orig.dst || flow.reply.sport !== flow.orig.dport) {
    parts.push(`DNAT ${flow.orig.dst}:${flow.orig.dport} to ${flow.reply.src}:${flow.reply.sport}`);
  }
  if (flow.reply.dst !== flow.orig.src || flow.reply.dport !== flow.orig.sport) {
    parts.push(`SNAT ${flow.orig.src}:${flow.orig.sport} to ${flow.reply.dst}:${flow.reply.dport}`);
  }
  if (parts.length === 0) parts.push('no NAT');
  return `${parts.join(', ')} on ${flow.node}${flow.state ? ` (conntrack ${flow.state})` : ''}`;
}
