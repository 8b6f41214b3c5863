/**
 * Starts the scenario's echo pods in a process of their own (echo-pods-main.ts) and gives back the
 * same address map the pods use, so the benchmark can address pods, nodes and clients on loopback.
 */
import type { ClusterState } from '../model/types.js';
import { AddressMap } from '../backends/proxy/addressMap.js';
import { builtPath, startReadyChild } from './child.js';

export interface EchoPodsProcess {
  map: AddressMap;
  pid: number;
  stop: () => Promise<void>;
}

export async function startEchoPodsProcess(state: ClusterState): Promise<EchoPodsProcess> {
  const child = await startReadyChild('echo pods', builtPath('bench/echo-pods-main.js'), [], /^(\{.*\})\n/m, { input: `${JSON.stringify(state)}\n` });
  try {
    const ready = JSON.parse(child.match[1]) as { run: number; pods: Record<string, string> };
    // The map is a pure function of the run octet and the state; check that both sides agree.
    const map = new AddressMap(ready.run);
    map.addState(state);
    for (const [scenario, loopback] of Object.entries(ready.pods)) {
      if (map.loopback(scenario) !== loopback) throw new Error(`bench: echo pods mapped ${scenario} to ${loopback}, this process to ${map.loopback(scenario)}`);
    }
    return { map, pid: child.pid, stop: child.stop };
  } catch (e) {
    await child.stop();
    throw e;
  }
}
