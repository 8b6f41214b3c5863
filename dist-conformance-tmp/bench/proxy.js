import { ProxyLab } from '../backends/proxy/lab.js';
import { requestOnce, runBounded } from '../backends/proxy/trafficClient.js';
/** One node, one echo pod, one NodePort service: the smallest lab with both paths to one pod. */
function benchState() {
    return {
        cluster: {
            nodes: [{ name: 'bench-node', role: 'worker', addresses: ['172.18.0.2'], podCIDR: '10.10.1.0/24' }],
            clients: [{ name: 'bench-client', address: '172.18.0.100', routes: [] }],
            clusterCIDR: '10.10.0.0/16',
            serviceCIDR: '10.200.1.0/24',
            nodePortRange: { min: 30000, max: 32767 },
            kubeProxy: { mode: 'iptables', detectLocal: 'ClusterCIDR', masqueradeAll: false, nodePortAddresses: [], localhostNodePorts: true, masqueradeBit: 14 },
        },
        manifests: [],
        deployments: [],
        pods: [
            { namespace: 'default', name: 'bench-echo', node: 'bench-node', ip: '10.10.1.2', labels: { app: 'bench' }, ports: [{ containerPort: 8080, protocol: 'TCP' }], ready: true, serving: true, terminating: false },
        ],
        services: [
            {
                namespace: 'default',
                name: 'bench',
                type: 'NodePort',
                clusterIP: '10.200.1.10',
                selector: { app: 'bench' },
                ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
                externalIPs: [],
                loadBalancerIngress: [],
                externalTrafficPolicy: 'Cluster',
                internalTrafficPolicy: 'Cluster',
                sessionAffinity: 'None',
                sessionAffinityTimeoutSeconds: 10800,
                loadBalancerSourceRanges: [],
            },
        ],
        endpointSlices: [
            {
                namespace: 'default',
                name: 'bench-1',
                serviceName: 'bench',
                addressType: 'IPv4',
                ports: [{ name: '', port: 8080, protocol: 'TCP' }],
                endpoints: [{ addresses: ['10.10.1.2'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'bench-node', pod: 'bench-echo' }],
            },
        ],
    };
}
function percentile(sorted, p) {
    if (sorted.length === 0)
        return NaN;
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[i];
}
const round = (x) => Math.round(x * 1000) / 1000;
async function measure(path, target, concurrency, requests, signal) {
    const started = performance.now();
    const results = await runBounded(requests, concurrency, () => requestOnce({ ...target, timeoutMs: 30_000, path: '/hostname' }), signal);
    const wall = (performance.now() - started) / 1000;
    const ok = results.filter((r) => r.outcome === 'ok');
    const lat = ok.map((r) => r.latencyMs).sort((a, b) => a - b);
    return {
        path,
        concurrency,
        requests,
        errors: requests - ok.length,
        requestsPerSecond: Math.round(ok.length / wall),
        meanMs: round(lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length)),
        p50Ms: round(percentile(lat, 50)),
        p90Ms: round(percentile(lat, 90)),
        p99Ms: round(percentile(lat, 99)),
        maxMs: round(lat[lat.length - 1] ?? NaN),
    };
}
/** Run the benchmark; everything it starts is stopped before it returns or throws. */
export async function benchProxy(opts = {}) {
    const concurrencies = opts.concurrencies ?? [1, 64, 1000];
    const state = benchState();
    const lab = await ProxyLab.start(state, { seed: opts.seed ?? 1, holdMs: 5_000 });
    try {
        const localAddress = lab.map.loopback('172.18.0.100');
        const viaProxy = { host: lab.map.loopback('172.18.0.2'), port: 30080, localAddress };
        const direct = { host: lab.map.loopback('10.10.1.2'), port: 8080, localAddress };
        const figures = [];
        for (const c of concurrencies) {
            const requests = Math.max(opts.requests ?? 2000, c * 4);
            const warm = Math.min(requests, opts.warmup ?? 200);
            // Alternate the paths so neither always runs on a warmer machine.
            for (const [path, target] of [['direct', direct], ['proxyd', viaProxy]]) {
                await runBounded(warm, Math.min(c, 64), () => requestOnce({ ...target, timeoutMs: 30_000 }), opts.signal);
                const f = await measure(path, target, c, requests, opts.signal);
                opts.log?.(`proxy bench: ${path.padEnd(6)} c=${String(c).padStart(4)}  ${f.requestsPerSecond} req/s  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms  errors ${f.errors}`);
                figures.push(f);
            }
        }
        return { name: 'proxy', node: process.version, platform: `${process.platform}-${process.arch}`, figures };
    }
    finally {
        await lab.close();
    }
}
//# sourceMappingURL=proxy.js.map