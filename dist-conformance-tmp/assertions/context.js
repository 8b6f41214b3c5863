/** `scenarios/x.yaml:12:7`, relative to the context's directory when inside it. */
export function formatLoc(loc, cwd) {
    const rel = relativeTo(loc.file, cwd);
    return `${rel}:${loc.line}:${loc.col}`;
}
function relativeTo(file, cwd) {
    const base = cwd.endsWith('/') ? cwd : cwd + '/';
    return file.startsWith(base) ? file.slice(base.length) : file;
}
/** Build a result; failures start with the expectation's file:line:col so every message names it. */
export function result(kind, passed, message, loc, cwd, details) {
    const text = passed ? message : `${formatLoc(loc, cwd)}: ${message}`;
    return details === undefined ? { kind, passed, message: text, loc } : { kind, passed, message: text, loc, details };
}
/** Count values by key, keeping first-seen order. */
export function countBy(items, key) {
    const counts = new Map();
    for (const item of items) {
        const k = key(item);
        if (k !== undefined)
            counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return counts;
}
/** "3 ok, 2 timeout" */
export function formatCounts(counts) {
    if (counts.size === 0)
        return 'nothing';
    return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}
/** Only the requests that got an answer. */
export function answered(observations) {
    return observations.filter((o) => o.outcome === 'ok');
}
//# sourceMappingURL=context.js.map