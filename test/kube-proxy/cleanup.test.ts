/**
 * `svclab run --backend kube-proxy` leaves nothing behind: no kube-proxy-host, unshare or agent
 * process, no pidfile in the run dir, no namespace, and not one rule in the host's own network
 * namespace, after a normal end, after Ctrl-C (SIGINT to svclab's process group, or to svclab
 * alone: exit 130) and after SIGKILL of svclab alone (the sandbox notices its owner is gone; the next run's sweep
 * removes the pidfile svclab could not). Only processes descended from the svclab child this test
 * starts are looked at or signalled: other work on the machine is never touched.
 * Needs root and the built kube-proxy-host; skipped with the reason otherwise.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hostBinaryPath } from '../../src/backends/kube-proxy/binary.js';
import { runDir } from '../../src/backends/netns/sandbox.js';
import { kernelSkipReason } from '../netns/fixtures.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repo, 'dist/cli/main.js');
const binary = hostBinaryPath();
const kernelSkip = await kernelSkipReason();
const skip = kernelSkip ?? (existsSync(binary) ? undefined : `${binary} is not built (npm run build:kube-proxy)`);
const title = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);
const dir = mkdtempSync(join(tmpdir(), 'svclab-kp-cleanup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two nodes, a NodePort Service, a scale step (a re-sync on every node); `slow` adds a step of
 * timeouts (a ClusterIP is not routed from a client) long enough to interrupt the run in it. */
function scenario(slow: boolean): string {
  return `name: kube-proxy-cleanup${slow ? '-slow' : ''}
description: Two nodes, echo pods behind a NodePort Service; scaling re-syncs kube-proxy on both.
cluster:
  nodes:
    - { name: cp, role: control-plane, ip: 172.18.0.2 }
    - { name: w1, ip: 172.18.0.3 }
  podCIDR: 10.10.0.0/16
  serviceCIDR: 10.200.1.0/24
  clients:
    - { name: mypc, ip: 172.18.0.100 }
resources:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: echo }
    spec:
      replicas: 2
      selector: { matchLabels: { app: echo } }
      template:
        metadata: { labels: { app: echo } }
        spec:
          containers:
            - { name: echo, image: echo, ports: [{ containerPort: 8080 }] }
  - apiVersion: v1
    kind: Service
    metadata: { name: web }
    spec:
      type: NodePort
      clusterIP: 10.200.1.10
      selector: { app: echo }
      ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }]
steps:
  - send: 5 curls to 172.18.0.2:30080 from mypc
    expect: { outcome: ok }
  - scale: deployment/echo
    replicas: 3
  - send: 5 curls to 172.18.0.3:30080 from mypc
    expect: { outcome: ok }
${slow ? '  - send: 200 curls to 10.200.1.10:80 from mypc timeout 5s\n    expect: { outcome: timeout }\n' : ''}`;
}

// ---------------------------------------------------------------- what the host holds

interface Proc {
  pid: number;
  /** Start time in clock ticks since boot: a pid reused by another process has another. */
  start: string;
  exe: string;
  cmdline: string;
}

function stat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function describeProc(pid: number): Proc | undefined {
  const s = stat(pid);
  if (!s) return undefined;
  let exe = '';
  let cmdline = '';
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    // gone meanwhile, or a kernel thread
  }
  // Field 22 of /proc/PID/stat (starttime) is index 19 after the command name.
  return { pid, start: s[19]!, exe, cmdline };
}

/** Still the same process, and not a zombie waiting for its reaper (a zombie holds nothing). */
function stillRunning(p: Proc): boolean {
  const s = stat(p.pid);
  return s !== undefined && s[19] === p.start && s[0] !== 'Z';
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** `root` and every process below it (by parent pid). */
function tree(root: number): Proc[] {
  const parents = new Map<number, number[]>();
  for (const pid of allPids()) {
    const ppid = Number(stat(pid)?.[1]);
    if (!parents.has(ppid)) parents.set(ppid, []);
    parents.get(ppid)!.push(pid);
  }
  const out: number[] = [root];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]!) ?? []));
  return out.map(describeProc).filter((p): p is Proc => p !== undefined);
}

function netnsOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

/**
 * The host namespace's netfilter state, named namespaces, and the sysctl kube-proxy's iptables
 * proxier sets (route_localnet; counters dropped: traffic moves them).
 */
function hostNetwork(): { iptables: string; nft: string; netns: string; routeLocalnet: string } {
  const run = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      return `(${cmd} failed: ${(err as Error).message})`;
    }
  };
  const iptables = run('iptables-save', [])
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, '[*]'))
    .join('\n');
  const nft = run('nft', ['list', 'ruleset']).replace(/packets \d+ bytes \d+/g, 'packets * bytes *');
  const routeLocalnet = readFileSync('/proc/sys/net/ipv4/conf/all/route_localnet', 'utf8');
  return { iptables, nft, netns: run('ip', ['netns', 'list']), routeLocalnet };
}

/** Polls (bounded) until `done()`; the assertion after it says what was expected. */
async function settle(done: () => boolean, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

// ---------------------------------------------------------------- one run of svclab

interface Run {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  /** Every process seen below svclab while it ran (sampled every 50 ms). */
  seen: Map<string, Proc>;
}

/** Starts svclab in a process group of its own (so Ctrl-C can be sent to the group, as a terminal does). */
function startRun(file: string, out: string, mode: 'iptables' | 'nftables' = 'iptables'): Run {
  const child = spawn(process.execPath, [cli, 'run', file, '--backend', 'kube-proxy', '--mode', mode, '--out', out], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const seen = new Map<string, Proc>();
  const sample = (): void => {
    for (const p of tree(child.pid!)) if (p.exe !== '') seen.set(`${p.pid}:${p.start}`, p);
  };
  const sampler = setInterval(sample, 50);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
    child.once('close', (code, signal) => {
      clearInterval(sampler);
      resolve({ code, signal, output });
    });
  });
  return { child, exit, seen };
}

const kubeProxies = (run: Run): Proc[] => [...run.seen.values()].filter((p) => p.exe === binary);
const sandboxes = (run: Run): Proc[] => [...run.seen.values()].filter((p) => p.cmdline.startsWith('unshare ') && p.cmdline.includes('--kill-child'));

/** Waits (bounded) until every node's kube-proxy-host of this run has been seen running. */
async function labUp(run: Run, nodes: number): Promise<void> {
  await settle(() => kubeProxies(run).filter(stillRunning).length >= nodes || run.child.exitCode !== null, 30_000);
}

/** The footprint checks shared by every ending: run after svclab is gone. */
async function expectNothingLeft(run: Run, before: ReturnType<typeof hostNetwork>, namespaces: Set<string>): Promise<void> {
  const procs = [...run.seen.values()];
  await settle(() => procs.every((p) => !stillRunning(p)));
  expect(procs.filter(stillRunning).map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
  // (Other kube-proxy-hosts may run at the same time: vitest runs the kube-proxy test files side
  // by side, so only this run's processes and namespaces are checked.)
  // Nothing lives on in the lab's network namespaces.
  const inLab = allPids().filter((pid) => namespaces.has(netnsOf(pid) ?? ''));
  expect(inLab).toEqual([]);
  expect(hostNetwork()).toEqual(before);
}

/** After a failed expectation too: nothing this test started may outlive it (only its own processes). */
function reap(...runs: (Run | undefined)[]): void {
  for (const r of runs) {
    if (!r) continue;
    for (const p of r.seen.values()) if (stillRunning(p)) process.kill(p.pid, 'SIGKILL');
  }
}

/** The lab's network namespaces (the host's excluded), from the processes seen. */
function labNamespaces(run: Run): Set<string> {
  const host = netnsOf(process.pid);
  const out = new Set<string>();
  for (const p of run.seen.values()) {
    if (!stillRunning(p)) continue;
    const ns = netnsOf(p.pid);
    if (ns !== undefined && ns !== host) out.add(ns);
  }
  return out;
}

describe(title('kube-proxy backend cleanup'), () => {
  const small = join(dir, 'small.yaml');
  const slow = join(dir, 'slow.yaml');
  writeFileSync(small, scenario(false));
  writeFileSync(slow, scenario(true));

  for (const mode of ['iptables', 'nftables'] as const) {
    it.skipIf(skip)(`a normal end (${mode} mode) leaves no process, pidfile, namespace or host rule`, { timeout: 60_000 }, async () => {
      const before = hostNetwork();
      const run = startRun(small, join(dir, `out-normal-${mode}`), mode);
      try {
        const { code, output } = await run.exit;
        expect(code, output).toBe(0);
        // The run really ran upstream's proxier: one per node, inside one sandbox.
        expect(kubeProxies(run).length, output).toBeGreaterThanOrEqual(2);
        expect(sandboxes(run)).toHaveLength(1);
        for (const s of sandboxes(run)) expect(existsSync(join(runDir, `${s.pid}.json`))).toBe(false);
        await expectNothingLeft(run, before, new Set());
      } finally {
        reap(run);
      }
    });
  }

  // Ctrl-C in a terminal signals the whole foreground process group; `kill -INT` only svclab. The
  // first comes as soon as the proxiers run (bring-up, first syncs), the second a second later
  // (normally inside the long traffic step; on a loaded machine maybe earlier: mid-run either way).
  for (const [target, delayMs] of [['group', 0], ['svclab', 1000]] as const) {
    it.skipIf(skip)(`SIGINT to ${target === 'group' ? 'the process group (Ctrl-C)' : 'svclab alone'} mid-run: exit 130, and nothing is left`, { timeout: 60_000 }, async () => {
      const before = hostNetwork();
      const run = startRun(slow, join(dir, `out-sigint-${target}`));
      try {
        await labUp(run, 2);
        const namespaces = labNamespaces(run);
        expect(kubeProxies(run).filter(stillRunning).length).toBeGreaterThanOrEqual(2);
        expect(namespaces.size).toBeGreaterThanOrEqual(3);
        await new Promise((r) => setTimeout(r, delayMs));
        expect(run.child.exitCode).toBeNull();
        process.kill(target === 'group' ? -run.child.pid! : run.child.pid!, 'SIGINT');
        const { code, signal, output } = await run.exit;
        expect({ code, signal }, output).toEqual({ code: 130, signal: null });
        expect(output).not.toMatch(/\n\s+at /);
        for (const s of sandboxes(run)) expect(existsSync(join(runDir, `${s.pid}.json`))).toBe(false);
        await expectNothingLeft(run, before, namespaces);
      } finally {
        reap(run);
      }
    });
  }

  it.skipIf(skip)('SIGKILL of svclab mid-run: the sandbox goes by itself, the next run sweeps its pidfile', { timeout: 60_000 }, async () => {
    const before = hostNetwork();
    const run = startRun(slow, join(dir, 'out-sigkill'));
    let next: Run | undefined;
    try {
      await labUp(run, 2);
      const namespaces = labNamespaces(run);
      expect(kubeProxies(run).filter(stillRunning).length).toBeGreaterThanOrEqual(2);
      const [sandbox] = sandboxes(run);
      expect(sandbox).toBeDefined();
      // svclab alone: its sandbox (unshare, agent, kube-proxy-host, echo workers) gets no signal.
      process.kill(run.child.pid!, 'SIGKILL');
      const { signal } = await run.exit;
      expect(signal).toBe('SIGKILL');
      await expectNothingLeft(run, before, namespaces);
      // svclab could not remove its pidfile; the next kube-proxy (or netns) run does.
      next = startRun(small, join(dir, 'out-after-sigkill'));
      const after = await next.exit;
      expect(after.code, after.output).toBe(0);
      expect(existsSync(join(runDir, `${sandbox!.pid}.json`))).toBe(false);
      await expectNothingLeft(next, before, new Set());
    } finally {
      reap(run, next);
    }
  });
});
