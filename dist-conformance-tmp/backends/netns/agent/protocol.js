/** The errno of a failed request, as the outcome a scenario talks about. */
export function classifyErrno(code) {
    switch (code) {
        case 'ECONNREFUSED':
            return 'refused';
        case 'ETIMEDOUT':
            return 'timeout';
        case 'ECONNRESET':
        case 'EPIPE':
        case 'ECONNABORTED':
            return 'reset';
        default:
            // EHOSTUNREACH, ENETUNREACH and anything else that means "no way there".
            return 'unreachable';
    }
}
/** The echo pod's JSON answer, or undefined when the body is something else. */
export function parseEchoReply(body) {
    try {
        const v = JSON.parse(body);
        if (typeof v.pod !== 'string' || typeof v.peer !== 'string')
            return undefined;
        return {
            pod: v.pod,
            node: typeof v.node === 'string' ? v.node : undefined,
            peer: v.peer,
            local: typeof v.local === 'string' ? v.local : undefined,
            localPort: typeof v.localPort === 'number' ? v.localPort : undefined,
        };
    }
    catch {
        return undefined;
    }
}
//# sourceMappingURL=protocol.js.map