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
import { DesiredStateError, MAX_STATE_BYTES, validateDesiredState } from './desiredState.js';
function send(res, status, body) {
    const text = JSON.stringify(body) + '\n';
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
}
function readBody(req) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        req.on('data', (c) => {
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
function serial() {
    let tail = Promise.resolve();
    return (fn) => {
        const run = tail.then(fn, fn);
        tail = run.catch(() => undefined);
        return run;
    };
}
async function handle(daemon, req, res, queue) {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/state' && req.method === 'GET')
        return send(res, 200, daemon.desired ?? null);
    if (url === '/status' && req.method === 'GET') {
        return send(res, 200, { node: daemon.desired?.node ?? null, listening: daemon.listening(), stats: daemon.stats });
    }
    if (url === '/state' && req.method === 'PUT') {
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
            return send(res, 415, { error: 'Content-Type must be application/json' });
        }
        let state;
        try {
            const text = await readBody(req);
            let parsed;
            try {
                parsed = JSON.parse(text);
            }
            catch (err) {
                throw new DesiredStateError(`body is not JSON: ${err.message}`);
            }
            state = validateDesiredState(parsed);
        }
        catch (err) {
            if (err instanceof DesiredStateError)
                return send(res, 400, { error: err.message });
            throw err;
        }
        const current = daemon.desired;
        if (current && current.node !== state.node) {
            return send(res, 409, { error: `this daemon runs node '${current.node}', not '${state.node}'` });
        }
        try {
            await queue(() => daemon.apply(state));
        }
        catch (err) {
            return send(res, 409, { error: err.message });
        }
        return send(res, 200, { applied: true, listening: daemon.listening() });
    }
    return send(res, 404, { error: `no such endpoint: ${req.method} ${url} (use PUT /state, GET /state, GET /status)` });
}
/** Serve a daemon's control API on a fresh Unix socket in a private temp dir. */
export async function startControlServer(daemon, name) {
    if (!/^[A-Za-z0-9._-]{1,63}$/.test(name))
        throw new Error(`control socket name '${name}' is not a safe file name`);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'svclab-proxyd-'));
    await fs.chmod(dir, 0o700);
    const socketPath = path.join(dir, `${name}.sock`);
    const queue = serial();
    const server = http.createServer((req, res) => {
        handle(daemon, req, res, queue).catch((err) => {
            if (!res.headersSent)
                send(res, 500, { error: err.message });
            else
                res.destroy();
        });
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => resolve());
    });
    await fs.chmod(socketPath, 0o600);
    return {
        socketPath,
        close: async () => {
            server.closeAllConnections();
            await new Promise((r) => server.close(() => r()));
            await fs.rm(dir, { recursive: true, force: true });
        },
    };
}
/** Send one request to a control socket. */
export function controlRequest(socketPath, method, urlPath, body) {
    return new Promise((resolve, reject) => {
        const req = http.request({ socketPath, method, path: urlPath, headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                try {
                    resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
                }
                catch {
                    resolve({ status: res.statusCode ?? 0, body: text });
                }
            });
            res.on('error', reject);
        });
        req.setTimeout(60_000, () => req.destroy(new Error(`control request to ${socketPath} timed out`)));
        req.on('error', reject);
        req.end(body);
    });
}
/** PUT a desired state; throws with the daemon's error message unless it was applied. */
export async function putState(socketPath, state) {
    const reply = await controlRequest(socketPath, 'PUT', '/state', JSON.stringify(state));
    if (reply.status !== 200) {
        const msg = reply.body?.error ?? JSON.stringify(reply.body);
        throw new Error(msg);
    }
}
//# sourceMappingURL=controlApi.js.map