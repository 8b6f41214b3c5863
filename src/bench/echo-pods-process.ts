/**
 * Starts the scenario's echo pods in a process of their own (echo-pods-main.ts) and gives back the
 * same address map the pods use, so the benchmark can address pods, nodes and clients on loopback.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClusterState } from '../model/types.js';
import { AddressMap } from '../backends/proxy/addressMap.js';

export interface EchoPodsProcess {
  map: AddressMap;
  pid: number;
  stop: () => Promise<void>;
}

/** The built entry (dist/bench/echo-pods-main.js), also when this module runs from src/ under a test runner. */
function entryPath(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts') ? fileURLToPath(new URL('../../dist/bench/echo-pods-main.js', import.meta.url)) : fileURLToPath(new URL('./echo-pods-main.js', import.meta.url));
}

export async function startEchoPodsProcess(state: ClusterState): Promise<EchoPodsProcess> {
  const entry = entryPath();
  if (!existsSync(entry)) throw new Error(`bench: ${entry} is missing (run npm run build)`);
  const child = spawn(process.execPath, [entry], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    child.stdin.write(`${JSON.stringify(state)}\n`);
    const ready = await new Promise<{ run: number; pods: Record<string, string> }>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`bench: echo pods did not start within 30 s:\n${err}`)), 30_000);
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, nl)) as { run: number; pods: Record<string, string> });
        } catch {
          reject(new Error(`bench: echo pods printed ${out.slice(0, 200)}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`bench: echo pods exited with ${code}:\n${err}`));
      });
    });
    // The map is a pure function of the run octet and the state; check that both sides agree.
    const map = new AddressMap(ready.run);
    map.addState(state);
    for (const [scenario, loopback] of Object.entries(ready.pods)) {
      if (map.loopback(scenario) !== loopback) throw new Error(`bench: echo pods mapped ${scenario} to ${loopback}, this process to ${map.loopback(scenario)}`);
    }
    return { map, pid: child.pid!, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
