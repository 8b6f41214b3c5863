/**
 * One request = one `curl` process making one fresh TCP connection and asking agnhost netexec
 * two things over it: `/hostname` (who answered) and `/clientip` (the peer address it saw).
 * curl reuses the connection for the second URL of the same host:port, so both answers come from
 * the same pod; `--fail-early` stops after a failed first attempt (no second connection).
 * Outcomes come from curl's own error text, not its exit code: exit 7 covers refused, no route
 * and unreachable alike, so the verbose "connect to ... failed: <reason>" line decides.
 */
import type { Outcome } from '../../model/scenario.js';
import type { CommandResult } from './exec.js';
import { checkIPv4, checkPort } from './names.js';

/** Marker line curl writes after each transfer (`-w`): status, new connections, local ip/port. */
const MARK = '@svclab';
const WRITE_OUT = `\n${MARK} %{http_code} %{num_connects} %{local_ip} %{local_port}\n`;

/** curl arguments (after the program name) for one request to `ip:port` with `timeoutMs`. */
export function curlArgs(ip: string, port: number, timeoutMs: number): string[] {
  checkIPv4(ip, 'target address');
  checkPort(port, 'target port');
  const connect = (Math.max(timeoutMs, 1) / 1000).toFixed(3);
  // Answering takes milliseconds once connected; the extra 2 s only bounds a stuck server.
  const max = ((Math.max(timeoutMs, 1) + 2000) / 1000).toFixed(3);
  const base = `http://${ip}:${port}`;
  return ['-sS', '-v', '--fail-early', '--connect-timeout', connect, '--max-time', max, '-w', WRITE_OUT, `${base}/hostname`, `${base}/clientip`];
}

/** What one probe found, in real addresses. */
export interface ProbeResult {
  outcome: Outcome;
  /** Pod name the server reported (agnhost /hostname). */
  hostname?: string;
  /** Peer IP the server saw (agnhost /clientip without the port). */
  clientIP?: string;
  /** The sender's own address for this connection (curl %{local_ip}). */
  localIP?: string;
  detail?: string;
}

interface Transfer {
  body: string;
  code: number;
  connects: number;
  localIP: string;
}

function transfers(stdout: string): Transfer[] {
  const out: Transfer[] = [];
  const re = new RegExp(`\\n${MARK} (\\d{3}) (\\d+) (\\S*) (\\S*)\\n`, 'g');
  let last = 0;
  for (let m = re.exec(stdout); m; m = re.exec(stdout)) {
    out.push({ body: stdout.slice(last, m.index), code: Number(m[1]), connects: Number(m[2]), localIP: m[3] });
    last = m.index + m[0].length;
  }
  return out;
}

/** The reason curl gave for a failed connection, lowercased, or undefined. */
function failureText(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => /^curl: \(\d+\)/.test(l) || /^\* .*(fail|timed out|timeout|reset|refused|unreachable|no route)/i.test(l))
    .join(' | ');
}

/** Classify curl's error text into an outcome (refused / timeout / unreachable / reset). */
export function classifyCurlError(exitCode: number | null, stderr: string): { outcome: Outcome; detail: string } {
  const text = failureText(stderr);
  const lower = (text || stderr).toLowerCase();
  const detail = (text || stderr.trim().split('\n').slice(-1)[0] || `curl exited ${String(exitCode)}`).slice(0, 300);
  if (lower.includes('connection refused')) return { outcome: 'refused', detail };
  if (lower.includes('no route to host') || lower.includes('host is unreachable') || lower.includes('network is unreachable') || lower.includes('network unreachable')) {
    return { outcome: 'unreachable', detail };
  }
  if (lower.includes('connection reset') || lower.includes('empty reply from server') || exitCode === 52 || exitCode === 56) return { outcome: 'reset', detail };
  if (exitCode === 28 || lower.includes('timed out') || lower.includes('timeout was reached')) return { outcome: 'timeout', detail };
  // curl 8 says only "Couldn't connect to server" without -v detail: refused and unreachable look alike.
  return { outcome: 'unreachable', detail: `${detail} (curl exit ${String(exitCode)}: reason not reported, counted as unreachable)` };
}

/** Turn one finished curl run into a probe result. */
export function parseProbe(result: CommandResult): ProbeResult {
  if (result.timedOut) return { outcome: 'timeout', detail: 'curl did not finish within its time limit' };
  const ts = transfers(result.stdout);
  if (result.code === 0 && ts.length === 2 && ts[0].code === 200 && ts[1].code === 200) {
    const [host, ip] = ts;
    const r: ProbeResult = { outcome: 'ok', hostname: host.body.trim(), clientIP: stripPort(ip.body.trim()) };
    if (host.localIP) r.localIP = host.localIP;
    // A second connection means the answers may come from two different pods.
    if (ip.connects !== 0) r.detail = 'curl opened a second connection for /clientip; hostname and client IP may come from different pods';
    return r;
  }
  if (result.code === 0) {
    const codes = ts.map((t) => t.code).join(',');
    return { outcome: 'ok', detail: `server answered HTTP ${codes}, not an agnhost netexec reply` };
  }
  const c = classifyCurlError(result.code, result.stderr);
  return { outcome: c.outcome, detail: c.detail };
}

/** "10.244.1.5:41234" -> "10.244.1.5"; "[fd00::1]:80" -> "fd00::1". */
export function stripPort(addr: string): string {
  const v6 = /^\[(.*)\]:\d+$/.exec(addr);
  if (v6) return v6[1];
  return addr.replace(/:\d+$/, '');
}
