/**
 * Two user-facing figures, each beside a baseline measured in the same run:
 * - a step of 100,000 requests on the simulator, in a child process: its wall time and peak RSS,
 *   against the same child's 100-request step (time scaled by 1,000; RSS as measured);
 * - `svclab validate FILE` start-up against a bare `node -e ''` start, interleaved.
 * Run as a child (`node volume.js --child FILE COUNT`), the module sends one step and prints JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StepVolume {
  requests: number;
  ms: number;
  peakRssMiB: number;
}

export interface VolumeResult {
  small: StepVolume;
  big: StepVolume;
  startup: { validateMs: number; bareNodeMs: number; runs: number };
}

const here = fileURLToPath(new URL('.', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function runNode(args: string[], cwd: string): Promise<{ ms: number; stdout: string; code: number | null }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, stdout, code });
    });
  });
}

/** One send step of `count` requests (clusterip-from-pod's) in a fresh process. */
async function stepInChild(file: string, count: number, cwd: string): Promise<StepVolume> {
  const r = await runNode([join(here, 'volume.js'), '--child', file, String(count)], cwd);
  if (r.code !== 0) throw new Error(`volume child (${count} requests) ended with exit ${r.code}`);
  return JSON.parse(r.stdout) as StepVolume;
}

export async function measureVolume(root: string, runs: number): Promise<VolumeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'svclab-bench-volume-'));
  try {
    const file = join(dir, 'step.yaml');
    writeFileSync(file, readFileSync(join(root, 'scenarios/conformance/clusterip-from-pod.yaml'), 'utf8'));
    const small = await stepInChild(file, 100, root);
    const big = await stepInChild(file, 100_000, root);
    const validateMs: number[] = [];
    const bareNodeMs: number[] = [];
    const cli = join(root, 'dist/cli/main.js');
    for (let i = 0; i < runs; i++) {
      bareNodeMs.push((await runNode(['-e', ''], root)).ms);
      validateMs.push((await runNode([cli, 'validate', '--quiet', file], root)).ms);
    }
    return { small, big, startup: { validateMs: median(validateMs), bareNodeMs: median(bareNodeMs), runs } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function child(file: string, count: number): Promise<void> {
  const { loadScenarioFile } = await import('../dsl/load.js');
  const { createBackend } = await import('../backends/sim/index.js');
  const scenario = await loadScenarioFile(file);
  const step = scenario.steps.find((s) => s.kind === 'send');
  if (step === undefined || step.kind !== 'send') throw new Error('no send step');
  const session = await createBackend().start(scenario, { seed: 1, signal: new AbortController().signal, log: () => undefined });
  const t0 = performance.now();
  const r = await session.send({ ...step, traffic: { ...step.traffic, count } });
  const ms = performance.now() - t0;
  if ('unsupported' in r || r.observations.length !== count) throw new Error('the step did not send every request');
  const out: StepVolume = { requests: count, ms, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(out));
}

if (process.argv[2] === '--child') void child(process.argv[3], Number(process.argv[4]));
