/**
 * The proxy backend's curl: one fresh TCP connection per request from a chosen local (loopback)
 * address, a plain HTTP/1.1 GET, and the outcome classified by errno as curl users know it.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Outcome } from '../../model/scenario.js';
import type { EchoAnswer } from './echoPod.js';

export interface RequestOptions {
  host: string;
  port: number;
  /** Source address to bind (the sender's loopback address). */
  localAddress?: string;
  timeoutMs: number;
  path?: string;
}

export interface RequestResult {
  outcome: Outcome;
  /** Parsed echo answer when the outcome is ok. */
  answer?: EchoAnswer;
  /** Raw body when it was not an echo answer. */
  body?: string;
  detail?: string;
  latencyMs: number;
}

/** errno -> outcome, as a client tells refused, reset, unreachable apart. */
export function classifyErrno(code: string | undefined): Outcome | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    default:
      return undefined;
  }
}

function parseHttp(raw: Buffer): { status: number; body: string } | undefined {
  const text = raw.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!m) return undefined;
  return { status: Number(m[1]), body: text.slice(split + 4) };
}

/** One request on a fresh connection. Never rejects: every failure becomes an outcome. */
export function requestOnce(opts: RequestOptions): Promise<RequestResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const chunks: Buffer[] = [];
    const sock = net.connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    const finish = (r: Omit<RequestResult, 'latencyMs'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ ...r, latencyMs: performance.now() - started });
    };
    const timer = setTimeout(() => finish({ outcome: 'timeout', detail: `no answer within ${opts.timeoutMs} ms` }), opts.timeoutMs);
    sock.setNoDelay(true);
    sock.on('connect', () => {
      sock.write(`GET ${opts.path ?? '/'} HTTP/1.1\r\nHost: ${opts.host}:${opts.port}\r\nUser-Agent: svclab\r\nConnection: close\r\n\r\n`);
    });
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (raw.length === 0) return finish({ outcome: 'reset', detail: 'connection closed without an answer' });
      const res = parseHttp(raw);
      if (!res) return finish({ outcome: 'reset', detail: 'connection closed mid-answer' });
      let answer: EchoAnswer | undefined;
      try {
        const parsed = JSON.parse(res.body) as EchoAnswer;
        if (typeof parsed.pod === 'string') answer = parsed;
      } catch {
        answer = undefined;
      }
      finish({ outcome: 'ok', answer, body: answer ? undefined : res.body, detail: `HTTP ${res.status}` });
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      const outcome = classifyErrno(err.code);
      finish({ outcome: outcome ?? 'reset', detail: `${err.code ?? 'error'}: ${err.message}` });
    });
  });
}

/**
 * One UDP request on a fresh socket from `localAddress`: one datagram, the echo pod's JSON answer
 * back. No answer in time is a timeout; an ICMP port unreachable (nothing bound) is refused.
 */
export function udpRequestOnce(opts: RequestOptions): Promise<RequestResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const sock = dgram.createSocket('udp4');
    const finish = (r: Omit<RequestResult, 'latencyMs'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve({ ...r, latencyMs: performance.now() - started });
    };
    const timer = setTimeout(() => finish({ outcome: 'timeout', detail: `no answer within ${opts.timeoutMs} ms` }), opts.timeoutMs);
    sock.on('error', (err: NodeJS.ErrnoException) => finish({ outcome: classifyErrno(err.code) ?? 'reset', detail: `${err.code ?? 'error'}: ${err.message}` }));
    sock.on('message', (msg) => {
      let answer: EchoAnswer | undefined;
      try {
        const parsed = JSON.parse(msg.toString('utf8')) as EchoAnswer;
        if (typeof parsed.pod === 'string') answer = parsed;
      } catch {
        answer = undefined;
      }
      finish({ outcome: 'ok', answer, body: answer ? undefined : msg.toString('utf8') });
    });
    sock.bind({ address: opts.localAddress, port: 0 }, () => {
      sock.connect(opts.port, opts.host, () => sock.send('svclab'));
    });
  });
}

/** Run `count` tasks with at most `concurrency` in flight; results keep task order. */
export async function runBounded<T>(count: number, concurrency: number, task: (i: number) => Promise<T>, signal?: AbortSignal): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return results;
}
