/**
 * Text cleaning shared by the file reporters (JUnit, HTML). Scenario text is user input and
 * backend messages may carry terminal colour codes; neither may break the document around them.
 */
// CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks, titles).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
// Everything XML 1.0 forbids: C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
// The same characters are unusable in HTML text, so both reporters drop them.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Removes ANSI escape sequences and characters that XML 1.0 does not allow. */
export function cleanText(text) {
    return text.replace(ANSI, '').replace(INVALID_XML, '');
}
/** Seconds with a decimal dot and millisecond precision, as JUnit consumers expect ("1.250"). */
export function seconds(ms) {
    return Number.isFinite(ms) && ms > 0 ? (ms / 1000).toFixed(3) : '0.000';
}
/**
 * A SourceLocation as "file:line:col". Locations carry absolute paths; when one points into the
 * scenario's own file it is shown as the scenario's relative path, as the user typed it.
 */
export function formatLoc(loc, scenarioFile) {
    let file = loc.file;
    if (scenarioFile && file !== scenarioFile && file.startsWith('/')) {
        const rel = scenarioFile.replace(/^\.\//, '');
        if (!rel.startsWith('../') && file.endsWith('/' + rel))
            file = rel;
    }
    return `${file}:${loc.line}:${loc.col}`;
}
/** An assertion message without the leading "file:line:col: " the assertions add to failures (shown separately). */
export function withoutLocPrefix(message, loc) {
    const prefix = new RegExp(`^[^\\n]*?:${loc.line}:${loc.col}: `);
    return message.replace(prefix, '');
}
/**
 * Renders an assertion's kind-specific numbers as short "key: value" lines; nested records
 * (observed/expected per pod) become "a=1, b=2". Used by JUnit text and HTML alike so both show
 * the same numbers.
 */
export function formatDetails(details) {
    if (!details)
        return [];
    const lines = [];
    for (const [key, value] of Object.entries(details)) {
        if (value === undefined)
            continue;
        lines.push(`${key}: ${formatValue(value)}`);
    }
    return lines;
}
/** One value of an assertion's details, compact and deterministic. */
export function formatValue(value) {
    if (typeof value === 'number')
        return formatNumber(value);
    if (typeof value === 'string')
        return value;
    if (typeof value === 'boolean' || value === null)
        return String(value);
    if (Array.isArray(value))
        return value.map(formatValue).join(', ');
    if (typeof value === 'object') {
        return Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${k}=${formatValue(v)}`)
            .join(', ');
    }
    return String(value);
}
/** Integers as is; small values (p-values) in scientific notation; others with 4 significant digits. */
export function formatNumber(n) {
    if (!Number.isFinite(n))
        return String(n);
    if (Number.isInteger(n))
        return String(n);
    const abs = Math.abs(n);
    if (abs !== 0 && abs < 1e-3)
        return n.toExponential(2);
    return String(Number(n.toPrecision(4)));
}
//# sourceMappingURL=sanitize.js.map