/**
 * The scenario library and the schema file: every scenario under scenarios/ loads, starts with the
 * editor schema comment pointing at the schema, and the checked-in schema is the generated one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { discoverScenarioFiles, loadScenarioFile } from '../../src/dsl/load.js';
import { scenarioSchema, schemaText } from '../../src/dsl/schema.js';
import type { SendStep } from '../../src/model/scenario.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schemaFile = path.join(root, 'schemas', 'scenario.schema.json');

describe('schema file', () => {
  it('equals the schema generated from src/dsl/schema.ts (regenerate: svclab schema --out schemas/scenario.schema.json)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(schemaText());
  });

  it('is a valid draft-07 schema under ajv strict mode', () => {
    const ajv = new Ajv({ strict: true, strictRequired: true, allowUnionTypes: true });
    ajv.addFormat('ip', () => true);
    ajv.addFormat('cidr', () => true);
    expect(() => ajv.compile(scenarioSchema)).not.toThrow();
  });
});

describe('scenario library', async () => {
  const files = await discoverScenarioFiles([path.join(root, 'scenarios')]);

  it('has the five seed labs', () => {
    const labs = files.filter((f) => f.includes(`${path.sep}labs${path.sep}`)).map((f) => path.basename(f).slice(0, 4));
    expect(labs).toEqual(expect.arrayContaining(['000-', '001-', '002-', '003-', '004-']));
  });

  for (const file of files) {
    const rel = path.relative(root, file);
    it(`${rel} starts with the schema comment and loads`, async () => {
      const first = readFileSync(file, 'utf8').split('\n')[0];
      const expected = path.relative(path.dirname(file), schemaFile).split(path.sep).join('/');
      expect(first).toBe(`# yaml-language-server: $schema=${expected}`);
      const s = await loadScenarioFile(file);
      expect(s.steps.length).toBeGreaterThan(0);
    });
  }

  it('keeps the KANS lab numbers (004)', async () => {
    const s = await loadScenarioFile(path.join(root, 'scenarios/labs/004-kans-nodeport.yaml'));
    expect(s.source).toBe('004_30b8ded31a428add.txt');
    expect(s.initial.cluster.nodes.map((n) => [n.name, n.addresses[0]])).toEqual([
      ['myk8s-control-plane', '172.18.0.4'],
      ['myk8s-worker', '172.18.0.5'],
      ['myk8s-worker2', '172.18.0.2'],
      ['myk8s-worker3', '172.18.0.3'],
    ]);
    const svc = s.initial.services[0];
    expect([svc.clusterIP, svc.ports[0].port, svc.ports[0].targetPort, svc.ports[0].nodePort]).toEqual(['10.200.1.73', 9000, 8080, 30682]);
    const sends = s.steps.filter((x): x is SendStep => x.kind === 'send');
    expect(sends[0].traffic.to).toEqual({ address: '172.18.0.4', port: 30682 });
    const local = s.steps.find((x) => x.kind === 'change' && x.change.op === 'scale')!;
    expect(local.state.services[0].externalTrafficPolicy).toBe('Local');
    expect(local.state.pods.map((p) => p.node)).toEqual(['myk8s-worker', 'myk8s-worker2']);
  });
});
