/**
 * What `svclab proxyd` prints once a lab is up: the address map, what each daemon listens on, the
 * control sockets, and shell lines a learner can paste (the lab's CNODE/NODEn/NPORT/CIP names).
 */
import type { ClusterState } from '../../model/types.js';
import type { ProxyLab } from './lab.js';
import { terminalText } from '../../report/terminal-text.js';

/** Prefix of a client's shell variable: a client named `path` must not become $PATH. */
export const CLIENT_VARIABLE_PREFIX = 'SVCLAB_';

/** `value` as one shell word in single quotes (a quote inside written as '\''). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The paste-ready assignments: NAME='value' ... (names are fixed or SVCLAB_-prefixed, values quoted). */
export function pasteLine(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ');
}

/**
 * Shell variables for the lab's usual names (CNODE, NODEn, NPORT, CIP, CIPPORT: fixed), as
 * loopback addresses and ports, and one SVCLAB_<NAME> per client.
 */
export function labVariables(lab: ProxyLab, state: ClusterState): Record<string, string> {
  const vars: Record<string, string> = {};
  const cp = state.cluster.nodes.find((n) => n.role === 'control-plane');
  const workers = state.cluster.nodes.filter((n) => n !== cp);
  const primary = (addresses: string[]): string | undefined => addresses.find((a) => lab.map.has(a));
  const cpAddr = cp ? primary(cp.addresses) : undefined;
  if (cpAddr) vars.CNODE = lab.map.loopback(cpAddr);
  workers.forEach((n, i) => {
    const a = primary(n.addresses);
    if (a) vars[`NODE${i + 1}`] = lab.map.loopback(a);
  });
  if (!vars.CNODE && vars.NODE1) vars.CNODE = vars.NODE1;
  const np = state.services.flatMap((s) => s.ports.filter((p) => p.protocol === 'TCP' && p.nodePort !== undefined).map((p) => p.nodePort))[0];
  if (np !== undefined) vars.NPORT = String(np);
  const cipSvc = state.services.find((s) => s.clusterIP && s.clusterIP !== 'None' && s.ports.some((p) => p.protocol === 'TCP'));
  if (cipSvc) {
    vars.CIP = lab.map.loopback(cipSvc.clusterIP);
    vars.CIPPORT = String(cipSvc.ports.find((p) => p.protocol === 'TCP')!.port);
  }
  for (const c of state.cluster.clients) {
    const name = CLIENT_VARIABLE_PREFIX + c.name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    if (/^[A-Z_][A-Z0-9_]*$/.test(name) && !(name in vars)) vars[name] = lab.map.loopback(c.address);
  }
  return vars;
}

export function renderBanner(lab: ProxyLab, state: ClusterState, title: string): string {
  const lines: string[] = [];
  lines.push(`svclab proxyd: ${title} is up on 127.${lab.map.run}.0.0/16 (${lab.nodes.size} daemons, ${lab.runningPods().length} echo servers)`);
  lines.push('', 'Address map (scenario -> loopback):');
  const entries = lab.map.entries();
  const w = Math.max(...entries.map((e) => e.owner.length), 4);
  for (const e of entries) lines.push(`  ${e.kind.padEnd(8)} ${e.owner.padEnd(w)}  ${e.scenario.padEnd(15)} -> ${e.loopback}`);
  lines.push('', 'Daemons (listening | control socket):');
  for (const node of lab.nodes.values()) {
    lines.push(`  ${node.name}: ${node.daemon.listening().join(', ') || '(nothing)'}`);
    lines.push(`    curl -s --unix-socket ${node.control.socketPath} http://proxyd/status`);
  }
  const vars = labVariables(lab, state);
  lines.push('', 'Paste into your shell:');
  lines.push('  ' + pasteLine(vars));
  if (vars.CNODE && vars.NPORT) {
    lines.push('  for i in {1..100}; do curl -s $CNODE:$NPORT/hostname; echo; done | sort | uniq -c');
    const nodes = Object.keys(vars).filter((k) => k === 'CNODE' || /^NODE\d+$/.test(k));
    lines.push(`  for n in ${nodes.map((k) => '$' + k).join(' ')}; do echo ">> $n"; curl -s -m 2 $n:$NPORT/hostname; echo; done`);
    const client = state.cluster.clients[0];
    const clientVar = client ? Object.keys(vars).find((k) => vars[k] === lab.map.loopback(client.address)) : undefined;
    if (clientVar) lines.push(`  curl -s --interface $${clientVar} $CNODE:$NPORT/clientip; echo    # send as ${client.name}; prints the address the pod saw`);
  }
  if (vars.CIP) lines.push('  curl -s -m 2 $CIP:$CIPPORT/hostname; echo    # from outside (no route): times out');
  lines.push('', 'A dropped connection is accepted and held without an answer: use curl -m 2 to see the timeout.');
  lines.push('Source addresses other than the map above (e.g. 127.0.0.1) count as an external client.');
  lines.push('Ctrl-C stops every daemon and echo server.');
  // Names and the title come from the scenario: no control characters reach the terminal.
  return terminalText(lines.join('\n') + '\n');
}
