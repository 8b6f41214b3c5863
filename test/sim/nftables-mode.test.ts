/**
 * The simulator in kube-proxy's nftables mode: library scenarios switched to `mode: nftables`
 * give the same observations as in iptables mode, except where the two proxiers truly differ
 * (each difference below names the upstream behaviour behind it).
 */
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backends/sim/index.js';
import { loadScenarioFile } from '../../src/dsl/load.js';
import type { CompiledScenario } from '../../src/model/scenario.js';
import type { SendResult } from '../../src/observe/observation.js';

function inMode(s: CompiledScenario, mode: 'iptables' | 'nftables'): CompiledScenario {
  const set = <T extends { cluster: { kubeProxy: { mode: string } } }>(st: T): T => ({ ...st, cluster: { ...st.cluster, kubeProxy: { ...st.cluster.kubeProxy, mode } } });
  return { ...s, initial: set(s.initial), steps: s.steps.map((st) => ({ ...st, state: set(st.state) })) };
}

/** Per send step: outcomes counted, pods that answered, the exact verdict and endpoint shares. */
async function observe(s: CompiledScenario): Promise<unknown[]> {
  const session = await createBackend().start(s, { seed: 7, signal: new AbortController().signal, log: () => {} });
  const out: unknown[] = [];
  for (const step of s.steps) {
    if (step.kind === 'change') {
      await session.apply(step);
      continue;
    }
    const r: SendResult = await session.send(step);
    if ('unsupported' in r) {
      out.push({ unsupported: r.unsupported });
      continue;
    }
    const obs = r.observations;
    const outcomes: Record<string, number> = {};
    for (const o of obs) outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
    out.push({
      outcomes,
      pods: [...new Set(obs.map((o) => o.pod).filter(Boolean))].sort(),
      sources: [...new Set(obs.map((o) => o.sourceSeen).filter(Boolean))].sort(),
      exact: r.exact && { verdict: r.exact.verdict, endpoints: r.exact.endpoints.map((e) => [e.endpoint, Number(e.probability.toFixed(9))]) },
    });
  }
  await session.close();
  return out;
}

const same = [
  'labs/004-kans-nodeport',
  'conformance/hairpin',
  'conformance/session-affinity-clientip',
  'conformance/lb-source-ranges',
  'conformance/etp-local-keeps-client-ip',
  'conformance/etp-cluster-snat',
  'conformance/itp-local-no-local-endpoint-drops',
  'conformance/no-endpoints-nodeport-refused',
  'conformance/terminating-fallback-local',
];

describe('library scenarios in nftables mode on sim', () => {
  it.each(same)('%s observes the same as in iptables mode', async (name) => {
    const s = await loadScenarioFile(`scenarios/${name}.yaml`);
    const nft = await observe(inMode(s, 'nftables'));
    expect(nft.some((o) => typeof o === 'object' && o !== null && 'unsupported' in o)).toBe(false);
    expect(nft).toEqual(await observe(inMode(s, 'iptables')));
  });

  it('a ClusterIP on a port it does not serve: timeout under iptables, refused under nftables (cluster-ips-check rejects)', async () => {
    const s = await loadScenarioFile('scenarios/conformance/clusterip-wrong-port.yaml');
    const [ipt] = (await observe(inMode(s, 'iptables'))) as { outcomes: Record<string, number> }[];
    const [nft] = (await observe(inMode(s, 'nftables'))) as { outcomes: Record<string, number> }[];
    expect(Object.keys(ipt!.outcomes)).toEqual(['timeout']);
    expect(Object.keys(nft!.outcomes)).toEqual(['refused']);
  });

  it('localhost node ports: answered under iptables, none in nftables mode', async () => {
    const s = await loadScenarioFile('scenarios/conformance/localhost-nodeport.yaml');
    const [ipt] = (await observe(inMode(s, 'iptables'))) as { outcomes: Record<string, number> }[];
    const [nft] = (await observe(inMode(s, 'nftables'))) as { outcomes: Record<string, number> }[];
    expect(Object.keys(ipt!.outcomes)).toEqual(['ok']);
    expect(Object.keys(nft!.outcomes)).toEqual(['refused']);
  });

  it('ipvs is refused with the reason, never run as another mode', async () => {
    const s = await loadScenarioFile('scenarios/conformance/hairpin.yaml');
    const obs = await observe(inMode(s, 'ipvs' as 'iptables'));
    expect(obs.length).toBeGreaterThan(0);
    for (const o of obs) expect(o).toEqual({ unsupported: expect.stringMatching(/ipvs is deprecated upstream/) });
  });
});
