/**
 * A daemon's control API: HTTP over a Unix socket (mode 0600, in a private 0700 temp dir), so only
 * this user can talk to it. `PUT /state` replaces the desired state (strictly validated first; a bad
 * request gets a JSON error and changes nothing), `GET /state` returns it, `GET /status` shows
 * listeners and counters.
 */
import http from 'node:http';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ProxyDaemon } from './daemon.js';
import { DesiredStateError, MAX_STATE_BYTES, validateDesiredState, type DesiredState } from './desiredState.js';

export interface ControlServer {
  socketPath: string;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_STATE_BYTES) {
        reject(new DesiredStateError(`request body larger than ${MAX_STATE_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Serialize applies: a second PUT waits for the first reconcile to finish. */
function serial(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

async function handle(daemon: ProxyDaemon, req: http.IncomingMessage, res: http.ServerResponse, queue: ReturnType<typeof serial>): Promise<void> {
  const url = (req.url ?? '/').split('?')[0];
  if (url === '/state' && req.method === 'GET') return send(res, 200, daemon.desired ?? null);
  if (url === '/status' && req.method === 'GET') {
    return send(res, 200, { node: daemon.desired?.node ?? null, listening: daemon.listening(), stats: daemon.stats });
  }
  if (url === '/state' && req.method === 'PUT') {
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      return send(res, 415, { error: 'Content-Type must be application/json' });
    }
    let state: DesiredState;
    try {
      const text = await readBody(req);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new DesiredStateError(`body is not JSON: ${(err as Error).message}`);
      }
      state = validateDesiredState(parsed);
    } catch (err) {
      if (err instanceof DesiredStateError) return send(res, 400, { error: err.message });
      throw err;
    }
    const current = daemon.desired;
    if (current && current.node !== state.node) {
      return send(res, 409, { error: `this daemon runs node '${current.node}', not '${state.node}'` });
    }
    try {
      await queue(() => daemon.apply(state));
    } catch (err) {
      return send(res, 409, { error: (err as Error).message });
    }
    return send(res, 200, { applied: true, listening: daemon.listening() });
  }
  return send(res, 404, { error: `no such endpoint: ${req.method} ${url} (use PUT /state, GET /state, GET /status)` });
}

/** Serve a daemon's control API on a fresh Unix socket in a private temp dir. */
export async function startControlServer(daemon: ProxyDaemon, name: string): Promise<ControlServer> {
  if (!/^[A-Za-z0-9._-]{1,63}$/.test(name)) throw new Error(`control socket name '${name}' is not a safe file name`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'svclab-proxyd-'));
  await fs.chmod(dir, 0o700);
  const socketPath = path.join(dir, `${name}.sock`);
  const queue = serial();
  const server = http.createServer((req, res) => {
    handle(daemon, req, res, queue).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: (err as Error).message });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await fs.chmod(socketPath, 0o600);
  return {
    socketPath,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Reply of the control API: status code and parsed JSON body. */
export interface ControlReply {
  status: number;
  body: unknown;
}

/** Send one request to a control socket. */
export function controlRequest(socketPath: string, method: string, urlPath: string, body?: string): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method, path: urlPath, headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: text });
          }
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`control request to ${socketPath} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** PUT a desired state; throws with the daemon's error message unless it was applied. */
export async function putState(socketPath: string, state: DesiredState): Promise<void> {
  const reply = await controlRequest(socketPath, 'PUT', '/state', JSON.stringify(state));
  if (reply.status !== 200) {
    const msg = (reply.body as { error?: string } | null)?.error ?? JSON.stringify(reply.body);
    throw new Error(msg);
  }
}
