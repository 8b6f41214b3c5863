import { it } from 'vitest';
import { SimNetwork } from '../../src/backends/sim/network.js';
import { renderNodeRules } from '../../src/backends/sim/rules/render.js';
import { seed004 } from './seed004.js';
import { Rng } from '../../src/netfilter/rng.js';
import { compileDump, traceRules } from '../../src/netfilter/trace-rules.js';
it('bench', () => {
  const s = seed004();
  const net = new SimNetwork(s, renderNodeRules);
  const rng = new Rng(1);
  const host = net.host('myk8s-control-plane')!;
  const N = 300000;
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    host.process({ src: 0xac120064, dst: 0xac120004, proto: 6, sport: 30000 + (i % 30000), dport: 30682, mark: 0, inIface: '', outIface: '', ctstate: 0 }, 'eth0', { chance: (p) => rng.next() < p, now: 1, mutate: false });
  }
  console.log('host.process verdicts/s', Math.round(N / ((performance.now() - t) / 1000)));
  t = performance.now();
  for (let i = 0; i < N / 10; i++) {
    net.request({ kind: 'client', name: 'mypc' }, '172.18.0.4', 30682, 'tcp', { chance: (p) => rng.next() < p, now: i * 0.1, mutate: true, sport: 32768 + (i % 28000), trace: false });
    if (i % 512 === 0) for (const n of net.nodeNames()) net.host(n)!.conntrack.prune(i * 0.1);
  }
  console.log('full requests/s', Math.round(N / 10 / ((performance.now() - t) / 1000)));
});
