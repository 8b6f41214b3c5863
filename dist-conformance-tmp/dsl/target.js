/** A syntax error at `offset` (0-based, inside the text). */
export class SyntaxProblem extends Error {
    offset;
    length;
    notes;
    constructor(message, offset, length, notes = []) {
        super(message);
        this.offset = offset;
        this.length = length;
        this.notes = notes;
    }
}
const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;
const ARG = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$|^[0-9]+$/;
/** Parses one term (host or port side) that starts at `offset` in the original text. */
export function parseTerm(text, offset) {
    const t = text.trim();
    const lead = text.length - text.trimStart().length;
    const at = offset + lead;
    if (t === '')
        throw new SyntaxProblem('missing address or port', offset, 1, ['expected a variable (CNODE, NPORT, ...), an expression such as nodePort(svc), or a literal']);
    if (/^[0-9]+$/.test(t))
        return { kind: 'number', value: Number(t), text: t, offset: at };
    if (/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(t) || t.includes(':'))
        return { kind: 'address', text: t, offset: at };
    const call = /^([A-Za-z][A-Za-z0-9_]*)\s*\((.*)\)$/s.exec(t);
    if (call) {
        const inner = call[2];
        const innerOffset = at + t.indexOf('(') + 1;
        const args = [];
        if (inner.trim() !== '') {
            let pos = 0;
            for (const raw of inner.split(',')) {
                const arg = raw.trim();
                const argAt = innerOffset + pos + (raw.length - raw.trimStart().length);
                if (!ARG.test(arg)) {
                    throw new SyntaxProblem(`invalid argument '${arg}' in ${call[1]}(...)`, argAt, Math.max(1, arg.length), ['expected a name (e.g. a Service, port, node or pod name) or a number']);
                }
                args.push(arg);
                pos += raw.length + 1;
            }
        }
        return { kind: 'call', fn: call[1], args, text: t, offset: at };
    }
    if (IDENT.test(t))
        return { kind: 'var', name: t, text: t, offset: at };
    throw new SyntaxProblem(`cannot read '${t}' as an address or port`, at, t.length, ['expected a variable (CNODE, NPORT, ...), an expression such as nodePort(svc), or a literal']);
}
/** Splits `HOST:PORT` (IPv6 as `[ADDR]:PORT`) into two terms. */
export function parseTarget(text) {
    if (text.startsWith('[')) {
        const close = text.indexOf(']');
        if (close < 0 || text[close + 1] !== ':') {
            throw new SyntaxProblem(`invalid target '${text}'`, 0, text.length, ['expected [IPv6]:PORT, e.g. [fd00::1]:80']);
        }
        return { host: { kind: 'address', text: text.slice(1, close), offset: 1 }, port: parseTerm(text.slice(close + 2), close + 2) };
    }
    let depth = 0;
    let colon = -1;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '(')
            depth++;
        else if (c === ')')
            depth--;
        else if (c === ':' && depth === 0)
            colon = i;
    }
    if (colon < 0) {
        throw new SyntaxProblem(`target '${text}' has no port`, 0, Math.max(1, text.length), ['expected HOST:PORT, e.g. CNODE:NPORT or clusterIP(web):80']);
    }
    return { host: parseTerm(text.slice(0, colon), 0), port: parseTerm(text.slice(colon + 1), colon + 1) };
}
//# sourceMappingURL=target.js.map