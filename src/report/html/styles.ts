/**
 * The report's stylesheet, inlined into the page (no external requests). Colours are custom
 * properties with a dark variant through prefers-color-scheme; SVG charts use the same variables.
 */
export const STYLES = `
:root {
  color-scheme: light dark;
  --bg: #f7f8fa; --panel: #ffffff; --fg: #1d2330; --muted: #5f6b7d; --border: #dde2ea;
  --code-bg: #f0f2f6; --accent: #3563c9;
  --pass: #1f8a4c; --pass-bg: #e3f4ea; --fail: #c62f3a; --fail-bg: #fbe6e8;
  --skip: #8a6a00; --skip-bg: #fbf2d5; --error: #a3369b; --error-bg: #f7e4f5;
  --bar: #6d8fd8; --expected: #e0682b; --grid: #e6e9ef;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12151b; --panel: #1a1f28; --fg: #e3e7ee; --muted: #9aa5b6; --border: #2d3442;
    --code-bg: #222937; --accent: #86a8f0;
    --pass: #5cc98a; --pass-bg: #173325; --fail: #f0727b; --fail-bg: #3a1b20;
    --skip: #e2c15a; --skip-bg: #352d12; --error: #e088d8; --error-bg: #35192f;
    --bar: #5b7fcc; --expected: #f59a5f; --grid: #2a3140;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
code, .mono, .loc { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
header.top { padding: 18px 28px 14px; background: var(--panel); border-bottom: 1px solid var(--border); }
header.top h1 { margin: 0 0 8px; font-size: 20px; }
header.top h1 .verdict { font-size: 14px; font-weight: 600; margin-left: 10px; padding: 2px 8px; border-radius: 10px; vertical-align: 3px; }
dl.meta { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 0; }
dl.meta div { display: flex; gap: 6px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; font-weight: 600; }
main { padding: 18px 28px 40px; max-width: 1240px; }
h2 { font-size: 16px; margin: 0 0 10px; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; }
.totals { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 12px; }
.total { min-width: 92px; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--border); }
.total b { display: block; font-size: 20px; }
.total.pass b { color: var(--pass); } .total.fail b { color: var(--fail); }
.total.skip b { color: var(--skip); } .total.error b { color: var(--error); }
svg.statusbar { width: 100%; height: 12px; border-radius: 6px; display: block; background: var(--grid); }
.seg.pass { fill: var(--pass); } .seg.fail { fill: var(--fail); } .seg.skip { fill: var(--skip); } .seg.error { fill: var(--error); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; min-width: 44px; text-align: center; font-size: 11px; font-weight: 700;
  letter-spacing: .03em; padding: 1px 6px; border-radius: 4px; }
.badge.pass, .verdict.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail, .verdict.fail { color: var(--fail); background: var(--fail-bg); }
.badge.skip, .verdict.skip { color: var(--skip); background: var(--skip-bg); }
.badge.error, .verdict.error { color: var(--error); background: var(--error-bg); }
nav.filters { display: flex; gap: 8px; align-items: center; margin: 4px 0 14px; }
nav.filters span, nav.filters label { color: var(--muted); margin-right: 4px; }
nav.filters label { margin-left: 8px; }
nav.filters button { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--border);
  border-radius: 16px; padding: 3px 12px; cursor: pointer; }
nav.filters input { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--border);
  border-radius: 16px; padding: 3px 12px; margin-left: 8px; min-width: 220px; }
nav.filters button[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: var(--panel); }
.empty { color: var(--muted); font-style: italic; }
article.scenario { border-left: 4px solid var(--border); }
article.scenario[data-status="pass"] { border-left-color: var(--pass); }
article.scenario[data-status="fail"] { border-left-color: var(--fail); }
article.scenario[data-status="skip"] { border-left-color: var(--skip); }
article.scenario[data-status="error"] { border-left-color: var(--error); }
article.scenario h3 { margin: 0; font-size: 16px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.sub { color: var(--muted); margin: 4px 0 8px; display: flex; gap: 14px; flex-wrap: wrap; }
.tag { background: var(--code-bg); border-radius: 4px; padding: 0 6px; }
.description { margin: 4px 0 10px; }
.problem { padding: 8px 10px; border-radius: 6px; margin: 8px 0; white-space: pre-wrap; }
.problem.error { background: var(--error-bg); } .problem.skip { background: var(--skip-bg); } .problem.fail { background: var(--fail-bg); }
ol.steps { list-style: none; margin: 8px 0 0; padding: 0; }
li.step { border-top: 1px solid var(--border); padding: 10px 0 8px; }
.step-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.step-title { font-weight: 600; }
.loc, .dur { color: var(--muted); }
.traffic { margin: 6px 0; }
.outcome { display: inline-block; background: var(--code-bg); border-radius: 4px; padding: 0 6px; margin-right: 4px; }
ul.assertions { list-style: none; margin: 6px 0; padding: 0; }
li.assertion { padding: 4px 8px; margin: 3px 0; border-radius: 5px; }
li.assertion.pass { background: var(--pass-bg); } li.assertion.fail { background: var(--fail-bg); }
li.assertion .mark { font-weight: 700; margin-right: 4px; }
li.assertion.pass .mark { color: var(--pass); } li.assertion.fail .mark { color: var(--fail); }
.kind { font-weight: 600; margin-right: 6px; }
.numbers { display: flex; flex-wrap: wrap; gap: 2px 16px; margin: 4px 0 0; font-size: 12.5px; }
.numbers dt { display: inline; color: var(--muted); } .numbers dd { display: inline; margin: 0 0 0 4px; font-weight: 600; }
table.counts { width: auto; min-width: 340px; margin-top: 4px; font-size: 12.5px; }
table.counts td.mono { white-space: nowrap; }
.observed > div { overflow-x: auto; min-width: 0; }
.observed { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 10px 20px; margin: 8px 0; }
@media (max-width: 900px) { .observed { grid-template-columns: 1fr; } }
figure { margin: 0; }
figcaption, .observed h4 { color: var(--muted); font-size: 12px; font-weight: 600; margin: 0 0 4px; }
.observed h4:not(:first-child) { margin-top: 10px; }
svg.chart { width: 100%; max-width: 660px; height: auto; display: block; }
svg.chart .bar { fill: var(--bar); }
svg.chart .expected { stroke: var(--expected); stroke-width: 3; stroke-dasharray: 4 2; }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart text { fill: var(--fg); font-size: 12px; font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
svg.chart .tick { fill: var(--muted); font-size: 11px; }
.legend { font-size: 12px; color: var(--muted); }
.legend .sw { display: inline-block; width: 14px; height: 10px; vertical-align: -1px; margin: 0 4px 0 10px; }
.legend .sw.obs { background: var(--bar); } .legend .sw.exp { border-left: 3px dashed var(--expected); width: 3px; }
details.trace { margin: 4px 0; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); }
details.trace summary { cursor: pointer; padding: 4px 10px; }
details.trace[open] summary { border-bottom: 1px solid var(--border); }
ol.hops { margin: 6px 0; padding: 0 12px 0 40px; }
ol.hops li { margin: 3px 0; }
ol.hops .where { color: var(--accent); font-weight: 600; margin-right: 8px; }
ol.hops code { display: block; background: var(--code-bg); padding: 2px 6px; border-radius: 4px; white-space: pre-wrap; word-break: break-all; }
.explain { margin: 4px 0 0; font-size: 12.5px; }
.explain a { color: var(--accent); }
.explain.missing { color: var(--muted); font-style: italic; }
.no-answers { color: var(--muted); margin: 4px 0; }
.order-note { color: var(--muted); font-size: 12.5px; margin: 4px 0; }
ol.hops li.explains { background: var(--fail-bg); border-radius: 4px; padding: 1px 4px; }
ol.hops .why { color: var(--fail); font-weight: 600; margin-left: 8px; }
.flash, :target { outline: 2px solid var(--accent); outline-offset: 2px; }
section.node-rules { margin-top: 10px; }
section.node-rules h4 { color: var(--muted); font-size: 12px; margin: 0 0 4px; }
details.rules { margin: 4px 0; border: 1px solid var(--border); border-radius: 6px; background: var(--bg); }
details.rules summary { cursor: pointer; padding: 4px 10px; }
details.rules .writer { font-weight: 600; }
details.rules .size { color: var(--muted); }
pre.rules-text { margin: 0; padding: 6px 10px; background: var(--code-bg); overflow-x: auto; font-size: 12px; max-height: 480px; }
.truncated { color: var(--skip); margin: 4px 10px; font-size: 12px; }
a { color: var(--accent); }
footer { color: var(--muted); padding: 0 28px 24px; font-size: 12px; }
@media print { nav.filters { display: none; } details.trace, details.rules { break-inside: avoid; } }
`;
