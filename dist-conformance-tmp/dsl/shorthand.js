/**
 * The traffic shorthand: `<count> <unit> to <target> from <source> [over tcp|udp|sctp] [timeout <d>]`,
 * e.g. `100 curls to CNODE:NPORT from mypc`. Errors name the unexpected word and its position.
 */
import { SyntaxProblem } from './target.js';
export const UNITS = ['curl', 'curls', 'request', 'requests', 'connection', 'connections', 'packet', 'packets'];
export const MAX_COUNT = 100000;
export const DEFAULT_TIMEOUT_MS = 1000;
export const MAX_TIMEOUT_MS = 60000;
/** Splits on spaces, keeping `f(a, b)` together. */
function words(text) {
    const out = [];
    let i = 0;
    while (i < text.length) {
        while (i < text.length && /\s/.test(text[i]))
            i++;
        if (i >= text.length)
            break;
        const start = i;
        let depth = 0;
        while (i < text.length && (depth > 0 || !/\s/.test(text[i]))) {
            if (text[i] === '(')
                depth++;
            else if (text[i] === ')')
                depth = Math.max(0, depth - 1);
            i++;
        }
        out.push({ text: text.slice(start, i), offset: start });
    }
    return out;
}
/** Parses `500ms` / `2s`; undefined when malformed. */
export function parseDuration(text) {
    const m = /^([0-9]+)(ms|s)$/.exec(text);
    if (!m)
        return undefined;
    return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}
export function checkTimeout(ms, offset, length) {
    if (ms <= 0 || ms > MAX_TIMEOUT_MS)
        throw new SyntaxProblem(`timeout ${ms}ms is out of range`, offset, length, ['expected more than 0 and at most 60s']);
    return ms;
}
export function parseProtocol(text) {
    const p = text.toUpperCase();
    return p === 'TCP' || p === 'UDP' || p === 'SCTP' ? p : undefined;
}
/** Parses a source written as `mypc`, `node NAME` or `pod NAME` (also used by the structured form). */
export function parseSource(ws, i, end) {
    const w = ws[i];
    if (w.text === 'node' || w.text === 'pod' || w.text === 'client') {
        const name = ws[i + 1];
        if (name === undefined || i + 1 >= end) {
            throw new SyntaxProblem(`missing ${w.text} name after '${w.text}'`, w.offset, w.text.length, [`expected '${w.text} NAME'`]);
        }
        return { from: { kind: w.text, name: name.text, offset: name.offset }, next: i + 2 };
    }
    return { from: { kind: 'client', name: w.text, offset: w.offset }, next: i + 1 };
}
export function parseSourceText(text) {
    const ws = words(text);
    if (ws.length === 0)
        throw new SyntaxProblem('missing traffic source', 0, 1, ['expected a client name, node NAME or pod NAME']);
    const { from, next } = parseSource(ws, 0, ws.length);
    if (next < ws.length)
        throw new SyntaxProblem(`unexpected '${ws[next].text}' in traffic source`, ws[next].offset, ws[next].text.length, ['expected a client name, node NAME or pod NAME']);
    return from;
}
function unexpected(w, expected) {
    throw new SyntaxProblem(`unexpected '${w.text}' in send shorthand`, w.offset, w.text.length, [`expected ${expected}`]);
}
export function parseShorthand(text) {
    const ws = words(text);
    const endAt = text.length;
    const need = (i, expected) => {
        const w = ws[i];
        if (w === undefined)
            throw new SyntaxProblem('send shorthand ends too early', Math.max(0, endAt - 1), 1, [`expected ${expected}`, 'e.g. 100 curls to CNODE:NPORT from mypc']);
        return w;
    };
    const countWord = need(0, 'a request count');
    if (!/^[0-9]+$/.test(countWord.text))
        unexpected(countWord, 'a request count (e.g. 100)');
    const count = Number(countWord.text);
    if (count < 1 || count > MAX_COUNT)
        throw new SyntaxProblem(`request count ${count} is out of range`, countWord.offset, countWord.text.length, [`expected 1 to ${MAX_COUNT}`]);
    const unit = need(1, `one of: ${UNITS.join(', ')}`);
    if (!UNITS.includes(unit.text))
        unexpected(unit, `one of: ${UNITS.join(', ')}`);
    const to = need(2, "'to'");
    if (to.text !== 'to')
        unexpected(to, "'to'");
    const target = need(3, 'a target HOST:PORT');
    const fromKw = need(4, "'from'");
    if (fromKw.text !== 'from')
        unexpected(fromKw, "'from'");
    need(5, 'a client name, node NAME or pod NAME');
    const { from, next } = parseSource(ws, 5, ws.length);
    let protocol = 'TCP';
    let timeoutMs = DEFAULT_TIMEOUT_MS;
    const seen = new Set();
    let i = next;
    while (i < ws.length) {
        const kw = ws[i];
        if ((kw.text !== 'over' && kw.text !== 'timeout') || seen.has(kw.text)) {
            unexpected(kw, seen.size === 2 ? 'the end of the shorthand' : `${[...['over', 'timeout'].filter((k) => !seen.has(k))].map((k) => `'${k}'`).join(' or ')} or the end of the shorthand`);
        }
        seen.add(kw.text);
        const val = need(i + 1, kw.text === 'over' ? 'tcp, udp or sctp' : 'a duration such as 500ms or 2s');
        if (kw.text === 'over') {
            const p = parseProtocol(val.text);
            if (p === undefined)
                unexpected(val, 'tcp, udp or sctp');
            protocol = p;
        }
        else {
            const ms = parseDuration(val.text);
            if (ms === undefined)
                unexpected(val, 'a duration such as 500ms or 2s');
            timeoutMs = checkTimeout(ms, val.offset, val.text.length);
        }
        i += 2;
    }
    return { count, target: target.text, targetOffset: target.offset, from, protocol, timeoutMs };
}
//# sourceMappingURL=shorthand.js.map