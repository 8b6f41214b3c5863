/**
 * The proxy backend's curl: one fresh TCP connection per request from a chosen local (loopback)
 * address, a plain HTTP/1.1 GET, and the outcome classified by errno as curl users know it.
 */
import net from 'node:net';
/** errno -> outcome, as a client tells refused, reset, unreachable apart. */
export function classifyErrno(code) {
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
function parseHttp(raw) {
    const text = raw.toString('utf8');
    const split = text.indexOf('\r\n\r\n');
    if (split < 0)
        return undefined;
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
    if (!m)
        return undefined;
    return { status: Number(m[1]), body: text.slice(split + 4) };
}
/** One request on a fresh connection. Never rejects: every failure becomes an outcome. */
export function requestOnce(opts) {
    const started = performance.now();
    return new Promise((resolve) => {
        let done = false;
        const chunks = [];
        const sock = net.connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
        const finish = (r) => {
            if (done)
                return;
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
        sock.on('data', (c) => chunks.push(c));
        sock.on('end', () => {
            const raw = Buffer.concat(chunks);
            if (raw.length === 0)
                return finish({ outcome: 'reset', detail: 'connection closed without an answer' });
            const res = parseHttp(raw);
            if (!res)
                return finish({ outcome: 'reset', detail: 'connection closed mid-answer' });
            let answer;
            try {
                const parsed = JSON.parse(res.body);
                if (typeof parsed.pod === 'string')
                    answer = parsed;
            }
            catch {
                answer = undefined;
            }
            finish({ outcome: 'ok', answer, body: answer ? undefined : res.body, detail: `HTTP ${res.status}` });
        });
        sock.on('error', (err) => {
            const outcome = classifyErrno(err.code);
            finish({ outcome: outcome ?? 'reset', detail: `${err.code ?? 'error'}: ${err.message}` });
        });
    });
}
/** Run `count` tasks with at most `concurrency` in flight; results keep task order. */
export async function runBounded(count, concurrency, task, signal) {
    const results = new Array(count);
    let next = 0;
    const worker = async () => {
        while (next < count) {
            if (signal?.aborted)
                throw signal.reason ?? new Error('aborted');
            const i = next++;
            results[i] = await task(i);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
    return results;
}
//# sourceMappingURL=trafficClient.js.map