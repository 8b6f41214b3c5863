/**
 * A step of 100,000 requests on the simulator no longer holds the event loop: --timeout stops it
 * mid-step and Ctrl-C ends the run with exit 130 while it sends (built CLI, real sim backend).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainEnv, repo, requireBuild } from './harness.js';

beforeAll(requireBuild);
const dir = mkdtempSync(join(tmpdir(), 'svclab-volume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The library's clusterip-from-pod with its one step sent 100,000 times, `steps` times over. */
function bigScenario(steps: number): string {
  const text = readFileSync(join(repo, 'scenarios/conformance/clusterip-from-pod.yaml'), 'utf8').replace('send: 100 curls', 'send: 100000 curls');
  const [head, step] = text.split(/^steps:\n/m);
  const file = join(dir, `big-${steps}.yaml`);
  writeFileSync(file, `${head}steps:\n${step.repeat(steps)}`);
  return file;
}

describe('long sim steps (built CLI)', () => {
  it('--timeout stops a 100,000-request step while it sends', () => {
    const r = spawnSync(process.execPath, [join(repo, 'dist/cli/main.js'), 'run', bigScenario(1), '--backend', 'sim', '--timeout', '300', '--out', join(dir, 'out-timeout')], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...plainEnv(), CI: '1' },
    });
    // Before, the timer could not fire until the step had finished, and the step passed.
    expect(r.stdout).toContain('error: scenario timed out after 300 ms (--timeout)');
    expect(r.stdout).toContain('0 passed, 0 failed, 1 errored');
    expect(r.status).toBe(1);
  });

  it('Ctrl-C while sending ends the run with exit 130, without waiting for the steps', async () => {
    const file = bigScenario(2);
    const child = spawn(process.execPath, [join(repo, 'dist/cli/main.js'), 'run', file, '--backend', 'sim', '--timeout', '0', '--out', join(dir, 'out-int')], {
      env: { ...plainEnv(), CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Interrupt once the run has started sending (its header is printed first), then again every
    // second in case the first one arrived too early. A run that held the event loop heard the
    // signal only after its first 100,000-request step (12 s and more): the bound below, 10 s
    // after the first signal, cuts that off, while a yielding run stops within milliseconds.
    const started = new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('svclab run:') && resolve()));
    const code = await new Promise<number | null>((resolve) => {
      let bound: NodeJS.Timeout | undefined;
      let poke: NodeJS.Timeout | undefined;
      void started.then(() => {
        poke = setInterval(() => {
          child.kill('SIGINT');
          bound ??= setTimeout(() => child.kill('SIGKILL'), 10_000);
        }, 1000);
      });
      child.on('exit', (c) => {
        clearTimeout(bound);
        clearInterval(poke);
        resolve(c);
      });
    });
    expect(err).not.toMatch(/internal error|\n\s+at /);
    expect(code).toBe(130);
  });
});
