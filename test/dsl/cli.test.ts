/** `svclab validate`, `svclab schema` and `svclab new`, called as the CLI calls them. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as validate from '../../src/cli/commands/validate.js';
import * as schema from '../../src/cli/commands/schema.js';
import * as create from '../../src/cli/commands/new.js';
import { loadScenarioFile } from '../../src/dsl/load.js';
import { UsageError } from '../../src/errors.js';
import { tempDir, writeTemp } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let out = '';
let err = '';

beforeEach(() => {
  // Plain text whatever the CI machine sets; the colour test below sets its own.
  vi.stubEnv('NO_COLOR', '1');
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('svclab validate', () => {
  it('prints one line per file and a summary; exit 0 when all are valid', async () => {
    const code = await validate.run([path.join(root, 'scenarios/labs')]);
    expect(code).toBe(0);
    expect(out).toMatch(/ok +.*004-kans-nodeport\.yaml \(kans-nodeport, 12 steps\)/);
    expect(out).toMatch(/5 file\(s\): 5 valid, 0 invalid/);
  });

  it('with --backend, exits 4 naming file:line and what to change when the backend cannot build the cluster', async () => {
    const file = writeTemp(
      'bridge.yaml',
      `name: bridge-mode
cluster:
  nodes: [{ name: n1, ip: 172.18.0.2 }]
  kubeProxy: { detectLocal: BridgeInterface, bridgeInterface: cni0 }
steps:
  - send: 1 curl to node(n1):30000 from node n1
    expect: { outcome: refused }
`,
    );
    // Backends load by dynamic import of the built tree: run the built CLI (tsc builds dist/).
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), 'validate', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const netns = cli(file, '--backend', 'netns');
    expect(netns.status).toBe(4);
    expect(netns.stderr).toMatch(/bridge\.yaml:2:1: the netns backend cannot build this cluster: detectLocal BridgeInterface .* Use detectLocal InterfaceNamePrefix/);
    expect(netns.stdout).toMatch(/1 valid, 0 invalid, 1 the netns backend cannot build/);
    const sim = cli(file, '--backend', 'sim');
    expect(sim.status).toBe(0);
    expect(sim.stderr).toBe('');
    // Every layout of the library builds on netns, labs 001 and 003 included.
    expect(cli(path.join(root, 'scenarios'), '--backend', 'netns', '-q').status).toBe(0);
  });

  it('exits 3 and prints the located error for an invalid file', async () => {
    const good = path.join(root, 'scenarios/labs/004-kans-nodeport.yaml');
    const bad = path.join(root, 'test/dsl/invalid/02-misspelt-deployment-key.yaml');
    const code = await validate.run([good, bad]);
    expect(code).toBe(3);
    expect(out).toMatch(/invalid .*02-misspelt-deployment-key\.yaml/);
    expect(out).toContain('2 file(s): 1 valid, 1 invalid');
    expect(err).toContain("error: unknown key 'replica' in Deployment spec");
  });

  it('decides colour itself: plain under CI on a pipe, painted with FORCE_COLOR, plain with NO_COLOR', async () => {
    const file = path.join(root, 'scenarios/labs/004-kans-nodeport.yaml');
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('CI', 'true');
    vi.stubEnv('TERM', 'xterm');
    const wasTTY = process.stdout.isTTY;
    process.stdout.isTTY = false;
    try {
      await validate.run([file]);
    } finally {
      process.stdout.isTTY = wasTTY;
    }
    expect(out).not.toContain('\u001b[');
    out = '';
    vi.stubEnv('FORCE_COLOR', '1');
    await validate.run([file]);
    expect(out).toContain('\u001b[32mok\u001b[39m');
    out = '';
    vi.stubEnv('NO_COLOR', '1');
    vi.stubEnv('FORCE_COLOR', undefined);
    await validate.run([file]);
    expect(out).not.toContain('\u001b[');
  });

  it('treats a missing path as a usage error', async () => {
    await expect(validate.run(['/nonexistent/x'])).rejects.toThrow(UsageError);
  });

  it('prints help', async () => {
    expect(await validate.run(['--help'])).toBe(0);
    expect(out).toContain('Usage: svclab validate');
  });
});

describe('svclab schema', () => {
  it('prints the same schema as the checked-in file', async () => {
    expect(await schema.run([])).toBe(0);
    expect(out).toBe(readFileSync(path.join(root, 'schemas/scenario.schema.json'), 'utf8'));
  });
});

describe('svclab new', () => {
  it('writes a scaffold that validates, and refuses to overwrite it', async () => {
    const file = path.join(tempDir(), 'labs', 'my-lab.yaml');
    expect(await create.run(['my-lab', '--out', file])).toBe(0);
    const s = await loadScenarioFile(file);
    expect(s.name).toBe('my-lab');
    expect(readFileSync(file, 'utf8').split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*schemas\/scenario\.schema\.json$/);
    writeFileSync(file, 'edited');
    await expect(create.run(['my-lab', '--out', file])).rejects.toThrow(/already exists; not overwriting it/);
    expect(readFileSync(file, 'utf8')).toBe('edited');
  });

  it('rejects names that are not safe file and scenario names', async () => {
    for (const bad of ['../evil', 'Upper', '-x', 'a/b', '']) {
      await expect(create.run([bad, '--out', path.join(tempDir(), 'x.yaml')])).rejects.toThrow(UsageError);
    }
    expect(existsSync(path.join(tempDir(), 'x.yaml'))).toBe(false);
  });
});

describe('resource files', () => {
  it('loads manifests from a multi-document *.k8s.yaml next to the scenario and points errors into it', async () => {
    writeTemp('app.k8s.yaml', `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c }] } }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`);
    const scenario = `name: t
cluster: { nodes: [{ name: n, role: control-plane, ip: 172.18.0.2 }] }
resources: [{ file: app.k8s.yaml }]
steps: [{ send: 1 curl to CIP:CIPPORT from node n, expect: { outcome: ok } }]
`;
    const s = await loadScenarioFile(writeTemp('with-file.yaml', scenario));
    expect(s.initial.pods.map((p) => [p.name, p.node])).toEqual([['web-1', 'n']]);
    writeTemp('broken.k8s.yaml', 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80, protocl: TCP }] }\n');
    const msg = await loadScenarioFile(writeTemp('with-broken.yaml', scenario.replace('app.k8s.yaml', 'broken.k8s.yaml'))).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(msg).toContain("error: unknown key 'protocl' in Service port");
    expect(msg).toMatch(/broken\.k8s\.yaml:4:29/);
    expect(msg).toContain("= did you mean 'protocol'?");
  });
});
