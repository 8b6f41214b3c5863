import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as importCommand from '../../src/cli/commands/import.js';
import * as validate from '../../src/cli/commands/validate.js';
import { UsageError } from '../../src/errors.js';
import { importCluster } from '../../src/import/import-cluster.js';
import { ImportInputError, InputSource, objectsOf } from '../../src/import/read-input.js';
import { fixture, fixtureText, kubectlList, sizeFor, tempPath } from './helpers.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);
let out = '';
let err = '';

beforeEach(() => {
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

type Obj = Record<string, any>;
const imported = (text: string, name = 'in.yaml') => importCluster(objectsOf(new InputSource(name, text)));

describe('svclab import of a kind-like 3-node cluster', () => {
  it('YAML and JSON give the same scenario', () => {
    const y = imported(fixtureText('kind-3-nodes.yaml'), 'kind-3-nodes.yaml');
    const j = imported(fixtureText('kind-3-nodes.json'), 'kind-3-nodes.json');
    expect(j.scenario).toEqual(y.scenario);
    expect(j.leftOut).toEqual(y.leftOut);
  });

  it('nodes keep their addresses, roles and pod CIDRs; pods their nodes, labels and readiness', () => {
    const { scenario } = imported(fixtureText('kind-3-nodes.yaml'));
    expect(scenario.cluster.nodes).toEqual([
      { name: 'kind-control-plane', role: 'control-plane', ip: '172.18.0.3', podCIDR: '10.244.0.0/24' },
      { name: 'kind-worker', ip: '172.18.0.2', podCIDR: '10.244.1.0/24' },
      { name: 'kind-worker2', ip: '172.18.0.4', podCIDR: '10.244.2.0/24' },
    ]);
    expect(scenario.cluster.podCIDR).toBe('10.244.0.0/16');
    expect(scenario.cluster.serviceCIDR).toBe('10.96.0.0/16');
    const pods = (scenario.resources as Obj[]).filter((r) => r.kind === 'Pod');
    expect(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}@${p.spec.nodeName}`)).toEqual([
      'kube-system/coredns-6f6b679f8f-7xq2m@kind-control-plane',
      'kube-system/coredns-6f6b679f8f-lb9vd@kind-control-plane',
      'default/web-7c5ddbdf54-2jxkq@kind-worker',
      'default/web-7c5ddbdf54-9wq4t@kind-worker2',
      'default/web-7c5ddbdf54-ztm8c@kind-worker2',
      'default/tester@kind-worker',
    ]);
    expect(scenario.steps[0]).toEqual({ endpoint: 'pod/web-7c5ddbdf54-ztm8c', condition: 'not-ready' });
  });

  it("strips kubectl's bookkeeping and keeps Services and selector-less EndpointSlices as they are", () => {
    const { scenario } = imported(fixtureText('kind-3-nodes.yaml'));
    const text = JSON.stringify(scenario.resources);
    for (const word of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'last-applied-configuration', 'ownerReferences', 'containerStatuses']) expect(text).not.toContain(word);
    const web = (scenario.resources as Obj[]).find((r) => r.kind === 'Service' && r.metadata.name === 'web')!;
    expect(web.spec).toEqual({ type: 'NodePort', selector: { app: 'web' }, clusterIP: '10.96.120.15', ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }], externalTrafficPolicy: 'Local' });
    const lb = (scenario.resources as Obj[]).find((r) => r.metadata.name === 'web-lb')!;
    expect(lb.status).toEqual({ loadBalancer: { ingress: [{ ip: '172.18.0.200' }] } });
    const slices = (scenario.resources as Obj[]).filter((r) => r.kind === 'EndpointSlice');
    expect(slices).toEqual([
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'external-db-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'external-db' } }, addressType: 'IPv4', ports: [{ name: '', port: 9376 }], endpoints: [{ addresses: ['192.0.2.42'], conditions: { ready: true } }] },
    ]);
  });

  it('lists what it left out: host-network pods, the kubernetes Service and its slice, unknown kinds', () => {
    const extra = `${fixtureText('kind-3-nodes.yaml')}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: default }\nspec: {}\n`;
    const { leftOut } = imported(extra);
    expect(leftOut[0]).toBe('1 Deployment: kind not imported');
    expect(leftOut).toContain('Pod kube-system/kube-proxy-8kz4d: left out, it uses the host network (not modelled: it answers on its node address)');
    expect(leftOut.some((l) => l.startsWith('Service default/kubernetes: left out'))).toBe(true);
    expect(leftOut).toContain('EndpointSlice default/kubernetes: left out, its Service is not imported');
  });

  it("reads kube-proxy's mode and options from its ConfigMap", () => {
    const cm = fixtureText('kube-proxy-configmap.yaml')
      .replace('mode: iptables', 'mode: nftables')
      .replace('masqueradeAll: false', 'masqueradeAll: true')
      .replace('nodePortAddresses: null', 'nodePortAddresses: [primary]');
    const objects = [...objectsOf(new InputSource('a.yaml', fixtureText('kind-3-nodes.yaml'))), ...objectsOf(new InputSource('cm.yaml', cm))];
    expect(importCluster(objects).scenario.cluster.kubeProxy).toEqual({ mode: 'nftables', masqueradeAll: true, nodePortAddresses: ['primary'] });
  });

  it('writes steps for each Service port from a node, from a pod, and from outside on every node port', () => {
    const { scenario } = imported(fixtureText('kind-3-nodes.yaml'));
    const names = (scenario.steps as Obj[]).filter((s) => s.send).map((s) => s.name as string);
    expect(names.filter((n) => n.startsWith('default/web:http '))).toEqual([
      'default/web:http from node kind-worker',
      'default/web:http from pod tester',
      'default/web:http node port 30080 on kind-control-plane from outside',
      'default/web:http node port 30080 on kind-worker from outside',
      'default/web:http node port 30080 on kind-worker2 from outside',
    ]);
    expect(names.filter((n) => n.startsWith('kube-system/kube-dns'))).toHaveLength(6);
    const dns = (scenario.steps as Obj[]).find((s) => s.name === 'kube-system/kube-dns:dns from node kind-worker')!;
    expect(dns.send).toEqual({ count: 10, to: '10.96.0.10:53', from: { node: 'kind-worker' }, protocol: 'UDP' });
  });
});

describe('svclab import (command)', () => {
  it('the written scenario validates', async () => {
    const file = tempPath('plain.yaml');
    expect(await importCommand.run([fixture('kind-3-nodes.yaml'), fixture('kube-proxy-configmap.yaml'), '--out', file])).toBe(0);
    expect(err).toContain('svclab import: Pod kube-system/kube-proxy-8kz4d: left out');
    out = '';
    expect(await validate.run([file])).toBe(0);
    expect(out).toMatch(/ok +.*plain\.yaml \(imported-cluster, 19 steps\)/);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# yaml-language-server: $schema=')).toBe(true);
    expect(text).toContain('# on kind-worker as 10.244.1.2 in the cluster');
  });

  it('--predict writes the simulator answers, marked as predicted, and the scenario passes on sim', async () => {
    const file = tempPath('predicted.yaml');
    expect(await importCommand.run([fixture('kind-3-nodes.json'), '--predict', '--out', file, '--name', 'kind-predicted'])).toBe(0);
    const text = readFileSync(file, 'utf8');
    const steps = parse(text).steps as Obj[];
    const byName = (n: string) => steps.find((s) => s.name === n)!.expect;
    // eTP=Local: no web pod on the control plane, so its node port drops; the workers keep the client address.
    expect(byName('default/web:http node port 30080 on kind-control-plane from outside')).toEqual({ outcome: 'timeout' });
    expect(byName('default/web:http node port 30080 on kind-worker2 from outside')).toEqual({ outcome: 'ok', pods: ['web-7c5ddbdf54-9wq4t'], sourceSeen: 'client' });
    // The not-ready pod is never an endpoint.
    expect(byName('default/web:http from pod tester')).toEqual({ outcome: 'ok', pods: ['web-7c5ddbdf54-2jxkq', 'web-7c5ddbdf54-9wq4t'], sourceSeen: 'client' });
    expect(text.match(/# predicted by svclab import --predict/g)).toHaveLength(steps.filter((s) => s.send).length);
    const report = tempPath('predicted-report');
    const res = await run(process.execPath, [cli, 'run', file, '--backend', 'sim', '--reporter', 'console', '--out', report, '--no-color']);
    expect(res.stdout).toMatch(/1 passed, 0 failed/);
  });

  it('reads stdin and never overwrites an existing file', async () => {
    const file = tempPath('exists.yaml');
    writeFileSync(file, 'mine\n');
    await expect(importCommand.run([fixture('kind-3-nodes.yaml'), '--out', file])).rejects.toThrow(UsageError);
    await expect(importCommand.run([fixture('kind-3-nodes.yaml'), '--out', file])).rejects.toThrow(/already exists; not overwriting it/);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    const res = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = execFile(process.execPath, [cli, 'import', '-'], (e, stdout) => (e && e.code === undefined ? reject(e) : resolve({ code: e ? (e.code as number) : 0, stdout })));
      child.stdin!.end(fixtureText('kind-3-nodes.json'));
    });
    expect(res.code).toBe(0);
    expect(parse(res.stdout).cluster.nodes).toHaveLength(3);
    expect(existsSync(tempPath('imported-cluster.yaml'))).toBe(false);
  });
});

describe('bad input', () => {
  const bad = (text: string, name = 'in.yaml') => {
    try {
      objectsOf(new InputSource(name, text));
    } catch (e) {
      expect(e).toBeInstanceOf(ImportInputError);
      expect((e as ImportInputError).exitCode).toBe(3);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };
  it('YAML that does not parse: file:line:col', () => {
    expect(bad('apiVersion: v1\nkind: List\nitems:\n  - { kind: Pod\n')).toMatch(/^in\.yaml:\d+:\d+: not valid YAML: .*\n  expected the output of 'kubectl get/);
  });
  it('JSON that does not parse: file:line:col from the offset', () => {
    expect(bad('{\n  "apiVersion": "v1",\n  "items": [,]\n}', 'in.json')).toMatch(/^in\.json:3:\d+: not valid JSON/);
  });
  it('an item that is no Kubernetes object: located at the item', () => {
    expect(bad('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: { name: a }\n- 42\n')).toBe('in.yaml:7:3: expected a Kubernetes object (a map with apiVersion, kind and metadata)');
    expect(bad('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata: { name: a }\n')).toBe("in.yaml:4:3: expected 'kind' (a string) in every object");
    expect(bad('{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {}}]}', 'in.json')).toBe("in.json:1:96: expected 'metadata.name' in Pod");
  });
  it('a Node without an IPv4 address: located at its addresses', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: { name: n1 }\n  status:\n    addresses: [{ type: Hostname, address: n1 }]\n';
    expect(() => imported(text)).toThrow(/^in\.yaml:8:16: expected an IPv4 InternalIP address for node 'n1'/);
  });
  it('through the CLI: exit 3, the located message, no stack trace', async () => {
    const file = tempPath('broken.yaml');
    writeFileSync(file, 'items: [\n');
    const res = await run(process.execPath, [cli, 'import', file]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/broken\.yaml:\d+:\d+: not valid YAML/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a generated 5,000-object List', () => {
  it('imports every node, pod and Service, and derives the slices', () => {
    const list = kubectlList(sizeFor(5000));
    expect((list.items as unknown[]).length).toBe(5000);
    const r = importCluster(objectsOf(new InputSource('big.json', JSON.stringify(list))));
    const kinds = (r.scenario.resources as Obj[]).reduce<Record<string, number>>((m, x) => ((m[x.kind] = (m[x.kind] ?? 0) + 1), m), {});
    const size = sizeFor(5000);
    expect(kinds).toEqual({ Pod: size.services * size.podsPerService, Service: size.services });
    expect(r.scenario.cluster.nodes).toHaveLength(size.nodes);
    expect(r.leftOut).toEqual([]);
  });
});
