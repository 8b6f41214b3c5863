/**
 * A fake `docker`/`kind`/`kubectl` for the kind backend's tests: it answers the exact command
 * lines the backend runs with the output shapes the real tools print (see transcripts/), keeps a
 * tiny model of a kind cluster (nodes, pods, services, endpoint slices, client containers) and
 * answers curl probes like kube-proxy iptables mode would (round robin instead of random, so tests
 * are deterministic). Every command line is recorded.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CommandOptions, CommandResult, CommandRunner } from '../../src/backends/kind/exec.js';

interface FakePod {
  name: string;
  node: string;
  ip: string;
  labels: Record<string, string>;
  ready: boolean;
  fingerprint: string;
  ports: { name?: string; containerPort: number }[];
}

interface FakeService {
  name: string;
  type: string;
  clusterIP: string;
  selector?: Record<string, string>;
  etp: 'Cluster' | 'Local';
  ports: { name: string; port: number; targetPort: number | string; nodePort?: number; protocol: string }[];
}

export interface FakeNode {
  name: string;
  ip: string;
  podCIDR: string;
  role: 'control-plane' | 'worker';
}

const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '', timedOut: false });
const fail = (code: number, stderr: string, stdout = ''): CommandResult => ({ code, stdout, stderr, timedOut: false });

/** Nodes kind would create for a config: names as kind gives them, IPs handed out in reverse, /24 pod CIDRs out of order. */
export function nodesFromConfig(name: string, configYaml: string): FakeNode[] {
  const config = parse(configYaml) as { networking: { podSubnet: string }; nodes: { role: 'control-plane' | 'worker' }[] };
  const [base] = config.networking.podSubnet.split('/');
  const baseInt = base.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  const toIp = (n: number): string => [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.');
  const count = { 'control-plane': 0, worker: 0 };
  const total = config.nodes.length;
  return config.nodes.map((n, i) => {
    count[n.role]++;
    const suffix = count[n.role] === 1 ? '' : String(count[n.role]);
    return { name: `${name}-${n.role}${suffix}`, role: n.role, ip: `172.18.0.${40 - i}`, podCIDR: `${toIp(baseInt + ((i + 1) % total) * 256)}/24` };
  });
}

/** Nodes of a kind cluster `name` (1 control-plane + 3 workers), IPs deliberately not the scenario's. */
export function kindNodes(name: string): FakeNode[] {
  return [
    { name: `${name}-control-plane`, ip: '172.18.0.7', podCIDR: '10.10.0.0/24', role: 'control-plane' },
    { name: `${name}-worker`, ip: '172.18.0.9', podCIDR: '10.10.3.0/24', role: 'worker' },
    { name: `${name}-worker2`, ip: '172.18.0.8', podCIDR: '10.10.1.0/24', role: 'worker' },
    { name: `${name}-worker3`, ip: '172.18.0.6', podCIDR: '10.10.2.0/24', role: 'worker' },
  ];
}

export class FakeKind implements CommandRunner {
  readonly history: string[][] = [];
  readonly inputs: string[] = [];
  clusters = new Set<string>();
  nodes: FakeNode[] = [];
  pods = new Map<string, FakePod>();
  services = new Map<string, FakeService>();
  namespaces = new Set<string>();
  containers = new Map<string, string>();
  missing = new Set<string>();
  daemonDown = false;
  /** The API server of a --kubeconfig cluster does not answer. */
  unreachable = false;
  private rr = 0;
  private nextIP = 10;
  private nextClientIP = 100;
  private nextClusterIP = 10;
  private nextNodePort = 31000;

  constructor(existing: string[] = []) {
    for (const c of existing) this.addCluster(c);
  }

  addCluster(name: string): void {
    this.clusters.add(name);
    this.nodes = kindNodes(name);
  }

  async run(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    this.history.push([file, ...args]);
    if (options.input !== undefined) this.inputs.push(options.input);
    if (this.missing.has(file)) throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
    const a = [...args];
    if (file === 'kind') return this.kind(a, options);
    if (file === 'docker') return this.docker(a);
    if (file === 'kubectl') return this.kubectl(a, options.input ?? '');
    return fail(127, `${file}: not faked`);
  }

  private kind(a: string[], options: CommandOptions): CommandResult {
    if (a[0] === 'version') return ok('kind v0.24.0 go1.22.6 linux/amd64\n');
    if (a[0] === 'get' && a[1] === 'kubeconfig') {
      const name = a[a.indexOf('--name') + 1];
      return ok(`apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:40123\n  name: kind-${name}\ncontexts:\n- context:\n    cluster: kind-${name}\n    user: kind-${name}\n  name: kind-${name}\ncurrent-context: kind-${name}\nkind: Config\n`);
    }
    if (a[0] === 'get' && a[1] === 'clusters') return this.clusters.size ? ok([...this.clusters].join('\n') + '\n') : fail(0, 'No kind clusters found.\n');
    const name = a[a.indexOf('--name') + 1];
    if (a[0] === 'create') {
      this.addCluster(name);
      this.nodes = nodesFromConfig(name, readFileSync(a[a.indexOf('--config') + 1], 'utf8'));
      const stderr = `Creating cluster "${name}" ...\n • Ensuring node image (kindest/node:v1.31.0) 🖼  ...\r ✓ Ensuring node image (kindest/node:v1.31.0) 🖼\n • Preparing nodes 📦 📦 📦 📦   ...\r ✓ Preparing nodes 📦 📦 📦 📦 \n`;
      for (const line of stderr.split(/[\r\n]/)) if (line.trim()) options.onStderrLine?.(line.trim());
      return fail(0, stderr);
    }
    if (a[0] === 'delete') {
      this.clusters.delete(name);
      return fail(0, `Deleting cluster "${name}" ...\n`);
    }
    return fail(1, 'unknown kind command');
  }

  private docker(a: string[]): CommandResult {
    if (a[0] === 'version') return this.daemonDown ? fail(1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n', '\n') : ok('27.1.1\n');
    if (a[0] === 'run') {
      const name = a[a.indexOf('--name') + 1];
      this.containers.set(name, `172.18.0.${this.nextClientIP++}`);
      return ok('4f1c0d2e9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d\n');
    }
    if (a[0] === 'inspect') {
      const name = a[a.length - 1];
      const ip = this.containers.get(name) ?? this.nodes.find((n) => n.name === name)?.ip;
      return ip ? ok(`${ip},\n`) : fail(1, `Error: No such object: ${name}\n`, '\n');
    }
    if (a[0] === 'rm') {
      for (const c of a.slice(2)) this.containers.delete(c);
      return ok(a.slice(2).join('\n') + '\n');
    }
    if (a[0] === 'exec') {
      const container = a[1];
      if (a[2] === 'ip') return ok();
      if (a[2] === 'curl') {
        const node = this.nodes.find((n) => n.name === container);
        const src = node ? node.ip : this.containers.get(container);
        if (!src) return fail(1, `Error response from daemon: No such container: ${container}\n`);
        return this.curl(src, node, a.slice(3), node !== undefined);
      }
    }
    return fail(1, `docker: not faked: ${a.join(' ')}`);
  }

  /** kube-proxy iptables semantics, round robin instead of random. */
  private curl(src: string, fromNode: FakeNode | undefined, args: string[], inCluster: boolean): CommandResult {
    const url = /^http:\/\/([\d.]+):(\d+)\/hostname$/.exec(args[args.length - 2]);
    if (!url) return fail(2, 'curl: bad args');
    const [ip, port] = [url[1], Number(url[2])];
    const timeout = (): CommandResult =>
      fail(28, `*   Trying ${ip}:${port}...\ncurl: (28) Failed to connect to ${ip} port ${port} after 1001 ms: Timeout was reached\n`, '\n@svclab 000 0  0\n');
    const refused = (): CommandResult =>
      fail(7, `*   Trying ${ip}:${port}...\n* connect to ${ip} port ${port} from ${src} port 40000 failed: Connection refused\ncurl: (7) Failed to connect to ${ip} port ${port} after 1 ms: Couldn't connect to server\n`, '\n@svclab 000 0  0\n');
    const ingress = this.nodes.find((n) => n.ip === ip);
    let svc: FakeService | undefined;
    let sp: FakeService['ports'][number] | undefined;
    for (const s of this.services.values()) {
      const p = s.ports.find((x) => (ingress ? x.nodePort === port : s.clusterIP === ip && x.port === port));
      if (p) [svc, sp] = [s, p];
    }
    if (!svc || !sp) return ingress ? refused() : timeout();
    // A client on the kind network has no route to the service CIDR.
    if (!ingress && !inCluster) return timeout();
    let eps = [...this.pods.values()].filter((p) => p.ready && svc?.selector && Object.entries(svc.selector).every(([k, v]) => p.labels[k] === v));
    if (eps.length === 0) return refused();
    const external = ingress !== undefined && !inCluster;
    if (external && svc.etp === 'Local') {
      eps = eps.filter((p) => p.node === ingress.name);
      if (eps.length === 0) return timeout();
    }
    const pod = eps[this.rr++ % eps.length];
    // ETP Local keeps the client address; otherwise a node port masquerades to the ingress node.
    const seen = ingress && !(external && svc.etp === 'Local') ? ingress.ip : src;
    const stdout = `${pod.name}\n@svclab 200 1 ${src} 40000\n${seen}:40000\n@svclab 200 0 ${src} 40000\n`;
    return ok(stdout);
  }

  private kubectl(a: string[], input: string): CommandResult {
    // Drop --kubeconfig X / --context Y.
    const args: string[] = [];
    let ns: string | undefined;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === '--kubeconfig' || a[i] === '--context') i++;
      else if (a[i] === '-n') ns = a[++i];
      else args.push(a[i]);
    }
    const verb = args[0];
    if (verb === 'version') return ok('Client Version: v1.31.0\nKustomize Version: v5.4.2\n');
    if (verb === 'wait' || verb === 'rollout') return ok('condition met\n');
    if (verb === 'get' && args[1] === '--raw') {
      return this.unreachable ? fail(1, 'The connection to the server 127.0.0.1:40123 was refused - did you specify the right host or port?\n') : ok('ok');
    }
    if (verb === 'get' && args[1] === 'nodes') return ok(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: this.nodes.map(nodeJson) }));
    if (verb === 'apply') return this.apply(input, ns);
    if (verb === 'get') {
      const list = (items: unknown[]): CommandResult => ok(JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }, null, 4));
      if (args[1] === 'pods') return list([...this.pods.values()].map((p) => podJson(p, ns ?? '')));
      if (args[1] === 'services') return list([...this.services.values()].map(serviceJson));
      if (args[1] === 'endpointslices') return list([...this.services.values()].filter((s) => s.selector).map((s) => this.sliceJson(s)));
    }
    if (verb === 'delete') {
      if (args[1] === 'pod') for (const p of args.slice(2).filter((x) => !x.startsWith('-'))) this.pods.delete(p);
      else if (args[1] === 'namespace') {
        this.namespaces.delete(args[2]);
        this.pods.clear();
        this.services.clear();
      } else if (args[1].startsWith('service/')) this.services.delete(args[1].slice('service/'.length));
      return ok();
    }
    if (verb === 'exec') {
      const podName = args[1];
      const pod = this.pods.get(podName);
      if (!pod) return fail(1, `Error from server (NotFound): pods "${podName}" not found\n`);
      return this.curl(pod.ip, undefined, args.slice(args.indexOf('curl') + 1), true);
    }
    return fail(1, `kubectl: not faked: ${args.join(' ')}`);
  }

  private apply(input: string, ns: string | undefined): CommandResult {
    const list = JSON.parse(input) as { items: Record<string, any>[] };
    const out: string[] = [];
    for (const o of list.items) {
      if (o.kind === 'Namespace') this.namespaces.add(o.metadata.name);
      else if (o.kind === 'Pod') {
        if (!this.pods.has(o.metadata.name)) {
          const node = this.nodes.find((n) => n.name === o.spec.nodeName);
          if (!node) return fail(1, `node ${o.spec.nodeName} not found`);
          this.pods.set(o.metadata.name, {
            name: o.metadata.name,
            node: node.name,
            ip: node.podCIDR.replace(/0\/24$/, String(this.nextIP++)),
            labels: o.metadata.labels,
            ready: o.spec.containers[0].readinessProbe.httpGet !== undefined,
            fingerprint: o.metadata.annotations['svclab.dev/fingerprint'],
            ports: o.spec.containers.flatMap((c: any) => c.ports),
          });
        }
      } else if (o.kind === 'Service') {
        const old = this.services.get(o.metadata.name);
        this.services.set(o.metadata.name, {
          name: o.metadata.name,
          type: o.spec.type ?? 'ClusterIP',
          clusterIP: o.spec.clusterIP ?? old?.clusterIP ?? `10.96.0.${this.nextClusterIP++}`,
          selector: o.spec.selector,
          etp: o.spec.externalTrafficPolicy ?? 'Cluster',
          ports: o.spec.ports.map((p: any, i: number) => ({
            name: p.name ?? '',
            port: p.port,
            targetPort: p.targetPort ?? p.port,
            protocol: p.protocol ?? 'TCP',
            nodePort: o.spec.type === 'NodePort' || o.spec.type === 'LoadBalancer' ? (p.nodePort ?? old?.ports[i]?.nodePort ?? this.nextNodePort++) : undefined,
          })),
        });
      }
      out.push(`${String(o.kind).toLowerCase()}/${o.metadata.name} configured`);
    }
    void ns;
    return ok(out.join('\n') + '\n');
  }

  private sliceJson(s: FakeService): unknown {
    const pods = [...this.pods.values()].filter((p) => Object.entries(s.selector ?? {}).every(([k, v]) => p.labels[k] === v));
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      addressType: 'IPv4',
      metadata: { name: `${s.name}-abcde`, labels: { 'kubernetes.io/service-name': s.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
      ports: s.ports.map((p) => ({ name: p.name, port: typeof p.targetPort === 'number' ? p.targetPort : 8080, protocol: p.protocol })),
      endpoints: pods.map((p) => ({ addresses: [p.ip], conditions: { ready: p.ready, serving: p.ready, terminating: false }, nodeName: p.node, targetRef: { kind: 'Pod', name: p.name } })),
    };
  }

  /** Command lines as space-joined strings (for readable assertions). */
  lines(): string[] {
    return this.history.map((h) => h.join(' '));
  }
}

function nodeJson(n: FakeNode): unknown {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux' };
  if (n.role === 'control-plane') labels['node-role.kubernetes.io/control-plane'] = '';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels },
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
    status: { addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function podJson(p: FakePod, ns: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: ns, labels: p.labels, annotations: { 'svclab.dev/fingerprint': p.fingerprint } },
    spec: { nodeName: p.node },
    status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] },
  };
}

function serviceJson(s: FakeService): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name },
    spec: { type: s.type, clusterIP: s.clusterIP, clusterIPs: [s.clusterIP], selector: s.selector, externalTrafficPolicy: s.etp, ports: s.ports },
    status: { loadBalancer: {} },
  };
}
