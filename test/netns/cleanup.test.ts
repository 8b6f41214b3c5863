/**
 * Nothing of a lab survives it: after close, after the agent is killed, after svclab itself is
 * killed (the next run's sweep cleans what is left). Needs root; skipped with the reason otherwise.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/backends/netns/lab.js';
import { kubeProxyRules } from '../../src/backends/netns/index.js';
import { agentScript, runDir, sweepStale } from '../../src/backends/netns/sandbox.js';
import { kernelSkipReason, seed004 } from './fixtures.js';

const skip = await kernelSkipReason();
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** `root` and all processes below it. */
function tree(root: number): number[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const pid of all) if (parentOf(pid) === out[i]) out.push(pid);
  return out.filter(running);
}

/** A process that still runs (a zombie waiting for a reaper holds no namespace and counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function netnsOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

/** Processes anywhere on the machine that are inside one of these network namespaces. */
function processesIn(namespaces: Set<string>): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      const ns = netnsOf(pid);
      return ns !== undefined && namespaces.has(ns);
    });
}

/** Polls (bounded) until `done()`; the assertion after it says what was expected. */
async function settle(done: () => boolean, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

/** The lab's processes and the set of network namespaces they live in (host's excluded). */
function footprint(pid: number): { pids: number[]; namespaces: Set<string> } {
  const pids = tree(pid);
  const host = netnsOf(process.pid);
  const namespaces = new Set(pids.map(netnsOf).filter((ns): ns is string => ns !== undefined && ns !== host));
  return { pids, namespaces };
}

describe(title('netns cleanup'), () => {
  it.skipIf(skip)('close() leaves no process, namespace or pidfile', async () => {
    const lab = await Lab.up(seed004(), { rulesFor: kubeProxyRules });
    const { pids, namespaces } = footprint(lab.pid);
    // unshare, agent, and one echo worker per pod, in the lab's own namespaces.
    expect(pids.length).toBeGreaterThanOrEqual(5);
    expect(namespaces.size).toBeGreaterThanOrEqual(4);
    expect(existsSync(join(runDir, `${lab.pid}.json`))).toBe(true);
    await lab.close();
    await lab.close();
    expect(pids.filter(running)).toEqual([]);
    expect(processesIn(namespaces)).toEqual([]);
    expect(existsSync(join(runDir, `${lab.pid}.json`))).toBe(false);
  });

  it.skipIf(skip)('SIGKILL of the agent takes every namespace and worker with it', async () => {
    const lab = await Lab.up(seed004(), { rulesFor: kubeProxyRules });
    const { pids, namespaces } = footprint(lab.pid);
    const agent = pids.find((p) => parentOf(p) === lab.pid)!;
    process.kill(agent, 'SIGKILL');
    await settle(() => pids.every((p) => !running(p)));
    expect(pids.filter(running)).toEqual([]);
    expect(processesIn(namespaces)).toEqual([]);
    await lab.close();
    expect(existsSync(join(runDir, `${lab.pid}.json`))).toBe(false);
  });

  it.skipIf(skip)('a sandbox whose svclab was SIGKILLed is swept by the next run', async () => {
    const sandboxModule = new URL('../../dist/backends/netns/sandbox.js', import.meta.url).href;
    const owner = spawn(
      process.execPath,
      ['--input-type=module', '-e', `const { Sandbox } = await import(${JSON.stringify(sandboxModule)}); const s = await Sandbox.open(); process.stdout.write(String(s.pid) + '\\n'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let agent: number | undefined;
    try {
      const unsharePid = await new Promise<number>((resolve, reject) => {
        owner.stdout.setEncoding('utf8').once('data', (d: string) => resolve(Number(d.trim())));
        owner.once('exit', (code) => reject(new Error(`owner exited early (${code})`)));
      });
      const { pids, namespaces } = footprint(unsharePid);
      agent = pids.find((p) => parentOf(p) === unsharePid)!;
      expect(readFileSync(`/proc/${unsharePid}/cmdline`, 'utf8')).toContain(agentScript());
      // Freeze the agent so it cannot notice its owner's death by itself: only the sweep can help.
      process.kill(agent, 'SIGSTOP');
      owner.kill('SIGKILL');
      await new Promise((r) => owner.once('exit', r));
      expect(running(unsharePid)).toBe(true);
      expect(existsSync(join(runDir, `${unsharePid}.json`))).toBe(true);
      // (Another test file's Sandbox.open() may sweep it first; either way it must go.)
      expect(sweepStale()).toBeLessThanOrEqual(1);
      await settle(() => pids.every((p) => !running(p)));
      expect(pids.filter(running)).toEqual([]);
      expect(processesIn(namespaces)).toEqual([]);
      expect(existsSync(join(runDir, `${unsharePid}.json`))).toBe(false);
    } finally {
      // Also when an expectation above failed: nothing of this test may outlive it.
      if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
      if (agent !== undefined && running(agent)) {
        process.kill(agent, 'SIGCONT');
        process.kill(agent, 'SIGKILL');
      }
      sweepStale();
    }
  });
});
