/**
 * `svclab trace`: the path of one packet through kube-proxy's rules (iptables or nftables mode),
 * every random branch with its exact probability. Over a scenario (rules rendered per node in the
 * scenario's kube-proxy mode, walked through the simulated network) or over a real node's dump
 * (`--rules`: `iptables-save` or `nft list ruleset` output, told apart by the text itself).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ExitCode, ScenarioError, UsageError } from '../../errors.js';
import type { CompiledScenario } from '../../model/scenario.js';
import type { ClusterState } from '../../model/types.js';
import type { TraceHop } from '../../observe/observation.js';
import { parseIPv4 } from '../../evaluators/iptables/ip.js';
import { readAnyDump, type DumpFormat } from '../../evaluators/dump-format.js';
import { traceHookRules, type RulesTraceResult } from '../../evaluators/trace-dump.js';
import type { Sender } from '../../backends/sim/network.js';
import { simMode, simNetworkFor } from '../../backends/sim/modes.js';
import { exactRequest } from '../../backends/sim/exact.js';
import { branchVerdict, summarizeTrace, TRACE_VERDICTS, type TraceSummary, type TraceVerdict } from '../../backends/sim/trace-summary.js';
import { terminalText } from '../../report/terminal-text.js';
import { SyntaxProblem, parseTerm } from '../../dsl/target.js';
import { ResolveError, resolveHost, resolvePort } from '../../model/variables.js';

export const summary = 'show the path of one packet through the rules';

export const help = `Usage:
  svclab trace <scenario> --from SOURCE --to ADDR:PORT [--proto tcp|udp|sctp] [--node NAME] [--at-step N] [--json]
  svclab trace --rules DUMP --node-ip IP[,IP...] --from ADDRESS --to ADDR:PORT [--proto P] [--json]

Show what kube-proxy's rules do with one packet: every table, chain and rule it matches (with the
rule's text), each NAT rewrite, and the verdict. Random load-balancing rules (iptables
statistic, nftables numgen) are followed down every branch, each with its exact probability.

With a scenario, the rules are the ones the simulator renders for each node and the packet walks
the simulated network (node to node after DNAT, back through conntrack for the reply).
With a scenario in kubeProxy mode nftables, the rules are the nftables ruleset kube-proxy's
nftables proxier writes, walked by the nftables walker.
With --rules, DUMP is what a real node's rules look like when pasted, told apart by the text:
'iptables-save' output, a fragment of it ('iptables-save | grep SVC': no table header, chains not
declared), 'iptables -S' / 'iptables -t nat -S' output, or 'nft list ruleset' output. What
svclab had to assume (a rule's table, kube-proxy's standard chains and hooks left out of the
paste) and rules or tables it cannot evaluate (left out) are printed as warnings; each verdict
comes with a one-line why. Packets from one of the --node-ip addresses are generated on the node
(OUTPUT hook), others arrive (PREROUTING). See docs/trace-input.md.

Options:
  --from SOURCE     a client name, 'node NAME', 'pod NAME', or an IPv4 address
  --to ADDR:PORT    destination: with a scenario, anything a send step takes (CNODE:NPORT,
                    NODE1:31333, CIP:CIPPORT, LBIP:80, clusterIP(web):80, an IPv4 address or a
                    node name and a port); with --rules, IPv4:PORT
  --proto P         tcp (default), udp or sctp
  --node NAME       the node whose rules the packet meets first (default: where the network
                    delivers it)
  --at-step N       use the cluster state step N (1-based) runs against (default: initial state)
  --rules DUMP      trace over pasted rules (iptables-save, a grep of it, iptables -S, or
                    nft list ruleset; a file, or - for stdin) instead of a scenario
  --node-ip IPS     with --rules: the node's addresses, comma-separated (127.0.0.0/8 is implied)
  --json            print {verdict, endpoints, masquerade, path, branches} as JSON
  -h, --help        show this help

Verdicts over a scenario:
${(Object.entries(TRACE_VERDICTS) as [TraceVerdict, string][]).map(([v, text]) => `  ${v.padEnd(11)} ${text}`).join('\n')}
With --rules only ok, local, drop, reject and none (the dump says nothing about routing).
A DUMP that is not a rule dump (or an nft listing that does not parse) exits 3 naming
file:line:col and what was expected; an 'nft -f' script is refused the same way.
kube-proxy in ipvs mode is refused when the scenario loads (exit 3): it is deprecated upstream.
Exit codes: 0 traced, 2 usage error or unreadable dump, 3 invalid scenario, 3 DUMP not a rule
dump or an unparsable nft listing, (ipvs refused).
`;

interface TraceArgs {
  scenario?: string;
  rules?: string;
  nodeIPs: string[];
  from: string;
  /** --to as given: resolved against the scenario (variables, expressions), or literal with --rules. */
  to: string;
  proto: string;
  node?: string;
  atStep: number;
  json: boolean;
}

/** A destination host (address or node name) and port. */
type Target = { host: string; port: number };
/** The arguments with --to resolved. */
type ResolvedArgs = Omit<TraceArgs, 'to'> & { to: Target };

/** `IPv4:PORT` as written, or undefined. */
function literalTarget(text: string): Target | undefined {
  const m = /^(.+):(\d{1,5})$/.exec(text);
  if (!m || parseIPv4(m[1]!) === undefined || Number(m[2]) > 65535) return undefined;
  return { host: m[1]!, port: Number(m[2]) };
}

function parse(argv: string[]): TraceArgs | 'help' {
  // `--from node NAME` / `--from pod NAME` take two words; fold them into one for parseArgs.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--from' && (argv[i + 1] === 'node' || argv[i + 1] === 'pod' || argv[i + 1] === 'client') && argv[i + 2] !== undefined) {
      args.push(a, `${argv[i + 1]}:${argv[i + 2]}`);
      i += 2;
    } else args.push(a);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        proto: { type: 'string' },
        node: { type: 'string' },
        'at-step': { type: 'string' },
        rules: { type: 'string' },
        'node-ip': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(`svclab trace: ${(err as Error).message}\n\n${help}`);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return 'help';
  const fail = (msg: string): never => {
    throw new UsageError(`svclab trace: ${msg}\n\n${help}`);
  };
  if (v.rules === undefined && positionals.length !== 1) fail(`expected one scenario file (or --rules DUMP), got ${positionals.length} arguments`);
  if (v.rules !== undefined && positionals.length) fail(`--rules takes no scenario file (got '${positionals[0]}')`);
  if (!v.from) fail('--from is required');
  if (!v.to) fail('--to ADDR:PORT is required');
  if (!/^.+:[^:]+$/.test(v.to!)) fail(`--to expects ADDR:PORT, got '${v.to}'`);
  const proto = (v.proto ?? 'tcp').toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) fail(`--proto must be tcp, udp or sctp (got '${v.proto}')`);
  let atStep = 0;
  if (v['at-step'] !== undefined) {
    if (!/^\d+$/.test(v['at-step'])) fail(`--at-step must be a step number (got '${v['at-step']}')`);
    atStep = Number(v['at-step']);
  }
  const nodeIPs = (v['node-ip'] ?? '').split(',').filter((s) => s !== '');
  if (v.rules !== undefined) {
    if (!nodeIPs.length) fail('--rules needs --node-ip IP[,IP...] (the addresses of the node the dump comes from)');
    for (const ip of nodeIPs) if (parseIPv4(ip) === undefined) fail(`--node-ip: '${ip}' is not an IPv4 address`);
    if (parseIPv4(v.from!) === undefined) fail(`with --rules, --from must be an IPv4 address (got '${v.from}')`);
    if (literalTarget(v.to!) === undefined) fail(`with --rules, --to must be IPv4:PORT (got '${v.to}')`);
    if (v.node !== undefined || v['at-step'] !== undefined) fail('--node and --at-step only apply to a scenario');
  }
  return {
    scenario: positionals[0],
    rules: v.rules,
    nodeIPs,
    from: v.from!,
    to: v.to!,
    proto,
    node: v.node,
    atStep,
    json: v.json === true,
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  if (args.rules !== undefined) {
    let text: string;
    try {
      text = args.rules === '-' ? await readStdin() : await readFile(args.rules, 'utf8');
    } catch (err) {
      throw new UsageError(`svclab trace: cannot read ${args.rules}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const dump = readAnyDump(text, args.rules === '-' ? '<stdin>' : args.rules);
    const to = literalTarget(args.to)!;
    const result = traceHookRules(dump.rules, { nodeIPs: args.nodeIPs, from: args.from, to: to.host, port: to.port, protocol: args.proto }, dump.explain);
    process.stdout.write(args.json ? JSON.stringify(rulesJson(result, dump.format, dump.readAs, dump.warnings), null, 2) + '\n' : terminalText(formatRules(result, { ...args, to }, dump.readAs, dump.warnings)));
    return ExitCode.ok;
  }
  const { loadScenarioFile } = await import('../../dsl/load.js');
  const scenario = await loadScenarioFile(args.scenario!);
  const state = stateAt(scenario, args.atStep);
  const resolved = { ...args, to: resolveTo(args.to, state, scenario.namespace ?? 'default') };
  const summary = traceScenario(state, resolved);
  process.stdout.write(args.json ? JSON.stringify(scenarioJson(summary), null, 2) + '\n' : terminalText(formatScenario(summary, resolved)));
  return ExitCode.ok;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * --to against the scenario, as a send step reads its target: variables (CNODE:NPORT),
 * expressions (clusterIP(web):80), literals; a node name on the host side stays a node name.
 */
function resolveTo(text: string, state: ClusterState, namespace: string): Target {
  const colon = text.lastIndexOf(':');
  const hostText = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  const readable = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (!(err instanceof SyntaxProblem) && !(err instanceof ResolveError)) throw err;
      const notes = err.notes.length ? ` (${err.notes.join('; ')})` : '';
      throw new UsageError(`svclab trace: --to '${text}': ${err.message}${notes}`);
    }
  };
  const host = state.cluster.nodes.some((n) => n.name === hostText) ? hostText : readable(() => resolveHost(parseTerm(hostText, 0), state, namespace));
  const port = readable(() => resolvePort(parseTerm(portText, colon + 1), state, namespace));
  return { host, port };
}

function stateAt(scenario: CompiledScenario, atStep: number): ClusterState {
  if (atStep === 0) return scenario.initial;
  if (atStep > scenario.steps.length) {
    throw new UsageError(`svclab trace: --at-step ${atStep} is past the last step; ${scenario.name} has ${scenario.steps.length} step(s)`);
  }
  return scenario.steps[atStep - 1]!.state;
}

/** Resolves --from / --to names against the cluster and explores every branch. */
export function traceScenario(state: ClusterState, args: Pick<TraceArgs, 'from' | 'proto' | 'node'> & { to: Target }): TraceSummary {
  const nodes = state.cluster.nodes;
  let sender: Sender;
  const [kind, name] = args.from.includes(':') ? (args.from.split(/:(.*)/) as [string, string]) : ['', args.from];
  if (kind === 'node') {
    if (!nodes.some((n) => n.name === name)) throw new UsageError(`svclab trace: unknown node '${name}'; nodes: ${nodes.map((n) => n.name).join(', ')}`);
    sender = { kind: 'node', name };
  } else if (kind === 'pod') {
    if (!state.pods.some((p) => p.name === name)) throw new UsageError(`svclab trace: unknown pod '${name}'; pods: ${state.pods.map((p) => p.name).join(', ') || '(none)'}`);
    sender = { kind: 'pod', name };
  } else if (kind === 'client' || parseIPv4(args.from) === undefined) {
    const cname = kind === 'client' ? name : args.from;
    if (!state.cluster.clients.some((c) => c.name === cname)) {
      throw new UsageError(`svclab trace: unknown client '${cname}'; clients: ${state.cluster.clients.map((c) => c.name).join(', ') || '(none)'} (or give 'node NAME', 'pod NAME' or an address)`);
    }
    sender = { kind: 'client', name: cname };
  } else sender = { kind: 'address', address: args.from };
  let address = args.to.host;
  if (parseIPv4(address) === undefined) {
    const node = nodes.find((n) => n.name === address);
    if (!node) throw new UsageError(`svclab trace: --to '${address}' is neither an IPv4 address nor a node name`);
    address = node.addresses.find((a) => parseIPv4(a) !== undefined)!;
  }
  if (args.node !== undefined && !nodes.some((n) => n.name === args.node)) {
    throw new UsageError(`svclab trace: unknown node '${args.node}'; nodes: ${nodes.map((n) => n.name).join(', ')}`);
  }
  const mode = simMode(state.cluster.kubeProxy.mode);
  if ('unsupported' in mode) throw new ScenarioError(`svclab trace: ${mode.unsupported}`);
  const net = simNetworkFor(state);
  return summarizeTrace(exactRequest(net, { sender, address, port: args.to.port, protocol: args.proto, now: 1, sport: 40000, viaNode: args.node, trace: true }));
}

/**
 * A branch probability for JSON: products of kube-proxy's 10-decimal statistic probabilities,
 * rounded to 12 decimal places so float noise (0.33333333335000004) does not reach readers.
 */
const exact = (p: number): number => Number(p.toFixed(12));

function scenarioJson(s: TraceSummary) {
  const top = [...s.branches].sort((a, b) => b.probability - a.probability)[0];
  return {
    verdict: s.verdict,
    endpoints: s.endpoints.map((e) => ({ endpoint: e.endpoint, pod: e.pod, node: e.node, probability: exact(e.probability) })),
    masquerade: s.masquerade,
    path: top?.result.trace ?? [],
    branches: s.branches.map((b) => ({
      probability: exact(b.probability),
      verdict: branchVerdict(b.result),
      outcome: b.result.outcome,
      masquerade: b.result.masqueraded,
      endpoint: b.result.endpoint,
      pod: b.result.pod,
      node: b.result.node,
      sourceSeen: b.result.sourceSeen,
      ingressNode: b.result.ingressNode,
      detail: b.result.detail,
      path: b.result.trace,
    })),
  };
}

function rulesJson(r: RulesTraceResult, format: DumpFormat, readAs: string, warnings: string[]) {
  const top = [...r.branches].sort((a, b) => b.probability - a.probability)[0];
  return {
    format,
    readAs,
    warnings,
    verdict: r.verdict,
    why: r.why,
    endpoints: r.endpoints.map((e) => ({ ...e, probability: exact(e.probability) })),
    masquerade: r.masquerade,
    path: top?.path ?? [],
    branches: r.branches.map((b) => ({ ...b, probability: exact(b.probability) })),
  };
}

const pct = (p: number) => `${(p * 100).toFixed(p === 1 ? 0 : 4)}%`;

function formatHops(hops: TraceHop[]): string[] {
  let where = '';
  const out: string[] = [];
  for (const h of hops) {
    const at = [h.node, h.table, h.chain].filter(Boolean).join(' ');
    if (at !== where) {
      out.push(`    [${at}]`);
      where = at;
    }
    out.push(h.rule ? `      ${h.rule}\n        => ${h.note}` : `      ${h.note}`);
  }
  return out;
}

function formatScenario(s: TraceSummary, args: ResolvedArgs): string {
  const lines = [`${args.proto} ${args.from.replace(':', ' ')} -> ${args.to.host}:${args.to.port}`];
  s.branches.forEach((b, i) => {
    const r = b.result;
    const v = branchVerdict(r);
    const what = r.outcome === 'ok' ? `${v}: ${r.pod ? `pod ${r.pod}` : r.host ? `host ${r.host}` : `node ${r.node}`} at ${r.endpoint}, source seen ${r.sourceSeen}` : `${v}, ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`;
    lines.push('', `branch ${i + 1} of ${s.branches.length}, probability ${pct(b.probability)}: ${what}${r.masqueraded ? ' (masqueraded)' : ''}`);
    lines.push(...formatHops(r.trace));
  });
  lines.push('', `verdict: ${s.verdict}${s.masquerade ? ' (masqueraded)' : ''}: ${TRACE_VERDICTS[s.verdict]}`);
  for (const e of s.endpoints) lines.push(`  ${e.endpoint.padEnd(22)} ${pct(e.probability).padStart(9)}  ${e.pod ? `pod ${e.pod}` : e.host ? `host ${e.host}` : ''}${e.node ? ` on ${e.node}` : ''}`);
  return lines.join('\n') + '\n';
}

function formatRules(r: RulesTraceResult, args: ResolvedArgs, readAs: string, warnings: string[]): string {
  const lines = [`read as ${readAs}`, ...warnings.map((w) => `warning: ${w}`), '', `${args.proto} ${args.from} -> ${args.to.host}:${args.to.port} on a node with ${args.nodeIPs.join(', ')} (${readAs} dump)`];
  r.branches.forEach((b, i) => {
    lines.push('', `branch ${i + 1} of ${r.branches.length}, probability ${pct(b.probability)}: ${b.verdict}${b.endpoint ? ` ${b.endpoint}` : ''}${b.masquerade ? ' (masqueraded)' : ''}`, `  why: ${b.why}`);
    lines.push(...formatHops(b.path));
  });
  lines.push('', `verdict: ${r.verdict}${r.masquerade ? ' (masqueraded)' : ''}`, `why: ${r.why}`);
  for (const e of r.endpoints) lines.push(`  ${e.endpoint.padEnd(22)} ${pct(e.probability).padStart(9)}`);
  return lines.join('\n') + '\n';
}
