/** The differential check's report: a Markdown page to read and a JSON file to process. */
import type { DifferentialTally } from './check.js';

export interface ReportContext {
  /** What was checked, e.g. "seeds 1..10000" or "the scenario library (scenarios)". */
  source: string;
  /** How to repeat one case, given its id. */
  repeat: (id: string) => string;
  seconds: number;
  machine: string;
}

const MAX_DIFF_LINES = 80;

export function reportJson(tally: DifferentialTally, ctx: ReportContext): string {
  return (
    JSON.stringify(
      {
        kubeProxy: tally.version,
        source: ctx.source,
        machine: ctx.machine,
        seconds: Math.round(ctx.seconds * 10) / 10,
        cases: tally.cases,
        byStatus: tally.byStatus,
        byMode: tally.byMode,
        coverage: Object.fromEntries([...tally.coverage].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
        notes: [...tally.notes],
        findings: tally.findings.map((f) => ({ ...f, repeat: ctx.repeat(f.id) })),
      },
      null,
      2,
    ) + '\n'
  );
}

export function reportMarkdown(tally: DifferentialTally, ctx: ReportContext): string {
  const s = tally.byStatus;
  const out = [
    `# svclab's renderers against kube-proxy ${tally.version}: differential check`,
    '',
    `${tally.cases} cases from ${ctx.source} (iptables mode ${tally.byMode.iptables}, nftables mode ${tally.byMode.nftables}), ` +
      `in ${ctx.seconds.toFixed(0)} s on ${ctx.machine}.`,
    '',
    '| same rules | differs | error |',
    '|---|---|---|',
    `| ${s.same} | ${s.differs} | ${s.error} |`,
    '',
    'Each case: upstream kube-proxy writes the node\'s rules in one network namespace, svclab\'s renderer\'s text is ' +
      'loaded into a twin namespace, both are read back with the same tool (`iptables-save`, `nft list table`) and ' +
      'normalized (see src/kubeproxy/rules-diff). "same rules" means an empty diff.',
  ];
  for (const note of tally.notes) out.push('', `Note: ${note}.`);
  out.push('', '## Findings', '');
  if (tally.findings.length === 0) out.push('None: every case gave the same rules.');
  for (const f of tally.findings) {
    out.push(`### ${f.id}, node ${f.node}, ${f.mode} mode: ${f.status}`, '');
    out.push(`Features: ${f.features.join(', ') || '(none)'}. Repeat: \`${ctx.repeat(f.id)}\``, '');
    const lines = (f.detail ?? '').trimEnd().split('\n');
    out.push('```diff', ...lines.slice(0, MAX_DIFF_LINES), ...(lines.length > MAX_DIFF_LINES ? [`… ${lines.length - MAX_DIFF_LINES} more lines`] : []), '```', '');
  }
  out.push('', '## Coverage', '', '| feature | cases |', '|---|---|');
  for (const [feature, n] of [...tally.coverage].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out.push(`| ${feature} | ${n} |`);
  return out.join('\n') + '\n';
}
