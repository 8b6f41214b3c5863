import { exploreBranches } from '../../netfilter/explore.js';
/** Explores every branch without changing the network's state (conntrack entries are undone). */
export function exactRequest(net, req) {
    const branches = exploreBranches((chance) => {
        const journal = [];
        try {
            return net.request(req.sender, req.address, req.port, req.protocol, {
                chance,
                now: req.now,
                mutate: false,
                journal,
                sport: req.sport,
                trace: req.trace ?? false,
                viaNode: req.viaNode,
            });
        }
        finally {
            for (const { host, entry } of journal)
                host.conntrack.delete(entry);
        }
    });
    return summarize(branches);
}
function summarize(branches) {
    const byEndpoint = new Map();
    let masquerade = false;
    for (const b of branches) {
        const r = b.result;
        if (r.outcome !== 'ok' || !r.endpoint)
            continue;
        if (r.masqueraded)
            masquerade = true;
        const e = byEndpoint.get(r.endpoint);
        if (e)
            e.probability += b.probability;
        else
            byEndpoint.set(r.endpoint, { endpoint: r.endpoint, pod: r.pod, node: r.node, probability: b.probability });
    }
    const endpoints = [...byEndpoint.values()].sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0));
    let verdict;
    const podAnswers = endpoints.some((e) => e.pod !== undefined);
    if (podAnswers)
        verdict = 'ok';
    else if (endpoints.length)
        verdict = 'local';
    else {
        const mass = new Map();
        for (const b of branches)
            mass.set(b.result.outcome, (mass.get(b.result.outcome) ?? 0) + b.probability);
        const top = [...mass].sort((a, b) => b[1] - a[1])[0]?.[0];
        verdict = top === 'refused' ? 'reject' : top === 'timeout' ? 'drop' : 'none';
    }
    return { verdict, endpoints, masquerade, branches };
}
//# sourceMappingURL=exact.js.map