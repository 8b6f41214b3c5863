/**
 * `kubeProxy.nodePortAddresses: [primary]` (issue 14): kube-proxy expands `primary` to the node's
 * primary IP /32 (cmd/kube-proxy/app/server.go expandNodePortAddressKeywords), so node ports answer
 * on that address only, and localhost node ports go off (the CIDRs do not cover 127.0.0.1).
 */
import { describe, expect, it } from 'vitest';
import { traceScenario } from '../../../src/cli/commands/trace.js';
import { renderNodeRules } from '../../../src/kubeproxy/iptables/render.js';
import { NODE_PORT, seed004 } from '../../sim/seed004.js';

function primaryOnly() {
  const state = seed004();
  state.cluster.kubeProxy.nodePortAddresses = ['primary'];
  // A second address on the worker: node ports must not answer there.
  const worker = state.cluster.nodes.find((n) => n.name === 'myk8s-worker')!;
  worker.addresses = [...worker.addresses, '192.168.50.3'];
  return { state, worker };
}

describe('nodePortAddresses: [primary]', () => {
  it('renders KUBE-NODEPORTS for the primary address only, no localhost node port rules', () => {
    const { state, worker } = primaryOnly();
    const rules = renderNodeRules(state, worker.name);
    expect(rules).toContain(`-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d ${worker.addresses[0]} -j KUBE-NODEPORTS`);
    expect(rules).not.toMatch(/--dst-type LOCAL[^\n]*-j KUBE-NODEPORTS/);
    expect(rules).not.toMatch(/-d 192\.168\.50\.3 -j KUBE-NODEPORTS/);
    expect(rules).not.toMatch(/-d 127\.0\.0\.0\/8 [^\n]*KUBE-NODEPORTS|KUBE-NODEPORTS[^\n]*-d 127\.0\.0\.0\/8/);
  });

  it('the node port answers on the primary address, not on the other one nor on localhost', () => {
    const { state, worker } = primaryOnly();
    const to = (host: string) => traceScenario(state, { from: `node:${worker.name}`, to: { host, port: NODE_PORT }, proto: 'tcp' }).verdict;
    expect(to(worker.addresses[0]!)).toBe('ok');
    expect(to('192.168.50.3')).not.toBe('ok');
    expect(to('127.0.0.1')).not.toBe('ok');
    // Without the setting every address and localhost answer (the default kube-proxy behaviour).
    const open = seed004();
    const w = open.cluster.nodes.find((n) => n.name === 'myk8s-worker')!;
    w.addresses = [...w.addresses, '192.168.50.3'];
    const openTo = (host: string) => traceScenario(open, { from: `node:${w.name}`, to: { host, port: NODE_PORT }, proto: 'tcp' }).verdict;
    expect(openTo('192.168.50.3')).toBe('ok');
    expect(openTo('127.0.0.1')).toBe('ok');
  });
});
