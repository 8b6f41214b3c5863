/**
 * One proxy daemon: the kube-proxy of one node. `apply` reconciles listeners and endpoint sets to a
 * desired state; each accepted connection is routed (routing.ts) and piped to an endpoint with
 * backpressure, held silently (a drop), or reset. Connections to endpoints that remain survive a
 * reconcile; connections to endpoints that were removed are closed.
 */
import net from 'node:net';
import { decide, desiredListeners, endpointKey } from './routing.js';
import { seededRng } from './rng.js';
export class ProxyDaemon {
    opts;
    state;
    services = new Map();
    servers = new Map();
    routes = new Map();
    affinity = new Map();
    conns = new Set();
    rng;
    closed = false;
    stats = { accepted: 0, forwarded: 0, dropped: 0, rejected: 0, upstreamErrors: 0, closedByReconcile: 0 };
    constructor(opts) {
        this.opts = opts;
        this.rng = seededRng(opts.seed);
    }
    get desired() {
        return this.state;
    }
    /** Listening address:port pairs, sorted. */
    listening() {
        return [...this.servers.keys()].sort();
    }
    /**
     * Reconcile to `next`. New listeners are opened first; if any cannot be bound, those opened are
     * closed again and the error is thrown with nothing else changed.
     */
    async apply(next) {
        if (this.closed)
            throw new Error('daemon is closed');
        const wanted = desiredListeners(next);
        const opened = [];
        try {
            for (const [key, route] of wanted) {
                if (this.servers.has(key))
                    continue;
                await this.listen(key, route);
                opened.push(key);
            }
        }
        catch (err) {
            await Promise.all(opened.map((k) => this.closeServer(k)));
            throw err;
        }
        for (const key of [...this.servers.keys()])
            if (!wanted.has(key))
                await this.closeServer(key);
        this.routes = wanted;
        this.state = next;
        this.services = new Map(next.services.map((s) => [s.key, s]));
        this.pruneAffinity();
        this.closeRemovedEndpoints();
    }
    /** Close listeners and every connection. Safe to call twice. */
    async close() {
        this.closed = true;
        for (const c of this.conns) {
            c.client.destroy();
            c.upstream?.destroy();
        }
        this.conns.clear();
        await Promise.all([...this.servers.keys()].map((k) => this.closeServer(k)));
    }
    describe(address) {
        return this.opts.describe ? this.opts.describe(address) : address;
    }
    listen(key, route) {
        // allowHalfOpen: a client that half-closes after its request still gets the whole answer.
        const server = net.createServer({ allowHalfOpen: true }, (sock) => this.onConnection(key, sock));
        return new Promise((resolve, reject) => {
            server.once('error', (err) => {
                const why = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`;
                reject(new Error(`proxy daemon ${this.state?.node ?? ''}: ${this.describe(route.address)} port ${route.port} ${why}`));
            });
            server.listen({ host: route.address, port: route.port, backlog: 4096, exclusive: true }, () => {
                server.removeAllListeners('error');
                server.on('error', () => undefined);
                this.servers.set(key, server);
                resolve();
            });
        });
    }
    closeServer(key) {
        const server = this.servers.get(key);
        this.servers.delete(key);
        if (!server)
            return Promise.resolve();
        // close() stops accepting; established connections stay (they are tracked separately).
        return new Promise((resolve) => server.close(() => resolve()));
    }
    onConnection(listenerKey, client) {
        this.stats.accepted++;
        const tracked = { client };
        this.conns.add(tracked);
        const cleanup = () => {
            this.conns.delete(tracked);
            client.destroy();
            tracked.upstream?.destroy();
        };
        client.on('error', cleanup);
        client.on('close', cleanup);
        const route = this.routes.get(listenerKey);
        const svc = route ? this.services.get(route.serviceKey) : undefined;
        const source = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
        if (!this.state || !route || !svc) {
            this.stats.rejected++;
            client.resetAndDestroy();
            return;
        }
        let table = this.affinity.get(svc.key);
        if (!table)
            this.affinity.set(svc.key, (table = new Map()));
        const decision = decide(this.state, svc, route, source, this.rng, table, Date.now());
        if (decision.kind === 'reject') {
            this.stats.rejected++;
            client.resetAndDestroy();
            return;
        }
        if (decision.kind === 'drop') {
            this.hold(client);
            return;
        }
        this.stats.forwarded++;
        tracked.serviceKey = svc.key;
        tracked.endpoint = endpointKey(decision.endpoint);
        client.pause();
        const upstream = net.connect({
            host: decision.endpoint.address,
            port: decision.endpoint.port,
            localAddress: decision.from,
            allowHalfOpen: true,
        });
        tracked.upstream = upstream;
        upstream.setNoDelay(true);
        client.setNoDelay(true);
        const connectTimer = setTimeout(() => upstream.destroy(new Error('upstream connect timeout')), this.opts.connectTimeoutMs ?? 5000);
        upstream.once('connect', () => {
            clearTimeout(connectTimer);
            // pipe() pauses the faster side when the slower one's buffer is full, and forwards FIN.
            client.pipe(upstream);
            upstream.pipe(client);
            client.resume();
        });
        upstream.on('error', () => {
            clearTimeout(connectTimer);
            this.stats.upstreamErrors++;
            this.conns.delete(tracked);
            if (!client.destroyed)
                client.resetAndDestroy();
        });
        upstream.on('close', () => {
            clearTimeout(connectTimer);
            cleanup();
        });
    }
    /** A drop: the client gets no answer. Its bytes are discarded; it is closed after holdMs. */
    hold(client) {
        this.stats.dropped++;
        const timer = setTimeout(() => client.destroy(), this.opts.holdMs ?? 120_000);
        client.on('data', () => undefined);
        client.on('end', () => client.destroy());
        client.on('close', () => clearTimeout(timer));
    }
    pruneAffinity() {
        for (const [key, table] of this.affinity) {
            const svc = this.services.get(key);
            if (!svc) {
                this.affinity.delete(key);
                continue;
            }
            const live = new Set(svc.endpoints.map(endpointKey));
            for (const [client, entry] of table)
                if (!live.has(entry.endpoint))
                    table.delete(client);
        }
    }
    closeRemovedEndpoints() {
        for (const c of [...this.conns]) {
            if (c.serviceKey === undefined || c.endpoint === undefined)
                continue;
            const svc = this.services.get(c.serviceKey);
            if (svc && svc.endpoints.some((e) => endpointKey(e) === c.endpoint))
                continue;
            this.stats.closedByReconcile++;
            this.conns.delete(c);
            c.client.destroy();
            c.upstream?.destroy();
        }
    }
}
//# sourceMappingURL=daemon.js.map