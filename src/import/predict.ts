/**
 * `svclab import --predict`: compiles the imported scenario, asks the simulator what each traffic
 * step does (exactly, over every random branch, so the answer does not depend on a seed) and
 * writes that as the step's expectations: the outcome, the pods (or nodes) that may answer, and
 * the source address they see.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SimNetwork } from '../backends/sim/network.js';
import { exactRequest, type ExactSummary } from '../backends/sim/exact.js';
import { senderOf } from '../backends/sim/session.js';
import { loadScenarioFile } from '../dsl/load.js';
import { renderNodeRules } from '../kubeproxy/iptables/render.js';
import type { SendStep } from '../model/scenario.js';
import type { ImportResult } from './import-cluster.js';

type Obj = Record<string, unknown>;

/** Replaces each traffic step's expect with the simulator's answer; returns a note per step with mixed outcomes. */
export async function predict(result: ImportResult, text: string): Promise<Map<number, string>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'svclab-import-'));
  let compiled;
  try {
    const file = path.join(dir, 'imported.yaml');
    await writeFile(file, text);
    compiled = await loadScenarioFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const notes = new Map<number, string>();
  const steps = result.scenario.steps as Obj[];
  let net: SimNetwork | undefined;
  let state: unknown;
  for (const step of compiled.steps) {
    if (step.kind !== 'send') continue;
    if (step.state !== state) {
      net = new SimNetwork(step.state, (s, n) => renderNodeRules(s, n));
      state = step.state;
    }
    const summary = exactRequest(net!, { sender: senderOf(step.traffic.from), address: step.traffic.to.address, port: step.traffic.to.port, protocol: step.traffic.protocol.toLowerCase(), now: 1, sport: 40000 });
    const { expect, note } = expectationOf(summary, step, result.namespace);
    steps[step.index]!.expect = expect;
    if (note) notes.set(step.index, note);
  }
  return notes;
}

function expectationOf(s: ExactSummary, step: SendStep, namespace: string): { expect: Obj; note?: string } {
  const mass = new Map<string, number>();
  for (const b of s.branches) mass.set(b.result.outcome, (mass.get(b.result.outcome) ?? 0) + b.probability);
  const expect: Obj = {};
  let note: string | undefined;
  if (mass.size === 1) expect.outcome = [...mass.keys()][0];
  else note = `predicted by svclab import --predict; outcomes vary by branch: ${[...mass].map(([o, p]) => `${o} ${(p * 100).toFixed(1)}%`).join(', ')}`;
  const ok = s.branches.filter((b) => b.result.outcome === 'ok');
  if (ok.length) {
    const pods = new Set<string>();
    const nodes = new Set<string>();
    let podsInNamespace = true;
    for (const b of ok) {
      const r = b.result;
      if (r.pod) {
        const pod = step.state.pods.find((p) => p.name === r.pod && p.ip === r.endpoint?.replace(/:\d+$/, ''));
        if (!pod || pod.namespace !== namespace) podsInNamespace = false;
        pods.add(r.pod);
      } else podsInNamespace = false;
      if (r.node) nodes.add(r.node);
    }
    if (podsInNamespace && pods.size) expect.pods = [...pods].sort();
    else if (nodes.size) expect.nodes = [...nodes].sort();
    const seen = new Set(ok.map((b) => b.result.sourceSeen));
    if (seen.size === 1) {
      const only = [...seen][0];
      if (only === step.traffic.from.address) expect.sourceSeen = 'client';
      else if (only !== undefined) expect.sourceSeen = only;
    }
  }
  if (!Object.keys(expect).length) {
    // Mixed outcomes and nothing answered: the likeliest outcome (a note says it is not certain).
    expect.outcome = [...mass].sort((a, b) => b[1] - a[1])[0]![0];
  }
  return { expect, ...(note ? { note } : {}) };
}
