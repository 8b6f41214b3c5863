/**
 * Escaping for the HTML report. Every piece of text that reaches the page goes through `esc`
 * (scenario names, titles, rules and messages are user input or backend output).
 */
import { cleanText } from '../sanitize.js';
/** Escapes text for HTML element content and quoted attribute values (and SVG inside HTML). */
export function esc(text) {
    return cleanText(String(text))
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
}
/**
 * JSON for a `<script type="application/json">` block: `<` is written as \u003c so no
 * `</script>` or `<!--` can end or confuse the block, and U+2028/U+2029 are escaped for old parsers.
 * The result still parses as the same JSON.
 */
export function jsonForScript(value) {
    return JSON.stringify(value)
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e')
        .replace(/&/g, '\\u0026')
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029');
}
/** A string usable as an element id, derived from arbitrary text plus a position. */
export function idFor(prefix, index, text) {
    const slug = text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40);
    return `${prefix}${index}${slug ? '-' + slug : ''}`;
}
/** Markup that is already safe (built by `html` or the SVG builder); never wrap user text in it. */
export class Raw {
    value;
    constructor(value) {
        this.value = value;
    }
    toString() {
        return this.value;
    }
}
/** Marks already-built markup as safe to insert. */
export function raw(markup) {
    return new Raw(markup);
}
function interpolate(value) {
    if (value instanceof Raw)
        return value.value;
    if (Array.isArray(value))
        return value.map(interpolate).join('');
    if (value === null || value === undefined || value === false || value === true)
        return '';
    return esc(value);
}
/**
 * Tagged template for HTML: every interpolated value is escaped unless it is Raw (markup built by
 * this same tag), so user text cannot become markup by accident. Arrays are joined; null,
 * undefined and booleans render as nothing (for `cond && html\`...\``).
 */
export function html(strings, ...values) {
    let out = strings[0] ?? '';
    values.forEach((v, i) => {
        out += interpolate(v) + (strings[i + 1] ?? '');
    });
    return new Raw(out);
}
//# sourceMappingURL=escape.js.map