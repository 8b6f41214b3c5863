/**
 * The kernel lab in kube-proxy's nftables mode: the rendered `ip kube-proxy` table goes in with
 * `nft -f`, the kernel holds exactly what was rendered, moves the packets (NodePort through every
 * node, a ClusterIP's unserved port rejected), follows state changes, and a table the kernel
 * refuses is reported with the node and the line. Needs root, iproute2, conntrack and nft; elsewhere
 * the kernel tests are skipped with the reason.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterState } from '../../src/model/types.js';
import type { Observation } from '../../src/observe/observation.js';
import { Lab } from '../../src/backends/netns/lab.js';
import { checkNftPrerequisites } from '../../src/backends/netns/check.js';
import { kubeProxyNftRules, kubeProxyRules } from '../../src/backends/netns/index.js';
import { describeNftError, nftReplaceText } from '../../src/backends/netns/rules.js';
import { formatNftList, renderNftNode } from '../../src/kubeproxy/nftables/index.js';
import { CLIENT, CLUSTER_IP, ECHO_POD_NAMES, NODE_PORT, NODES, fromClient, fromNode, kernelSkipReason, seed004, traffic } from './fixtures.js';

const skip = (await kernelSkipReason()) ?? (await checkNftPrerequisites());
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);

function nftState(options: Parameters<typeof seed004>[0] = {}): ClusterState {
  const s = seed004(options);
  return { ...s, cluster: { ...s.cluster, kubeProxy: { ...s.cluster.kubeProxy, mode: 'nftables' } } };
}

async function withLab<T>(state: ClusterState, body: (lab: Lab) => Promise<T>, nftRulesFor = kubeProxyNftRules): Promise<T> {
  const lab = await Lab.up(state, { rulesFor: kubeProxyRules, nftRulesFor });
  try {
    return await body(lab);
  } finally {
    await lab.close();
  }
}

const outcomes = (obs: Observation[]) => [...new Set(obs.map((o) => o.outcome))];
const pods = (obs: Observation[]) => [...new Set(obs.map((o) => o.pod))].sort();

describe('nft input and error messages', () => {
  it('the table is loaded in one transaction that first replaces the old one', () => {
    expect(nftReplaceText('add table ip kube-proxy\nadd chain ip kube-proxy x\n')).toBe(
      'add table ip kube-proxy\ndelete table ip kube-proxy\nadd table ip kube-proxy\nadd chain ip kube-proxy x\n',
    );
  });

  it("nft's complaint names the node and the line of the rendered ruleset, with its text", () => {
    const table = 'add table ip kube-proxy\nadd chain ip kube-proxy x\nadd rule ip kube-proxy x ip daddr 1.2.3.4 bogus';
    const stderr = '/dev/stdin:5:48-48: Error: syntax error, unexpected newline\nadd rule ip kube-proxy x ip daddr 1.2.3.4 bogus\n                                               ^\n';
    expect(describeNftError('kind-worker', table, stderr)).toBe(
      'netns: nft -f on node kind-worker failed at line 3 of the rendered ruleset, column 48: Error: syntax error, unexpected newline\n  add rule ip kube-proxy x ip daddr 1.2.3.4 bogus',
    );
    expect(describeNftError('kind-worker', table, 'nft: command not found')).toBe('netns: nft -f on node kind-worker failed: nft: command not found');
  });
});

describe(title('netns lab in nftables mode (seed 004 shape)'), () => {
  it.skipIf(skip)('the kernel holds the rendered table, and NodePort works through every node with SNAT', async () => {
    const state = nftState();
    await withLab(state, async (lab) => {
      expect(await lab.nftList(NODES.cp.name)).toBe(formatNftList(renderNftNode(state, NODES.cp.name).ruleset));
      for (const node of [NODES.cp, NODES.w1]) {
        const obs = await lab.send(traffic(fromClient(), node.ip, NODE_PORT, 30));
        expect(outcomes(obs), `via ${node.name}`).toEqual(['ok']);
        expect(pods(obs), `via ${node.name}`).toEqual([...ECHO_POD_NAMES].sort());
        for (const o of obs) expect(o.sourceSeen).not.toBe(CLIENT.ip);
      }
    });
  });

  it.skipIf(skip)('a ClusterIP port the Service does not serve is rejected (refused), not left to time out', async () => {
    await withLab(nftState(), async (lab) => {
      const wrong = await lab.send({ ...traffic(fromNode(NODES.cp), CLUSTER_IP, 9999, 4), timeoutMs: 1000 });
      expect(outcomes(wrong)).toEqual(['refused']);
      const right = await lab.send(traffic(fromNode(NODES.cp), CLUSTER_IP, 9000, 10));
      expect(outcomes(right)).toEqual(['ok']);
    });
  });

  it.skipIf(skip)('a state change reloads the table: scaled to one pod, only that pod answers', async () => {
    await withLab(nftState(), async (lab) => {
      const next = nftState({ replicas: 1 });
      await lab.apply(next);
      expect(await lab.nftList(NODES.w2.name)).toBe(formatNftList(renderNftNode(next, NODES.w2.name).ruleset));
      const obs = await lab.send(traffic(fromClient(), NODES.w2.ip, NODE_PORT, 10));
      expect(outcomes(obs)).toEqual(['ok']);
      expect(pods(obs)).toEqual([ECHO_POD_NAMES[0]]);
    });
  });

  it.skipIf(skip)('a table the kernel refuses fails the lab with the node, the line and its text', async () => {
    // Only the control plane's table is broken, so the message is about that node whichever loads first.
    const bad = 'add rule ip kube-proxy services ip daddr 10.0.0.1 frobnicate';
    const broken = (state: ClusterState, node: string): string => `${kubeProxyNftRules(state, node)}${node === NODES.cp.name ? `${bad}\n` : ''}`;
    const lines = kubeProxyNftRules(nftState(), NODES.cp.name).split('\n').length;
    await expect(withLab(nftState(), async () => undefined, broken)).rejects.toThrow(
      new RegExp(`nft -f on node ${NODES.cp.name} failed at line ${lines} of the rendered ruleset, column \\d+: Error: .*\\n  add rule ip kube-proxy services ip daddr 10\\.0\\.0\\.1 frobnicate`),
    );
  });
});
