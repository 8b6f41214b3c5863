/**
 * Echo pods: one small HTTP server per pod port on the pod's loopback address, answering like
 * agnhost netexec: `/hostname` -> pod name, `/clientip` -> "ip:port" of the peer it saw (as a
 * scenario address), anything else -> JSON with pod, node and peer. Every answer closes the
 * connection so the server side keeps the TIME_WAIT (clients never run out of ports).
 */
import http from 'node:http';
export class EchoPod {
    spec;
    translate;
    server;
    sockets = new Set();
    constructor(spec, translate) {
        this.spec = spec;
        this.translate = translate;
    }
    get key() {
        return `${this.spec.loopbackIP}:${this.spec.port}`;
    }
    async start() {
        const server = http.createServer((req, res) => this.answer(req, res));
        server.keepAliveTimeout = 1000;
        server.on('connection', (s) => {
            this.sockets.add(s);
            s.on('close', () => this.sockets.delete(s));
        });
        await new Promise((resolve, reject) => {
            server.once('error', (err) => {
                reject(new Error(`echo pod ${this.spec.name}: ${this.spec.loopbackIP}:${this.spec.port} (scenario ${this.spec.scenarioIP}:${this.spec.port}) ` +
                    (err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`)));
            });
            server.listen({ host: this.spec.loopbackIP, port: this.spec.port, backlog: 4096, exclusive: true }, () => resolve());
        });
        server.on('error', () => undefined);
        this.server = server;
    }
    /** Stop listening and cut every connection (the pod is gone). */
    async stop() {
        const server = this.server;
        this.server = undefined;
        for (const s of this.sockets)
            s.destroy();
        if (server)
            await new Promise((r) => server.close(() => r()));
    }
    answer(req, res) {
        const peerIP = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
        const peer = `${peerIP}:${req.socket.remotePort ?? 0}`;
        const seen = `${this.translate(peerIP) ?? peerIP}:${req.socket.remotePort ?? 0}`;
        const path = (req.url ?? '/').split('?')[0];
        req.resume();
        res.setHeader('Connection', 'close');
        if (path === '/hostname' || path === '/hostName') {
            res.setHeader('Content-Type', 'text/plain');
            res.end(this.spec.name);
            return;
        }
        if (path === '/clientip') {
            res.setHeader('Content-Type', 'text/plain');
            res.end(seen);
            return;
        }
        if (path === '/healthz') {
            res.end('ok');
            return;
        }
        const body = {
            pod: this.spec.name,
            hostname: this.spec.name,
            node: this.spec.node,
            endpoint: `${this.spec.scenarioIP}:${this.spec.port}`,
            clientip: seen,
            peer,
        };
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(body, null, 2) + '\n');
    }
}
//# sourceMappingURL=echoPod.js.map