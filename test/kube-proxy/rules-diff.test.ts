/**
 * svclab's rules against upstream kube-proxy's, rule for rule: `svclab rules --from kube-proxy
 * --diff` on the seed-004 lab, every state of every library scenario in both modes, and a
 * fixed-seed sample of random cluster states (the differential check; `npm run differential`
 * runs thousands). Needs root and the built kube-proxy-host, like the kube-proxy backend test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostBinaryPath, kubeProxyRelease } from '../../src/backends/kube-proxy/binary.js';
import { NodeRulesLab } from '../../src/backends/kube-proxy/node-rules-lab.js';
import { discoverScenarioFiles, loadScenarioFile } from '../../src/dsl/load.js';
import { checkCase, newTally, type DifferentialTally } from '../../src/differential/check.js';
import { scenarioCases } from '../../src/differential/library-cases.js';
import { randomCases } from '../../src/differential/random-cases.js';
import { rulesDiff } from '../../src/kubeproxy/rules-diff/index.js';
import { stateWithMode } from '../../src/model/proxy-mode.js';
import { kernelSkipReason } from '../netns/fixtures.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repo, 'dist/cli/main.js');
const seed004 = join(repo, 'scenarios/labs/004-kans-nodeport.yaml');
const kernelSkip = await kernelSkipReason();
const skip = kernelSkip ?? (existsSync(hostBinaryPath()) ? undefined : `${hostBinaryPath()} is not built (npm run build:kube-proxy)`);
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);

/** The findings of a tally, readable in a failed assertion. */
function findings(tally: DifferentialTally): string[] {
  return tally.findings.map((f) => `${f.id} ${f.node} ${f.mode} ${f.status}\n${(f.detail ?? '').split('\n').slice(0, 40).join('\n')}`);
}

describe('svclab rules --from kube-proxy', () => {
  for (const mode of ['iptables', 'nftables'] as const) {
    it.skipIf(skip)(title(`--diff is empty for the seed-004 lab on every node (${mode} mode)`), () => {
      const r = spawnSync(process.execPath, [cli, 'rules', seed004, '--diff', '--mode', mode], { encoding: 'utf8', timeout: 120_000 });
      expect(r.stdout).toBe('');
      expect(r.status).toBe(0);
      for (const node of ['myk8s-control-plane', 'myk8s-worker', 'myk8s-worker2', 'myk8s-worker3']) {
        expect(r.stderr).toContain(`node ${node}: no difference from kube-proxy v`);
      }
    });
  }

  it.skipIf(skip)(title('prints the rules kube-proxy loaded for one node'), () => {
    const r = spawnSync(process.execPath, [cli, 'rules', seed004, '--node', 'myk8s-worker', '--from', 'kube-proxy'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\*nat$/m);
    expect(r.stdout).toMatch(/-A KUBE-NODEPORTS .*--dport 30682 -j KUBE-EXT-/);
  });

  it('without the built program: exit 4 naming it and the command that builds it, no stack trace', () => {
    const r = spawnSync(process.execPath, [cli, 'rules', seed004, '--diff'], {
      encoding: 'utf8',
      env: { ...process.env, SVCLAB_KUBE_PROXY_HOST: join(repo, 'no-such-kube-proxy-host') },
    });
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/no-such-kube-proxy-host is not built|needs root/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown node and shape options that only apply to its own printout', () => {
    const unknown = spawnSync(process.execPath, [cli, 'rules', seed004, '--node', 'nope', '--from', 'kube-proxy'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown node 'nope'");
    const format = spawnSync(process.execPath, [cli, 'rules', seed004, '--diff', '--no-hooks'], { encoding: 'utf8' });
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('--no-hooks');
  });
});

describe.skipIf(skip)(title('differential check against kube-proxy'), () => {
  let lab: NodeRulesLab;
  beforeAll(async () => {
    lab = await NodeRulesLab.open(kubeProxyRelease());
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('a renderer difference shows as a non-empty diff (the check can fail)', async () => {
    const scenario = await loadScenarioFile(seed004);
    const state = stateWithMode(scenario.initial, 'iptables');
    const pair = await lab.compare(state, 'myk8s-worker', 'iptables');
    expect(rulesDiff('iptables', pair.real, pair.ours, { a: 'kube-proxy', b: 'svclab' })).toBe('');
    const broken = pair.ours.replace(/--probability 0\.\d+/, '--probability 0.90000000000');
    expect(broken).not.toBe(pair.ours);
    expect(rulesDiff('iptables', pair.real, broken, { a: 'kube-proxy', b: 'svclab' })).toContain('+-A KUBE-SVC-');
  });

  it('every state of every library scenario gives kube-proxy\'s rules on every node, in both modes', async () => {
    const tally = newTally();
    for (const file of await discoverScenarioFiles([join(repo, 'scenarios')])) {
      for (const c of scenarioCases(await loadScenarioFile(file))) await checkCase(lab, c, tally);
    }
    expect(findings(tally)).toEqual([]);
    expect(tally.byMode.iptables).toBeGreaterThan(200);
    expect(tally.byMode.nftables).toBe(tally.byMode.iptables);
  }, 600_000);

  it('300 random cluster states (fixed seeds) give kube-proxy\'s rules', async () => {
    const tally = newTally();
    for (const c of randomCases(20261205, 300)) await checkCase(lab, c, tally);
    expect(findings(tally)).toEqual([]);
    expect(tally.byStatus.same).toBe(300);
    expect(tally.byMode.iptables).toBeGreaterThan(50);
    expect(tally.byMode.nftables).toBeGreaterThan(50);
  }, 600_000);
});
