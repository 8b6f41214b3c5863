/**
 * The kube-proxy bench section: its change step is a real scale-up (one more pod, one more
 * endpoint of svc-nodeport only), and without the built kube-proxy-host (or root) it refuses with
 * BackendUnavailableError naming what is missing, which the bench prints as a skipped section.
 */
import { describe, expect, it } from 'vitest';
import { benchKubeProxy, scaledBenchState } from '../../src/bench/kube-proxy.js';
import { netnsBenchState } from '../../src/bench/netns.js';
import { BackendUnavailableError } from '../../src/errors.js';

describe('kube-proxy bench', () => {
  it('scales deploy-echo from 3 to 4 pods: one new ready endpoint of svc-nodeport, svc-bench unchanged', () => {
    const before = netnsBenchState();
    const after = scaledBenchState(before);
    expect(after.pods).toHaveLength(before.pods.length + 1);
    const added = after.pods[after.pods.length - 1]!;
    expect(before.pods.map((p) => p.ip)).not.toContain(added.ip);
    expect(before.pods.map((p) => p.name)).not.toContain(added.name);
    expect(after.deployments.find((d) => d.name === 'deploy-echo')?.replicas).toBe(4);
    const eps = (state: typeof before, svc: string) => state.endpointSlices.filter((s) => s.serviceName === svc).flatMap((s) => s.endpoints);
    expect(eps(after, 'svc-nodeport').map((e) => e.addresses[0])).toEqual([...eps(before, 'svc-nodeport').map((e) => e.addresses[0]), added.ip]);
    expect(eps(after, 'svc-nodeport').at(-1)?.conditions).toEqual({ ready: true, serving: true, terminating: false });
    expect(eps(after, 'svc-bench')).toEqual(eps(before, 'svc-bench'));
    // The input state is left as it was.
    expect(before.pods).toHaveLength(3);
  });

  it('without the built kube-proxy-host: BackendUnavailableError naming it (the bench skips the section with it)', async () => {
    const saved = process.env.SVCLAB_KUBE_PROXY_HOST;
    process.env.SVCLAB_KUBE_PROXY_HOST = '/nonexistent/kube-proxy-host';
    try {
      const err = await benchKubeProxy({ cycles: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BackendUnavailableError);
      // Without root the netns prerequisites are named first; with it, the missing program.
      expect((err as Error).message).toMatch(/\/nonexistent\/kube-proxy-host is not built|needs root/);
    } finally {
      if (saved === undefined) delete process.env.SVCLAB_KUBE_PROXY_HOST;
      else process.env.SVCLAB_KUBE_PROXY_HOST = saved;
    }
  });
});
