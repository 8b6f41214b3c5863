import { describe, expect, it } from 'vitest';
import { startEchoPodsProcess } from '../../src/bench/echo-pods-process.js';
import { requestOnce } from '../../src/backends/proxy/trafficClient.js';
import { syntheticCluster } from '../../src/bench/synthetic.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startEchoPodsProcess', () => {
  it('serves the pods from a child process on the addresses of the shared map, and stops it', async () => {
    const state = syntheticCluster({ nodes: 1, services: 1, endpointsPerService: 2 });
    const pods = await startEchoPodsProcess(state);
    let pid: number | undefined;
    try {
      pid = pods.pid;
      expect(pid).not.toBe(process.pid);
      for (const pod of state.pods) {
        const r = await requestOnce({ host: pods.map.loopback(pod.ip), port: pod.ports[0].containerPort, localAddress: pods.map.loopback(state.cluster.clients[0].address), timeoutMs: 5_000 });
        expect(r.outcome).toBe('ok');
        expect(r.answer?.pod).toBe(pod.name);
        // The pod reports the client's scenario address, translated back through the same map.
        expect(r.answer?.clientip.split(':')[0]).toBe(state.cluster.clients[0].address);
      }
    } finally {
      await pods.stop();
    }
    expect(alive(pid!)).toBe(false);
  });
});
