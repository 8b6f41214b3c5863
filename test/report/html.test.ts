import { describe, expect, it } from 'vitest';
import { esc, html, jsonForScript, raw } from '../../src/report/html/escape.js';
import { CSP, renderHtml } from '../../src/report/html/render.js';
import { barChart, niceTicks } from '../../src/report/html/svg.js';
import { emptyRun, HOSTILE_NAME, hostileRun, realisticRun } from './fixtures/runs.js';

/** Attribute values of every element matching `tag.class` in a chunk of markup. */
function elements(markup: string, tag: string, cls: string): Record<string, string>[] {
  const re = new RegExp(`<${tag} class="${cls}"([^>]*?)/?>`, 'g');
  return [...markup.matchAll(re)].map((m) => Object.fromEntries([...m[1].matchAll(/ ([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
}

function embeddedData(page: string): unknown {
  const m = /<script type="application\/json" id="svclab-data">([\s\S]*?)<\/script>/.exec(page);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]);
}

describe('HTML report markup', () => {
  it('is one self-contained document with a CSP that forbids every network request', () => {
    const page = renderHtml(realisticRun());
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
    expect(CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:");
    expect(page).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(page).not.toMatch(/https?:\/\//i);
    expect(page).not.toMatch(/<link rel="stylesheet"|<script [^>]*src=/i);
    expect(page.match(/<script\b/g)).toHaveLength(2); // the data block and the inline client
    expect(page.match(/<style>/g)).toHaveLength(1);
  });

  it('escapes hostile scenario text everywhere: HTML, attributes, SVG and the embedded JSON', () => {
    const result = hostileRun();
    const page = renderHtml(result);
    expect(page).not.toContain(HOSTILE_NAME);
    expect(page).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(page.match(/<script\b/g)).toHaveLength(2);
    expect(page).not.toMatch(/<(?:img|iframe|pod)\b|<b>bold/);
    expect(page).not.toMatch(/<svg onload/i);
    expect(page).not.toContain('<!--');
    expect(page).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(page).not.toContain('\u001b');
    // The hostile pod name reaches the chart's tooltip and label only as text.
    expect(page).toContain('&lt;pod onclick=&quot;x&quot;&gt;: 10 of 30');
    // The embedded data has no raw '<' and still parses back to the exact RunResult.
    const data = /id="svclab-data">([\s\S]*?)<\/script>/.exec(page)![1];
    expect(data).not.toContain('<');
    expect(embeddedData(page)).toEqual(JSON.parse(JSON.stringify(result)));
    expect(page).not.toMatch(/(?:src|href)\s*=\s*["']?https?:/i);
  });

  it('shows locations relative to the working directory outside the embedded data', () => {
    const page = renderHtml(realisticRun());
    const markup = page.replace(/<script type="application\/json"[\s\S]*?<\/script>/, '');
    expect(markup).toContain('<span class="loc">scenarios/kans-nodeport.yaml:33:7</span>');
    expect(markup).not.toContain('/home/ci/svclab');
  });

  it('embeds the RunResult as JSON', () => {
    const result = realisticRun();
    expect(embeddedData(renderHtml(result))).toEqual(JSON.parse(JSON.stringify(result)));
  });

  it('shows backend, seed, date and totals in the header and summary', () => {
    const page = renderHtml(realisticRun());
    expect(page).toContain('<dd data-meta="result">2 passed, 1 failed, 1 error</dd>');
    expect(page).toContain('<dd data-meta="backend">sim</dd>');
    expect(page).toContain('<dd data-meta="seed">42</dd>');
    expect(page).toContain('<dd data-meta="started">2026-11-22 07:12:03 UTC</dd>');
    expect(page).toContain('<div class="total pass" data-total="passed"><b>2</b>passed</div>');
    expect(page).toContain('<div class="total fail" data-total="failed"><b>1</b>failed</div>');
    expect(page).toContain('<title>svclab sim: 2 passed, 1 failed, 1 error</title>');
  });

  it('shows every expectation with its status, message, numbers and file:line, and skip/error reasons', () => {
    const page = renderHtml(realisticRun());
    expect(page.match(/<li class="assertion pass"/g)).toHaveLength(7);
    expect(page.match(/<li class="assertion fail"/g)).toHaveLength(1);
    const failed = /<li class="assertion fail"[\s\S]*?<\/li>/.exec(page)![0];
    expect(failed).toContain('<span class="message">n=300: answers are not weighted: expected deploy-echo-5c689d5454-2cn8m 150.0');
    expect(failed).toContain('p = 1.31e-8 &lt; alpha 0.001');
    expect(failed).toContain('scenarios/wrong/weighted.yaml:23:7');
    expect(failed).toContain('<dt>p-value</dt><dd>1.31e-8</dd>');
    expect(failed).toContain('<th class="num">observed</th>');
    expect(failed).toContain('<dt>α</dt><dd>0.001</dd>');
    expect(failed).toContain('<td class="mono">deploy-echo-5c689d5454-7qjvb</td><td class="num">75</td><td class="num">104</td>');
    expect(page).toContain('<strong>Skipped:</strong> sim does not model the passing of time');
    expect(page).toContain('<strong>Backend error:</strong> proxy backend: daemon exited with code 1');
    expect(page).toContain('<strong>100 × TCP</strong> from <span class="mono">mypc (172.18.0.100)</span> to <span class="mono">CNODE:NPORT</span>');
  });

  it('draws one bar per pod, proportional to the counts, with expected marks', () => {
    const page = renderHtml(realisticRun());
    const failing = page.slice(page.indexOf('<article class="scenario panel" id="s2-'));
    const chart = /<svg class="chart"[\s\S]*?<\/svg>/.exec(failing)![0];
    const bars = elements(chart, 'rect', 'bar');
    expect(bars.map((b) => Number(b['data-count']))).toEqual([98, 104, 98]);
    const perUnit = bars.map((b) => Number(b.width) / Number(b['data-count']));
    for (const r of perUnit) expect(r).toBeCloseTo(perUnit[0], 2);
    const marks = elements(chart, 'line', 'expected');
    expect(marks.map((m) => Number(m['data-expected']))).toEqual([150, 75, 75]);
    // The mark for 150 sits where a bar of 150 would end.
    expect(Number(marks[0].x1) - Number(bars[0].x)).toBeCloseTo(150 * perUnit[0], 0);
    expect(chart).toContain('role="img"');
    expect(chart).toMatch(/aria-label="Answers per pod: deploy-echo-5c689d5454-2cn8m 98 \(expected 150\)/);
    expect(chart).toContain('<title>deploy-echo-5c689d5454-7qjvb: 104 of 300 (34.7%), expected 75 (25.0%)</title>');
  });

  it('barChart scales every row on one axis, zero gets no length', () => {
    const svg = barChart(
      [
        { label: 'a', count: 10 },
        { label: 'b', count: 20, expected: 40 },
        { label: 'c', count: 40 },
        { label: 'd', count: 0 },
      ],
      { total: 70, caption: 'x' },
    );
    const widths = elements(svg, 'rect', 'bar').map((b) => Number(b.width));
    expect(widths[1]).toBeCloseTo(2 * widths[0], 1);
    expect(widths[2]).toBeCloseTo(4 * widths[0], 1);
    expect(widths[3]).toBe(0);
    const mark = elements(svg, 'line', 'expected')[0];
    const bar = elements(svg, 'rect', 'bar')[2];
    expect(Number(mark.x1)).toBeCloseTo(Number(bar.x) + Number(bar.width), 1);
  });

  it('niceTicks steps by 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(150)).toEqual([0, 50, 100, 150]);
    expect(niceTicks(35)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(1)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0)).toEqual([0]);
  });

  it('folds packet traces in <details> (closed) with every hop', () => {
    const page = renderHtml(realisticRun());
    const traces = page.match(/<details class="trace" id="/g) ?? [];
    expect(traces).toHaveLength(7);
    expect(page).not.toContain('<details class="trace" open');
    expect(page).toContain('-j DNAT --to-destination 10.10.2.2:8080');
    expect(page).toContain('<span class="where">myk8s-control-plane · nat/KUBE-NODEPORTS</span>');
  });

  it('renders a run without scenarios', () => {
    const page = renderHtml(emptyRun());
    expect(page).toContain('<h2>Summary: 0 scenarios</h2>');
    expect(page).not.toContain('<article');
    expect(embeddedData(page)).toEqual(JSON.parse(JSON.stringify(emptyRun())));
  });

  it('renders the same run to the same bytes', () => {
    expect(renderHtml(realisticRun())).toBe(renderHtml(realisticRun()));
  });
});

describe('HTML escaping helpers', () => {
  it('esc escapes markup characters and drops control characters', () => {
    expect(esc(`<a href='x'>"&"</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;');
    expect(esc('a\u0000b\u001b[1mc')).toBe('abc');
  });

  it('html escapes interpolations unless they are markup it built', () => {
    const name = '<img src=x>';
    expect(html`<b>${name}</b>`.value).toBe('<b>&lt;img src=x&gt;</b>');
    expect(html`<i>${html`<b>${name}</b>`}</i>`.value).toBe('<i><b>&lt;img src=x&gt;</b></i>');
    expect(html`${[name, raw('<br>')]}${undefined}${false}${0}`.value).toBe('&lt;img src=x&gt;<br>0');
  });

  it('jsonForScript cannot close its script element and parses back unchanged', () => {
    const value = { a: '</script><script>alert(1)</script>', b: '<!-- \u2028 \u2029 & >', n: [1, 2.5, null] };
    const out = jsonForScript(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual(value);
  });
});
