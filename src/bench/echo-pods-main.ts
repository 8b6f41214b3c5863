/**
 * Entry point of the benchmark's echo-pods process: the scenario's echo pods in a process of their
 * own, as pods are, so the load loop and the pods do not share one event loop (which would cap the
 * direct baseline at the load loop's speed and flatter every path measured against it).
 *
 * Protocol: the parent writes the ClusterState as one JSON line on stdin and keeps stdin open;
 * this prints `{"run":N,"pods":{scenarioIP:loopbackIP}}` once the pods listen. It stops the pods
 * and exits when stdin closes (the parent is gone) or on SIGINT/SIGTERM.
 */
import type { ClusterState } from '../model/types.js';
import { ProxyLab } from '../backends/proxy/lab.js';

/** A bench state is a few KiB; anything near this is not one. */
const MAX_STATE_BYTES = 1 << 20;

/** The first line of stdin, parsed; stdin stays open (a for-await loop would destroy it on return). */
function readStateLine(): Promise<ClusterState> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: string): void => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl < 0) {
        if (text.length > MAX_STATE_BYTES) fail(new Error('echo pods: state larger than 1 MiB'));
        return;
      }
      process.stdin.off('data', onData).off('end', onEnd);
      try {
        resolve(JSON.parse(text.slice(0, nl)) as ClusterState);
      } catch (err) {
        reject(err);
      }
    };
    const onEnd = (): void => fail(new Error('echo pods: stdin closed before the state arrived'));
    const fail = (err: Error): void => {
      process.stdin.off('data', onData).off('end', onEnd);
      reject(err);
    };
    process.stdin.on('data', onData).on('end', onEnd);
  });
}

async function main(): Promise<void> {
  process.stdin.setEncoding('utf8');
  const state = await readStateLine();
  const lab = await ProxyLab.start(state, { seed: 1, holdMs: 5_000, withoutDaemons: true });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await lab.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  const pods = Object.fromEntries(state.pods.filter((p) => p.ip).map((p) => [p.ip, lab.map.loopback(p.ip)]));
  process.stdout.write(`${JSON.stringify({ run: lab.map.run, pods })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
