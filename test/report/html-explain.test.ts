/**
 * What the HTML report does with failures, on a real simulator run of a scenario whose
 * expectations are wrong on purpose (fixtures/wrong-expectations.yaml): failures first, each
 * failed expectation linked to the hop that explains it, `pods` and `nodes` checks told apart,
 * and outcome counts instead of empty tables for traffic no endpoint answered.
 */
import { describe, expect, it } from 'vitest';
import { explain } from '../../src/report/html/explain.js';
import { renderHtml } from '../../src/report/html/render.js';
import type { AssertionResult, TrafficSummary } from '../../src/report/result.js';
import { passingScenario, realisticRun } from './fixtures/runs.js';
import { wrongRun } from './fixtures/sim-run.js';

/** The markup of the page without the embedded JSON, style and script. */
function markup(page: string): string {
  return page.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/, '');
}

/** The <li> of the failed assertion of `kind` (and data-of) in the step with id `stepId`. */
function assertionIn(page: string, stepId: string, kind: string, of?: string): string {
  const step = new RegExp(`<li class="step" id="${stepId}"[\\s\\S]*?(?=<li class="step"|</ol>\\s*(?:<section|</article))`).exec(page)?.[0] ?? '';
  const re = new RegExp(`<li class="assertion fail" data-kind="${kind}"${of ? ` data-of="${of}"` : ''}>[\\s\\S]*?</li>`);
  const m = re.exec(step);
  expect(m, `failed ${kind} assertion in ${stepId}`).not.toBeNull();
  return m![0];
}

/** The hop an assertion's link points at: its id and its markup. */
function linkedHop(page: string, assertion: string): string {
  const href = /<a class="to-hop" href="#([^"]+)">/.exec(assertion)?.[1];
  expect(href, 'a link to the explaining hop').toBeDefined();
  const hop = new RegExp(`<li id="${href}"[^>]*>[\\s\\S]*?</li>`).exec(page)?.[0];
  expect(hop, `an element with id ${href}`).toBeDefined();
  return hop!;
}

describe('HTML report: failures first, explained', () => {
  it('lists failing scenarios first in the summary and the page, and failing steps first within a scenario', () => {
    const page = markup(renderHtml(wrongRun()));
    const rows = [...page.matchAll(/<tr class="filterable" data-status="(\w+)"[^>]*><td>.*?<\/td><td><a href="#([^"]+)">/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['fail', 's2-wrong-expectations'],
      ['pass', 's1-kans-nodeport'],
    ]);
    // The summary comes before every scenario.
    expect(page.indexOf('<section class="summary panel"')).toBeLessThan(page.indexOf('<article'));
    const articles = [...page.matchAll(/<article class="scenario panel" id="([^"]+)" data-status="(\w+)"/g)].map((m) => [m[1], m[2]]);
    expect(articles).toEqual([
      ['s2-wrong-expectations', 'fail'],
      ['s1-kans-nodeport', 'pass'],
    ]);
    const steps = [...page.matchAll(/<li class="step" id="s2-wrong-expectations-step(\d)" data-status="(\w+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(steps).toEqual(['2 fail', '3 fail', '1 pass']);
    expect(page).toContain('Failed steps are listed first; the step numbers give the order they ran in.');
    // Within a step, failed expectations come before passed ones.
    const step3 = /<li class="step" id="s2-wrong-expectations-step3"[\s\S]*?<\/ul>/.exec(page)![0];
    const marks = [...step3.matchAll(/<li class="assertion (pass|fail)"/g)].map((m) => m[1]);
    expect(marks).toEqual(['fail', 'fail', 'pass', 'pass']);
  });

  it('keeps the order of a run that has no failure', () => {
    const page = renderHtml(realisticRun());
    const names = [...page.matchAll(/<article class="scenario panel" id="(s\d)/g)].map((m) => m[1]);
    // realisticRun: pass, fail, pass, error -> error, fail, then the two others in run order.
    expect(names).toEqual(['s4', 's2', 's1', 's3']);
    expect(markup(renderHtml({ ...realisticRun(), scenarios: [passingScenario()] }))).not.toContain('class="order-note"');
  });

  it('links a failed sourceSeen to the MASQUERADE hop that changed the source', () => {
    const page = markup(renderHtml(wrongRun()));
    const a = assertionIn(page, 's2-wrong-expectations-step3', 'sourceSeen');
    expect(a).toContain('Why: the source address was rewritten here');
    const hop = linkedHop(page, a);
    expect(hop).toMatch(/<span class="note">MASQUERADE source 172\.18\.0\.100 -&gt; /);
    expect(hop).toContain('<li id="s2-wrong-expectations-step3-path');
    expect(hop).toContain('class="explains"');
    expect(hop).toContain('sourceSeen: the source address was rewritten here');
  });

  it('links a failed outcome to the DROP hop, and checks that found no answer to the same end', () => {
    const page = markup(renderHtml(wrongRun()));
    const outcome = assertionIn(page, 's2-wrong-expectations-step2', 'outcome');
    expect(outcome).toContain('Why: the request was dropped here');
    const hop = linkedHop(page, outcome);
    expect(hop).toContain('<span class="note">verdict DROP</span>');
    expect(hop).toContain('has no local endpoints');
    expect(linkedHop(page, assertionIn(page, 's2-wrong-expectations-step2', 'distribution'))).toBe(hop);
    expect(linkedHop(page, assertionIn(page, 's2-wrong-expectations-step2', 'responders', 'pods'))).toBe(hop);
  });

  it('links a failed nodes check to the DNAT hop that chose the endpoint', () => {
    const page = markup(renderHtml(wrongRun()));
    const nodes = assertionIn(page, 's2-wrong-expectations-step3', 'responders', 'nodes');
    expect(nodes).toContain('Why: the endpoint was chosen here');
    expect(linkedHop(page, nodes)).toMatch(/<span class="note">DNAT 172\.18\.0\.3:\d+ -&gt; 10\.244\.\d\.2:8080<\/span>/);
  });

  it('says there is no packet path when the backend recorded none, instead of a dead link', () => {
    const result = wrongRun();
    result.backend = 'kube-proxy';
    for (const step of result.scenarios.flatMap((s) => s.steps)) delete step.traffic?.traces;
    const page = markup(renderHtml(result));
    expect(page).not.toContain('class="to-hop"');
    expect(assertionIn(page, 's2-wrong-expectations-step2', 'outcome')).toContain(
      '<div class="explain missing">no packet path to show: the kube-proxy backend recorded none for requests with another outcome</div>',
    );
    expect(assertionIn(page, 's2-wrong-expectations-step3', 'sourceSeen')).toContain('recorded none for the answered requests');
    // With paths, every in-page link points at an element of the page.
    const linked = markup(renderHtml(wrongRun()));
    const ids = new Set([...linked.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const hrefs = [...linked.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(5);
    for (const href of hrefs) expect(ids.has(href), href).toBe(true);
  });

  it('labels pods and nodes checks apart, each with its own counts', () => {
    const page = markup(renderHtml(wrongRun()));
    const nodes = assertionIn(page, 's2-wrong-expectations-step3', 'responders', 'nodes');
    expect(nodes).toContain('<span class="kind">serving nodes</span>');
    expect(nodes).toMatch(/<table class="counts" data-of="node"><thead><tr><th>node<\/th><th class="num">answers<\/th><\/tr><\/thead><tbody><tr><td class="mono">kind-worker<\/td><td class="num">\d+<\/td><\/tr><tr><td class="mono">kind-worker2<\/td>/);
    const step3 = /<li class="step" id="s2-wrong-expectations-step3"[\s\S]*?<\/ul>/.exec(page)![0];
    const pods = /<li class="assertion pass" data-kind="responders" data-of="pods">[\s\S]*?<\/li>/.exec(step3)![0];
    expect(pods).toContain('<span class="kind">pods</span>');
    expect(pods).toMatch(/<th>pod<\/th>[\s\S]*<td class="mono">web-1 \(kind-worker\)<\/td>/);
    expect(pods).not.toContain('<th>node</th>');
    expect(page).toContain('<h4>Serving nodes (answers per node)</h4>');
  });

  it('shows outcome counts, not empty or all-zero tables, for traffic no endpoint answered', () => {
    const page = markup(renderHtml(wrongRun()));
    const step2 = /<li class="step" id="s2-wrong-expectations-step2"[\s\S]*?(?=<li class="step")/.exec(page)![0];
    expect(step2).not.toContain('<table');
    expect(step2).not.toContain('<svg class="chart"');
    expect(step2).toContain('No request reached an endpoint (10 timeout): no answers per pod to show. The rules reach no endpoint (verdict drop).');
    expect(assertionIn(page, 's2-wrong-expectations-step2', 'distribution')).toContain('<p class="no-answers">No request reached an endpoint (10 timeout): nothing to count per pod.</p>');
    // No key with an empty value either.
    expect(step2).not.toMatch(/<dd><\/dd>/);
  });
});

describe('explain: the hop behind a failed expectation, whatever wrote the path', () => {
  const loc = { file: 'x.yaml', line: 1, col: 1 };
  const failed = (kind: string, details: Record<string, unknown> = {}, message = ''): AssertionResult => ({ kind, passed: false, message, loc, details });
  const traffic = (outcomes: TrafficSummary['outcomes'], traces: TrafficSummary['traces']): TrafficSummary => ({
    count: 10, from: 'client mypc', to: '10.96.0.10:80', targetText: 'svc:80', protocol: 'TCP', outcomes, pods: {}, nodes: {}, sourcesSeen: {}, traces,
  });

  it('reads the netns conntrack hop: DNAT and SNAT in one note', () => {
    const t = traffic({ ok: 10 }, [{ label: 'ok via web-1', hops: [{ node: 'w1', table: 'conntrack', note: 'DNAT 10.96.0.10:80 to 10.244.1.2:8080, SNAT 172.18.0.100:40000 to 172.18.0.3:40000 on w1 (conntrack TIME_WAIT)' }] }]);
    expect(explain(failed('sourceSeen', { expected: 'client' }), t, 'netns')).toEqual({ trace: 0, hop: 0, text: 'the source address was rewritten here' });
    expect(explain(failed('distribution'), t, 'netns')).toEqual({ trace: 0, hop: 0, text: 'the endpoint was chosen here' });
    const plain = traffic({ ok: 10 }, [{ label: 'ok via web-1', hops: [{ node: 'w1', table: 'conntrack', note: 'DNAT 10.96.0.10:80 to 10.244.1.2:8080 on w1' }] }]);
    expect(explain(failed('sourceSeen', { expected: 'ingress-node' }), plain, 'netns')).toEqual({ trace: 0, hop: 0, text: 'no hop on this path rewrote the source address' });
  });

  it('reads nftables walker notes, and does not take a jump to KUBE-MARK-DROP for the DROP', () => {
    const nft = traffic({ timeout: 10 }, [
      { label: 'timeout', hops: [{ note: 'jump to KUBE-MARK-DROP' }, { table: 'ip kube-proxy', chain: 'filter-input', note: 'drop' }, { note: 'jump to KUBE-MARK-DROP' }] },
    ]);
    expect(explain(failed('outcome', { expected: 'ok' }), nft, 'sim')).toEqual({ trace: 0, hop: 1, text: 'the request was dropped here' });
    const rejected = traffic({ refused: 10 }, [{ label: 'refused', hops: [{ note: 'jump to services' }, { note: 'reject (with icmp port-unreachable)' }] }]);
    expect(explain(failed('outcome', { expected: 'ok' }), rejected, 'sim')).toEqual({ trace: 0, hop: 1, text: 'the request was rejected here' });
    const lost = traffic({ timeout: 10 }, [{ label: 'timeout', hops: [{ note: 'mypc routes 10.96.0.10 via its default gateway' }, { note: 'no route to 10.96.0.10' }] }]);
    expect(explain(failed('outcome', { expected: 'ok' }), lost, 'sim')).toEqual({ trace: 0, hop: 1, text: 'the path ends here (timeout)' });
    const snat = traffic({ ok: 10 }, [{ label: 'ok via web-1', hops: [{ note: 'dnat 10.96.0.10:80 -> 10.244.1.2:8080' }, { note: 'masquerade source 172.18.0.100 -> 172.18.0.3' }] }]);
    expect(explain(failed('sourceSeen', { expected: 'client' }), snat, 'sim')).toEqual({ trace: 0, hop: 1, text: 'the source address was rewritten here' });
  });

  it('nothing for passed or skipped expectations, or steps without traffic', () => {
    const t = traffic({ ok: 10 }, []);
    expect(explain({ ...failed('outcome'), passed: true }, t, 'sim')).toBeUndefined();
    expect(explain({ ...failed('distribution'), skipped: 'needs exact' }, t, 'proxy')).toBeUndefined();
    expect(explain(failed('outcome'), undefined, 'sim')).toBeUndefined();
    expect(explain(failed('distribution'), t, 'proxy')).toEqual({ missing: 'no packet path to show: the proxy backend recorded none for the answered requests' });
  });
});
