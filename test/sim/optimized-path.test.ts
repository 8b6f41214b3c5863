/**
 * The evaluator's speed-ups (chain indexes, matches hoisted into packed rows, the statistic
 * shortcut, hot chains compiled to JavaScript, compiled rules reused across nodes and change
 * steps) must not change one answer. Every conformance scenario and seed lab runs with the same
 * seeds as `svclab run` does, with every chain made hot at once, and on the plain path (every
 * match a closure in rule order, no index, no generated code, every dump parsed and compiled
 * afresh); observations, traces and exact distributions must be identical. (Requests are traced,
 * so generated code runs in their exact-mode exploration; test/evaluators/iptables/chain-code.test.ts
 * checks it packet by packet.)
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverScenarioFiles, loadScenarioFile } from '../../src/dsl/load.js';
import { SimSession } from '../../src/backends/sim/session.js';
import type { SimNetworkOptions } from '../../src/backends/sim/network.js';
import type { CompiledScenario } from '../../src/model/scenario.js';
import type { SendResult } from '../../src/observe/observation.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SEEDS = [1, 7, 1234];

async function runAll(scenario: CompiledScenario, seed: number, options: SimNetworkOptions): Promise<{ results: (SendResult | { applied: unknown })[]; compiles: number }> {
  const session = new SimSession(scenario, { seed, signal: new AbortController().signal, log: () => {} }, options);
  const results: (SendResult | { applied: unknown })[] = [];
  let compiles = session.net.compiledLastUpdate;
  try {
    for (const step of scenario.steps) {
      if (step.kind === 'change') {
        results.push({ applied: await session.apply(step) });
        compiles += session.net.compiledLastUpdate;
      } else results.push(await session.send(step));
    }
  } finally {
    await session.close();
  }
  return { results, compiles };
}

describe('optimized and plain evaluation agree', async () => {
  const files = await discoverScenarioFiles([path.join(root, 'scenarios')]);
  const scenarios = await Promise.all(files.map((f) => loadScenarioFile(f)));

  it('loads the conformance scenarios and seed labs', () => {
    expect(files.some((f) => f.includes(`${path.sep}conformance${path.sep}`))).toBe(true);
    expect(files.some((f) => f.includes(`${path.sep}labs${path.sep}`))).toBe(true);
  });

  it('gives identical observations, traces and exact distributions for every scenario and seed', async () => {
    let requests = 0;
    let fastCompiles = 0;
    let plainCompiles = 0;
    for (const scenario of scenarios) {
      for (const seed of SEEDS) {
        const plain = await runAll(scenario, seed, { compile: { plain: true }, reuseCompiled: false });
        // As `svclab run` does (rarely walked chains stay rows), and with every chain compiled to code.
        const fast = await runAll(scenario, seed, {});
        expect(fast.results, `${path.basename(scenario.file)} seed ${seed}`).toEqual(plain.results);
        const eager = await runAll(scenario, seed, { compile: { hotCalls: 1 } });
        expect(eager.results, `${path.basename(scenario.file)} seed ${seed}, all chains as code`).toEqual(plain.results);
        for (const r of fast.results) if ('observations' in r) requests += r.observations.length;
        fastCompiles += fast.compiles;
        plainCompiles += plain.compiles;
      }
    }
    expect(requests).toBeGreaterThan(3000);
    // Identical dumps (nodes alike, change steps that leave a node's rules alone) were reused.
    expect(fastCompiles).toBeLessThan(plainCompiles);
  }, 300_000);
});
