/**
 * A real run on the kube-proxy backend records each node's rules as upstream kube-proxy loaded
 * them (after the first sync and after the change that altered them) in result.json and shows
 * them, labelled, in the HTML report. The netns backend's are labelled as svclab's render.
 * Needs root and the built kube-proxy-host (as test/kube-proxy/backend.test.ts); skips with the reason otherwise.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hostBinaryPath } from '../../src/backends/kube-proxy/binary.js';
import type { RunResult } from '../../src/report/result.js';
import { kernelSkipReason } from '../netns/fixtures.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const SCENARIO = join(repo, 'scenarios/conformance/etp-local-podless-node-drops.yaml');
const NODES = ['kind-control-plane', 'kind-worker', 'kind-worker2'];
const kernelSkip = await kernelSkipReason();
const kubeProxySkip = kernelSkip ?? (existsSync(hostBinaryPath()) ? undefined : `${hostBinaryPath()} is not built (npm run build:kube-proxy)`);
const out = mkdtempSync(join(tmpdir(), 'svclab-rules-snapshots-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs the scenario with the built CLI (the task engine cannot run inside vitest) and reads both reports. */
function run(backend: string): { result: RunResult; page: string } {
  const dir = join(out, backend);
  const r = spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), 'run', SCENARIO, '--backend', backend, '--reporter', 'json,html', '--out', dir], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return { result: JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as RunResult, page: readFileSync(join(dir, 'index.html'), 'utf8') };
}

/** The rule that drops external traffic to a node without a local endpoint ("has no local endpoints"). */
const NO_LOCAL = /-A KUBE-EXTERNAL-SERVICES .*has no local endpoints.* -j DROP/;

describe('rules per node in the reports', () => {
  it.skipIf(kubeProxySkip)(`kube-proxy backend: each node's rules as kube-proxy loaded them${kubeProxySkip ? ` [skipped: ${kubeProxySkip}]` : ''}`, { timeout: 300_000 }, () => {
    const { result, page } = run('kube-proxy');
    const rules = result.scenarios[0]!.rules ?? [];
    // The first sync on every node, then (after step 3, the scale) every node whose rules changed.
    const first = rules.filter((r) => r.afterStep === undefined);
    expect(first.map((r) => r.node).sort()).toEqual(NODES);
    for (const r of rules) {
      expect(r.writtenBy).toMatch(/^loaded by kube-proxy v1\.\d+\.\d+ \(iptables mode\)$/);
      expect(r.format).toBe('iptables-save');
      expect(r.error).toBeUndefined();
      expect(r.text).toMatch(/^\*(mangle|filter|nat)$/m);
    }
    const after = rules.filter((r) => r.afterStep !== undefined);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((r) => r.afterStep))).toEqual(new Set([2])); // the scale step (index 2)
    // Deduplicated: a node appears again only with different rules.
    for (const node of NODES) {
      const texts = rules.filter((r) => r.node === node).map((r) => r.text);
      expect(new Set(texts).size).toBe(texts.length);
    }
    // What kube-proxy did: the pod-less control plane drops from the start; kind-worker2 drops once its pod is gone.
    expect(first.find((r) => r.node === 'kind-control-plane')!.text).toMatch(NO_LOCAL);
    expect(first.find((r) => r.node === 'kind-worker2')!.text).not.toMatch(NO_LOCAL);
    expect(after.find((r) => r.node === 'kind-worker2')!.text).toMatch(NO_LOCAL);

    // The HTML report: a closed <details> per node per snapshot, saying who loaded the rules.
    const summaries = [...page.matchAll(/<details class="rules" data-node="([^"]+)"><summary>([\s\S]*?)<\/summary>/g)].map((m) => `${m[1]}: ${m[2]!.replace(/<[^>]+>/g, '')}`);
    expect(summaries).toHaveLength(rules.length);
    expect(summaries).toContainEqual(expect.stringMatching(/^kind-worker2: kind-worker2 after step 3 \(scale deployment\/web to 1\): loaded by kube-proxy v1\.\d+\.\d+ \(iptables mode\) \(iptables-save, \d+ lines\)$/));
    expect(page).toContain('has no local endpoints');
  });

  it.skipIf(kernelSkip)(`netns backend: the rules svclab rendered, as the kernel holds them${kernelSkip ? ` [skipped: ${kernelSkip}]` : ''}`, { timeout: 300_000 }, () => {
    const { result, page } = run('netns');
    const rules = result.scenarios[0]!.rules ?? [];
    expect(rules.filter((r) => r.afterStep === undefined).map((r) => r.node).sort()).toEqual(NODES);
    for (const r of rules) expect(r.writtenBy).toBe('rendered by svclab, loaded with iptables-restore');
    expect(rules.find((r) => r.node === 'kind-worker2' && r.afterStep === 2)?.text).toMatch(NO_LOCAL);
    expect(page).toContain('rendered by svclab, loaded with iptables-restore');
  });
});
