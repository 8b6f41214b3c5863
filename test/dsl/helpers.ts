/** Test helpers: compile scenario text from a temporary file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { loadScenarioFile } from '../../src/dsl/load.js';
import type { CompiledScenario } from '../../src/model/scenario.js';

const dir = mkdtempSync(path.join(tmpdir(), 'svclab-dsl-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

export function tempDir(): string {
  return dir;
}

export function writeTemp(name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

export async function compile(text: string): Promise<CompiledScenario> {
  return loadScenarioFile(writeTemp(`s${++n}.yaml`, text));
}

/** The error message loading `text` produces (fails the test when it loads). */
export async function compileError(text: string): Promise<string> {
  try {
    await compile(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the scenario to be rejected');
}

export const CLUSTER = `
cluster:
  nodes:
    - { name: cp, role: control-plane, ip: 172.18.0.2 }
    - { name: w1, ip: 172.18.0.3 }
    - { name: w2, ip: 172.18.0.4 }
  clients: [{ name: mypc, ip: 172.18.0.100 }]
`;

export function deployment(name: string, replicas: number, extra = ''): string {
  return `
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: ${name} }
    spec:
      replicas: ${replicas}
      selector: { matchLabels: { app: ${name} } }
      template:
        metadata: { labels: { app: ${name} } }
        spec: { containers: [{ name: c, ports: [{ name: http, containerPort: 8080 }${extra}] }] }`;
}

export function service(name: string, spec: string): string {
  return `
  - apiVersion: v1
    kind: Service
    metadata: { name: ${name} }
    spec: ${spec}`;
}
