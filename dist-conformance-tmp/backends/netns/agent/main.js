/**
 * The sandbox agent. svclab starts it as
 *   unshare --mount --net --pid --fork --kill-child --propagation private -- node main.js --parent <pid>
 * so it runs as PID 1 of a fresh PID namespace, in a fresh network and mount namespace. It mounts a
 * private tmpfs on /run (so `ip netns` names live only here), then runs the commands and workers
 * svclab asks for over stdin/stdout JSON lines. When it ends, for whatever reason, the kernel kills
 * every process of its PID namespace and every lab namespace goes with them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
const workerScript = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');
function send(res) {
    process.stdout.write(JSON.stringify(res) + '\n');
}
function die(message) {
    process.stderr.write(`svclab netns agent: ${message}\n`);
    process.exit(1);
}
function run(argv, input, timeoutMs) {
    return new Promise((resolve) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        const timer = setTimeout(() => {
            stderr += `\nkilled after ${timeoutMs} ms`;
            child.kill('SIGKILL');
        }, timeoutMs);
        child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
        child.on('error', (err) => {
            clearTimeout(timer);
            resolve({ code: 127, stdout, stderr: `${stderr}${err.message}` });
        });
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? 128, stdout, stderr });
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(input ?? '');
    });
}
const workers = new Map();
function startWorker(key, ns) {
    if (workers.has(key))
        return Promise.reject(new Error(`worker ${key} already runs`));
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, workerScript], { stdio: ['pipe', 'pipe', 'pipe'] });
    const worker = { child, pending: new Map(), nextId: 1, stderr: '' };
    workers.set(key, worker);
    child.stderr.setEncoding('utf8').on('data', (d) => (worker.stderr = (worker.stderr + d).slice(-2000)));
    child.stdin.on('error', () => undefined);
    return new Promise((resolve, reject) => {
        let ready = false;
        createInterface({ input: child.stdout }).on('line', (line) => {
            const res = JSON.parse(line);
            if (res.id === 0) {
                ready = true;
                resolve();
                return;
            }
            worker.pending.get(res.id)?.(res);
            worker.pending.delete(res.id);
        });
        child.on('close', (code) => {
            workers.delete(key);
            const error = `worker in ${ns} exited (${code}): ${worker.stderr.trim()}`;
            for (const done of worker.pending.values())
                done({ id: -1, ok: false, error });
            if (!ready)
                reject(new Error(error));
        });
    });
}
function callWorker(key, request) {
    const worker = workers.get(key);
    if (!worker)
        return Promise.reject(new Error(`no worker ${key}`));
    const id = worker.nextId++;
    return new Promise((resolve) => {
        worker.pending.set(id, resolve);
        worker.child.stdin.write(JSON.stringify({ ...request, id }) + '\n');
    });
}
function stopWorker(key) {
    const worker = workers.get(key);
    if (!worker)
        return Promise.resolve();
    return new Promise((resolve) => {
        worker.child.once('close', () => resolve());
        worker.child.kill('SIGKILL');
    });
}
async function handle(req) {
    try {
        switch (req.op) {
            case 'exec':
                return { id: req.id, ok: true, ...(await run(req.argv, req.input, req.timeoutMs)) };
            case 'startWorker':
                await startWorker(req.key, req.ns);
                return { id: req.id, ok: true };
            case 'stopWorker':
                await stopWorker(req.key);
                return { id: req.id, ok: true };
            case 'worker':
                return { id: req.id, ok: true, response: await callWorker(req.key, req.request) };
        }
    }
    catch (err) {
        return { id: req.id, ok: false, error: err.message };
    }
}
function shutdown(code) {
    for (const w of workers.values())
        w.child.kill('SIGKILL');
    process.exit(code);
}
async function main() {
    const i = process.argv.indexOf('--parent');
    const parent = Number(process.argv[i + 1]);
    if (i < 0 || !Number.isInteger(parent) || parent <= 1)
        die('usage: main.js --parent <pid>');
    // Refuse to run anywhere but in a namespace of our own: the host's network is never touched.
    let own;
    try {
        own = readlinkSync('/proc/self/ns/net');
        if (own === readlinkSync(`/proc/${parent}/ns/net`))
            die('not in a private network namespace; refusing to run');
    }
    catch (err) {
        die(`cannot compare network namespaces: ${err.message}`);
    }
    const mounted = await run(['mount', '-t', 'tmpfs', '-o', 'mode=0755,size=16m', 'svclab-run', '/run'], undefined, 10_000);
    if (mounted.code !== 0)
        die(`cannot mount a private /run: ${mounted.stderr.trim()}`);
    mkdirSync('/run/netns', { recursive: true });
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'])
        process.on(sig, () => shutdown(0));
    // svclab gone (even by SIGKILL): stop. stdin EOF covers most cases, the poll the rest.
    // (kill(pid, 0) cannot see the parent from inside the new PID namespace; the host's /proc can.)
    setInterval(() => {
        if (!existsSync(`/proc/${parent}`))
            shutdown(0);
    }, 500).unref();
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
        let req;
        try {
            req = JSON.parse(line);
        }
        catch {
            return;
        }
        void handle(req).then(send);
    });
    lines.on('close', () => shutdown(0));
    send({ id: 0, ok: true, ready: true, pid: process.pid });
}
void main();
//# sourceMappingURL=main.js.map