/** Each node's rules in the HTML report: one folded <details> per node per snapshot, labelled with who wrote them. */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html/render.js';
import type { RunResult } from '../../src/report/result.js';
import { passingScenario, realisticRun } from './fixtures/runs.js';

function runWithRules(): RunResult {
  const run = realisticRun();
  run.backend = 'kube-proxy';
  const s = passingScenario();
  s.steps.splice(1, 0, { index: 1, kind: 'change', title: 'scale deployment/web to 1', loc: s.steps[0]!.loc, status: 'pass', durationMs: 3, assertions: [] });
  s.rules = [
    { node: 'myk8s-control-plane', writtenBy: 'loaded by kube-proxy v1.37.2 (iptables mode)', format: 'iptables-save', text: '*nat\n-A KUBE-SERVICES -m comment --comment "<b>x</b>" -j KUBE-SVC-1\nCOMMIT\n' },
    { node: 'myk8s-worker', writtenBy: 'loaded by kube-proxy v1.37.2 (iptables mode)', format: 'iptables-save', text: '*nat\nCOMMIT\n', truncatedLines: 1234, afterStep: 1 },
    { node: 'myk8s-worker2', writtenBy: 'rendered by svclab, loaded with nft -f', format: 'nft', text: '', error: 'nft: No such file or directory', afterStep: 1 },
  ];
  s.rulesOmitted = 2;
  run.scenarios = [s];
  return run;
}

describe('HTML report: rules per node', () => {
  it('folds each node snapshot in a closed <details> labelled with the node, the step and who wrote the rules', () => {
    const page = renderHtml(runWithRules());
    const details = [...page.matchAll(/<details class="rules" data-node="([^"]+)"><summary>([\s\S]*?)<\/summary>/g)].map((m) => [m[1], m[2]!.replace(/<[^>]+>/g, '')]);
    expect(details).toEqual([
      ['myk8s-control-plane', 'myk8s-control-plane after the first sync: loaded by kube-proxy v1.37.2 (iptables mode) (iptables-save, 3 lines)'],
      ['myk8s-worker', 'myk8s-worker after step 2 (scale deployment/web to 1): loaded by kube-proxy v1.37.2 (iptables mode) (iptables-save, 1236 lines)'],
      ['myk8s-worker2', 'myk8s-worker2 after step 2 (scale deployment/web to 1): rendered by svclab, loaded with nft -f (nft, not read)'],
    ]);
    expect(page).not.toContain('<details class="rules" data-node="myk8s-worker" open');
    // The rule text is escaped, verbatim otherwise.
    expect(page).toContain('<pre class="rules-text">*nat\n-A KUBE-SERVICES -m comment --comment &quot;&lt;b&gt;x&lt;/b&gt;&quot; -j KUBE-SVC-1\nCOMMIT\n</pre>');
    expect(page).toContain('<p class="truncated">Truncated: 1234 more lines not kept in this report.</p>');
    expect(page).toContain('Could not read the rules: nft: No such file or directory');
    expect(page).toContain('2 later snapshots not kept in this report (limit per scenario).');
    expect(page).toContain("Rules per node, as the kernel held them (3 snapshots; a node's rules are shown again only when they changed)");
  });

  it('shows no rules section for a backend that read none', () => {
    expect(renderHtml(realisticRun())).not.toContain('class="node-rules"');
  });
});
