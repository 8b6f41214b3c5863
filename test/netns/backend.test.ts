/**
 * `--backend netns` through the Backend interface the runner uses: check(), a session following a
 * scenario's steps, unsupported steps, and the messages that make the CLI exit 4.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChangeStep, CompiledScenario, SendStep, Traffic } from '../../src/model/scenario.js';
import type { ClusterState } from '../../src/model/types.js';
import type { BackendContext } from '../../src/backends/backend.js';
import { createBackend } from '../../src/backends/netns/index.js';
import { missingTools } from '../../src/backends/netns/check.js';
import { NODE_PORT, NODES, fromClient, kernelSkipReason, seed004, traffic } from './fixtures.js';

const skip = await kernelSkipReason();
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);
const loc = { file: 'seed004.yaml', line: 1, col: 1 };

function sendStep(index: number, state: ClusterState, t: Traffic): SendStep {
  return { kind: 'send', index, title: `${t.count} curls to ${t.targetText}`, loc, state, traffic: t, expect: [] };
}

function scaleStep(index: number, state: ClusterState, replicas: number): ChangeStep {
  return {
    kind: 'change',
    index,
    title: `scale deployment/deploy-echo to ${replicas}`,
    loc,
    state,
    change: { op: 'scale', target: { kind: 'Deployment', name: 'deploy-echo', namespace: 'default' }, replicas },
  };
}

function scenario(): CompiledScenario {
  return { file: '/tmp/seed004.yaml', name: 'seed004', tags: [], loc, initial: seed004(), steps: [] };
}

function context(): BackendContext & { lines: string[]; abort: AbortController } {
  const abort = new AbortController();
  const lines: string[] = [];
  return { seed: 1, signal: abort.signal, log: (m) => lines.push(m), lines, abort };
}

describe('netns prerequisites', () => {
  it('names each missing tool and its Debian package', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svclab-netns-bin-'));
    for (const bin of ['unshare', 'mount', 'ip', 'sysctl', 'iptables-save']) {
      writeFileSync(join(dir, bin), '#!/bin/sh\n');
      chmodSync(join(dir, bin), 0o755);
    }
    expect(missingTools([dir])).toBe('netns backend needs iptables-restore, conntrack (Debian packages: iptables conntrack)');
    writeFileSync(join(dir, 'iptables-restore'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'conntrack'), '#!/bin/sh\n');
    chmodSync(join(dir, 'iptables-restore'), 0o755);
    chmodSync(join(dir, 'conntrack'), 0o755);
    expect(missingTools([dir])).toBeUndefined();
  });

  it.skipIf(skip)(title('check() passes here, and refuses a non-root user by name'), async () => {
    await expect(createBackend().check()).resolves.toBeUndefined();
    const checkModule = new URL('../../dist/backends/netns/check.js', import.meta.url).pathname;
    const out = await new Promise<string>((resolve) => {
      execFile(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, '--input-type=module', '-e',
          `const m = await import(${JSON.stringify(checkModule)}); try { await m.checkPrerequisites(); console.log('passed'); } catch (e) { console.log(e.name + ': ' + e.message + ' exit ' + e.exitCode); }`],
        (_err, stdout, stderr) => resolve(stdout + stderr),
      );
    });
    expect(out.trim()).toBe('BackendUnavailableError: netns backend needs root (running as uid 65534) exit 4');
  });
});

describe(title('netns backend session'), () => {
  it.skipIf(skip)('follows a scenario: send, scale, send again; SCTP is unsupported, not passed', async () => {
    const backend = createBackend();
    expect(backend.name).toBe('netns');
    const ctx = context();
    const session = await backend.start(scenario(), ctx);
    try {
      expect(ctx.lines.some((l) => /4 nodes, 3 pods, 1 clients up/.test(l))).toBe(true);
      const first = await session.send(sendStep(0, seed004(), traffic(fromClient(), NODES.cp.ip, NODE_PORT, 20)));
      expect('observations' in first && new Set(first.observations.map((o) => o.pod)).size).toBe(3);
      const one = seed004({ replicas: 1 });
      expect(await session.apply(scaleStep(1, one, 1))).toEqual({ applied: true });
      const second = await session.send(sendStep(2, one, traffic(fromClient(), NODES.w3.ip, NODE_PORT, 10)));
      expect('observations' in second && [...new Set(second.observations.map((o) => o.pod))]).toEqual(['deploy-echo-7f6f7d9c4-abcde']);
      const sctp = await session.send(sendStep(3, one, { ...traffic(fromClient(), NODES.cp.ip, NODE_PORT, 1), protocol: 'SCTP' }));
      expect(sctp).toEqual({ unsupported: 'the netns backend sends TCP and UDP only, not SCTP' });
      const moreNodes = seed004({ replicas: 1 });
      moreNodes.cluster.nodes.push({ name: 'extra', role: 'worker', addresses: ['172.18.0.9'], podCIDR: '10.10.9.0/24' });
      expect(await session.apply(scaleStep(4, moreNodes, 1))).toEqual({ unsupported: 'the netns backend cannot change nodes or clients of a running lab' });
    } finally {
      await session.close();
      await session.close();
    }
  });

  it.skipIf(skip)('an abort (Ctrl-C) tears the lab down', async () => {
    const ctx = context();
    const session = await createBackend().start(scenario(), ctx);
    ctx.abort.abort();
    await expect(session.send(sendStep(0, seed004(), traffic(fromClient(), NODES.cp.ip, NODE_PORT, 1)))).rejects.toThrow(/closed/);
    await session.close();
  });
});
