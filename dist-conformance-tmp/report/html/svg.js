/**
 * Server-rendered SVG charts for the HTML report: a tiny element builder and the per-pod
 * distribution chart. Charts work without JavaScript, print, and carry <title> tooltips and
 * role/aria-label for screen readers. Colours come from CSS custom properties (dark mode).
 */
import { esc } from './escape.js';
import { formatNumber } from '../sanitize.js';
/** One SVG element as a string; attribute values and text children are escaped. */
export function el(tag, attrs, children = []) {
    const a = Object.entries(attrs)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => ` ${k}="${esc(typeof v === 'number' ? round(v) : v)}"`)
        .join('');
    const body = Array.isArray(children) ? children.join('') : children;
    return body === '' ? `<${tag}${a}/>` : `<${tag}${a}>${body}</${tag}>`;
}
/** Text content for an SVG element (escaped). */
export function text(value) {
    return esc(value);
}
function round(n) {
    return String(Math.round(n * 100) / 100);
}
/** Tick values from 0 to at least max on a 1/2/5 x 10^k step, at most about 5 of them. */
export function niceTicks(max) {
    if (!(max > 0))
        return [0];
    const rough = max / 4;
    const mag = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= rough) ?? 10 * mag;
    // The last tick is the first at or above max, so the axis ends on a labelled value.
    const last = Math.ceil(max / step - 1e-9);
    const ticks = [];
    for (let i = 0; i <= last; i++)
        ticks.push(Math.round(i * step * 1e6) / 1e6);
    return ticks;
}
const LABEL_W = 230;
const BAR_X = 240;
const BAR_W = 330; // leaves room right of the longest bar for its value label
const ROW_H = 26;
const TOP = 8;
const AXIS_H = 22;
const WIDTH = 660;
const MAX_LABEL = 30;
/**
 * Horizontal bar chart, one row per pod: bar length is proportional to the count (same scale for
 * every row), a dashed mark shows the expected count.
 */
export function barChart(rows, opts) {
    const max = Math.max(1, ...rows.map((r) => Math.max(r.count, r.expected ?? 0)));
    const ticks = niceTicks(max);
    const scaleMax = Math.max(max, ticks[ticks.length - 1] ?? max);
    const x = (v) => BAR_X + (v / scaleMax) * BAR_W;
    const height = TOP + rows.length * ROW_H + AXIS_H;
    const parts = [];
    for (const t of ticks) {
        parts.push(el('line', { class: 'grid', x1: x(t), x2: x(t), y1: TOP - 4, y2: TOP + rows.length * ROW_H }));
        parts.push(el('text', { class: 'tick', x: x(t), y: height - 6, 'text-anchor': 'middle' }, text(formatNumber(t))));
    }
    rows.forEach((row, i) => {
        const y = TOP + i * ROW_H;
        const share = opts.total > 0 ? row.count / opts.total : 0;
        let tip = `${row.label}: ${row.count} of ${opts.total} (${pct(share)})`;
        if (row.expected !== undefined)
            tip += `, expected ${formatNumber(row.expected)} (${pct(opts.total > 0 ? row.expected / opts.total : 0)})`;
        const label = row.label.length > MAX_LABEL ? row.label.slice(0, MAX_LABEL - 1) + '\u2026' : row.label;
        const children = [
            el('title', {}, text(tip)),
            el('text', { class: 'label', x: LABEL_W, y: y + ROW_H / 2 + 4, 'text-anchor': 'end' }, text(label)),
            el('rect', { class: 'bar', 'data-count': row.count, x: BAR_X, y: y + 4, width: (row.count / scaleMax) * BAR_W, height: ROW_H - 8, rx: 2 }),
            el('text', { class: 'value', x: x(Math.max(row.count, row.expected ?? 0)) + 6, y: y + ROW_H / 2 + 4 }, text(`${row.count} (${pct(share)})`)),
        ];
        if (row.expected !== undefined) {
            children.push(el('line', { class: 'expected', 'data-expected': row.expected, x1: x(row.expected), x2: x(row.expected), y1: y + 1, y2: y + ROW_H - 1 }));
        }
        parts.push(el('g', { class: 'row' }, children));
    });
    const aria = `${opts.caption}: ` +
        rows.map((r) => `${r.label} ${r.count}${r.expected !== undefined ? ` (expected ${formatNumber(r.expected)})` : ''}`).join(', ');
    return el('svg', { class: 'chart', viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': aria, preserveAspectRatio: 'xMinYMin meet' }, parts);
}
/** Thin stacked bar of scenario statuses for the summary. */
export function statusBar(segments) {
    const total = segments.reduce((s, x) => s + x.count, 0);
    const W = 600;
    let offset = 0;
    const parts = [];
    for (const seg of segments) {
        if (seg.count === 0)
            continue;
        const w = (seg.count / total) * W;
        parts.push(el('rect', { class: `seg ${seg.status}`, x: offset, y: 0, width: w, height: 12 }, el('title', {}, text(`${seg.count} ${seg.label}`))));
        offset += w;
    }
    const aria = segments.map((s) => `${s.count} ${s.label}`).join(', ');
    return el('svg', { class: 'statusbar', viewBox: `0 0 ${W} 12`, role: 'img', 'aria-label': `Scenarios: ${aria}`, preserveAspectRatio: 'none' }, parts);
}
function pct(share) {
    return `${(share * 100).toFixed(1)}%`;
}
//# sourceMappingURL=svg.js.map