import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rulesFor, run, stateAtStep } from '../../../src/cli/commands/rules.js';
import { UsageError } from '../../../src/errors.js';
import type { CompiledScenario } from '../../../src/model/scenario.js';
import { TEST_NODE, fakeCluster, port, service, slice } from './fixtures.js';

const loc = { file: '/lab.yaml', line: 1, col: 1 };
const initial = fakeCluster({
  services: [service('default', 'web', { clusterIP: '172.30.0.41', ports: [port('', 80)] })],
  slices: [slice('default', 'web', [{ name: '', port: 8080 }], [{ ip: '10.0.0.5', node: TEST_NODE }])],
});
const scaledDown = { ...initial, endpointSlices: [] };
const scenario: CompiledScenario = {
  file: '/lab.yaml',
  name: 'lab',
  tags: [],
  loc,
  initial,
  steps: [{ kind: 'change', index: 0, title: 'scale deployment/web to 0', loc, state: scaledDown, change: { op: 'scale', target: { kind: 'deployment', name: 'web', namespace: 'default' }, replicas: 0 } }],
};

describe('svclab rules', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the node\'s rules for the initial state, and for a later step with --at-step', () => {
    expect(rulesFor(scenario, TEST_NODE, 0, {})).toContain('-j DNAT --to-destination 10.0.0.5:8080');
    const after = rulesFor(scenario, TEST_NODE, 1, {});
    expect(after).toContain('-A KUBE-SERVICES -m comment --comment "default/web has no endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j REJECT');
    expect(stateAtStep(scenario, 1)).toBe(scaledDown);
  });

  it('an unknown node is a usage error (exit 2) that lists the nodes', () => {
    let err: unknown;
    try {
      rulesFor(scenario, 'worker9', 0, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toContain("unknown node 'worker9'; the nodes of lab are: test-node, node2");
  });

  it('a step past the end is a usage error', () => {
    expect(() => stateAtStep(scenario, 2)).toThrow(/--at-step 2 is past the last step; lab has 1 step/);
  });

  it('--help prints usage; missing --node or scenario and bad --at-step are usage errors', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await expect(run(['--help'])).resolves.toBe(0);
    expect(String(write.mock.calls[0][0])).toContain('Usage: svclab rules <scenario> --node NAME');
    await expect(run(['lab.yaml'])).rejects.toThrow(/--node NAME is required/);
    await expect(run(['--node', 'x'])).rejects.toThrow(/expected exactly one scenario file/);
    await expect(run(['lab.yaml', '--node', 'x', '--at-step', 'two'])).rejects.toThrow(/--at-step must be a step number/);
    await expect(run(['lab.yaml', '--node', 'x', '--bogus'])).rejects.toBeInstanceOf(UsageError);
  });

  const dslLoader = fileURLToPath(new URL('../../../src/dsl/load.ts', import.meta.url));
  const lab = fileURLToPath(new URL('../../../scenarios/conformance/etp-cluster-snat.yaml', import.meta.url));
  it.skipIf(!existsSync(dslLoader) || !existsSync(lab))('renders a scenario file from the command line', async () => {
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
      chunks.push(String(c));
      return true;
    });
    await expect(run([lab, '--node', 'kind-worker'])).resolves.toBe(0);
    const out = chunks.join('');
    expect(out).toMatch(/^\*filter\n/);
    expect(out).toContain('-j KUBE-NODEPORTS');
    await expect(run([lab, '--node', 'nope'])).rejects.toThrow(/unknown node 'nope'.*kind-control-plane/);
  });
});
