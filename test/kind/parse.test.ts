import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../src/backends/kind/exec.js';
import { parseDockerInspectIPs, parseEndpointSlicesJson, parseKindClusters, parseNetworkInspect, parseNodesJson, parseNodesWide, parsePodsJson, parseServicesJson } from '../../src/backends/kind/parse.js';
import { classifyCurlError, curlArgs, parseProbe, stripPort } from '../../src/backends/kind/probe.js';
import type { Outcome } from '../../src/model/scenario.js';
import { transcript } from './helpers.js';

describe('parsing what kubectl, docker and kind print (transcripts/)', () => {
  it('kubectl get nodes -o json: role from the control-plane label, InternalIP, podCIDR, Ready', () => {
    expect(parseNodesJson(transcript('kubectl-get-nodes.json'))).toEqual([
      { name: 'myk8s-control-plane', role: 'control-plane', internalIP: '172.18.0.4', podCIDR: '10.10.0.0/24', ready: true },
      { name: 'myk8s-worker', role: 'worker', internalIP: '172.18.0.5', podCIDR: '10.10.2.0/24', ready: true },
      { name: 'myk8s-worker2', role: 'worker', internalIP: '172.18.0.2', podCIDR: '10.10.1.0/24', ready: true },
      { name: 'myk8s-worker3', role: 'worker', internalIP: '172.18.0.3', podCIDR: '10.10.3.0/24', ready: true },
    ]);
  });

  it('kubectl get nodes -o wide (seed 004 lab output)', () => {
    const rows = parseNodesWide(transcript('kubectl-get-nodes-wide.txt'));
    expect(rows.map((r) => [r.name, r.status, r.roles.join(','), r.internalIP])).toEqual([
      ['myk8s-control-plane', 'Ready', 'control-plane', '172.18.0.4'],
      ['myk8s-worker', 'Ready', '', '172.18.0.5'],
      ['myk8s-worker2', 'Ready', '', '172.18.0.2'],
      ['myk8s-worker3', 'Ready', '', '172.18.0.3'],
    ]);
  });

  it('kubectl get endpointslices -o json: service, ports, per-address conditions, pod and node', () => {
    const [slice] = parseEndpointSlicesJson(transcript('kubectl-get-endpointslices.json'));
    expect(slice.service).toBe('svc-nodeport');
    expect(slice.ports).toEqual([{ name: 'svc-webport', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints).toEqual([
      { address: '10.10.2.3', ready: true, serving: true, terminating: false, pod: 'deploy-echo-1', nodeName: 'myk8s-worker' },
      { address: '10.10.1.3', ready: true, serving: true, terminating: false, pod: 'deploy-echo-2', nodeName: 'myk8s-worker2' },
      { address: '10.10.3.3', ready: false, serving: true, terminating: true, pod: 'deploy-echo-3', nodeName: 'myk8s-worker3' },
    ]);
  });

  it('kubectl get pods -o json: node, IP, Ready, being deleted, our fingerprint', () => {
    expect(parsePodsJson(transcript('kubectl-get-pods.json'))).toEqual([
      { fingerprint: '3f9c2a7d1b6e4c05', name: 'deploy-echo-1', node: 'myk8s-worker', ip: '10.10.2.3', phase: 'Running', ready: true, deleting: false },
      { fingerprint: '3f9c2a7d1b6e4c05', name: 'deploy-echo-2', node: 'myk8s-worker2', ip: '10.10.1.3', phase: 'Running', ready: false, deleting: false },
      { fingerprint: '3f9c2a7d1b6e4c05', name: 'deploy-echo-3', node: 'myk8s-worker3', ip: '10.10.3.3', phase: 'Running', ready: true, deleting: true },
    ]);
  });

  it('kubectl get services -o json: ClusterIP, node ports, health check port, load-balancer ingress (cloud-provider-kind)', () => {
    expect(parseServicesJson(transcript('kubectl-get-services.json'))).toEqual([
      {
        healthCheckNodePort: 31765,
        name: 'svc-nodeport',
        type: 'LoadBalancer',
        clusterIP: '10.200.1.73',
        ports: [{ name: 'svc-webport', protocol: 'TCP', port: 9000, nodePort: 30682 }],
        externalIPs: [],
        loadBalancerIngress: ['172.18.0.6'],
      },
      { name: 'headless', type: 'ClusterIP', clusterIP: 'None', ports: [{ name: '', protocol: 'TCP', port: 80 }], externalIPs: [], loadBalancerIngress: [] },
    ]);
  });

  it('docker inspect node IP format (as kind reads it), with and without IPv6', () => {
    expect(parseDockerInspectIPs(transcript('docker-inspect-node-ip.txt'))).toEqual({ ipv4: '172.18.0.4', ipv6: 'fc00:f853:ccd:e793::4' });
    expect(parseDockerInspectIPs(transcript('docker-inspect-client-ip.txt'))).toEqual({ ipv4: '172.18.0.100' });
    expect(parseDockerInspectIPs(',\n')).toEqual({});
  });

  it('docker network inspect kind: subnets, gateway, container addresses', () => {
    const net = parseNetworkInspect(transcript('docker-network-inspect-kind.json'));
    expect(net.name).toBe('kind');
    expect(net.subnets).toEqual(['fc00:f853:ccd:e793::/64', '172.18.0.0/16']);
    expect(net.gateways).toEqual(['172.18.0.1']);
    expect(net.containers).toEqual({ 'myk8s-worker2': '172.18.0.2', 'myk8s-worker3': '172.18.0.3', 'myk8s-control-plane': '172.18.0.4', 'myk8s-worker': '172.18.0.5', mypc: '172.18.0.100' });
  });

  it('kind get clusters', () => {
    expect(parseKindClusters(transcript('kind-get-clusters.txt'))).toEqual(['kind', 'myk8s']);
    expect(parseKindClusters('')).toEqual([]);
  });

  it('rejects output that is not what the command prints', () => {
    expect(() => parseNodesJson('error: You must be logged in to the server (Unauthorized)')).toThrow(/did not print JSON/);
    expect(() => parseNodesJson('{"kind":"Node"}')).toThrow(/without an items list/);
    expect(() => parseNetworkInspect('[]')).toThrow(/no network/);
  });
});

interface ProbeCase {
  name: string;
  note?: string;
  argv?: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  expect: { outcome: Outcome; hostname?: string; clientIP?: string; localIP?: string };
}

describe('curl probes against agnhost netexec', () => {
  const cases = JSON.parse(transcript('curl-probes.json')) as ProbeCase[];

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result: CommandResult = { code: c.exitCode, stdout: c.stdout, stderr: c.stderr, timedOut: false };
    const p = parseProbe(result);
    expect(p).toMatchObject(c.expect);
    if (c.expect.outcome !== 'ok') expect(p.detail).toBeTruthy();
  });

  it('the recorded command line is exactly what the backend builds', () => {
    const recorded = cases.find((c) => c.argv)!.argv!;
    expect(['docker', 'exec', 'mypc', 'curl', ...curlArgs('172.18.0.4', 30682, 1000)]).toEqual(recorded);
  });

  it('curl arguments: one process, one fresh connection, both questions, bounded time', () => {
    expect(curlArgs('10.96.0.10', 80, 2500)).toEqual([
      '-sS',
      '-v',
      '--fail-early',
      '--connect-timeout',
      '2.500',
      '--max-time',
      '4.500',
      '-w',
      '\n@svclab %{http_code} %{num_connects} %{local_ip} %{local_port}\n',
      'http://10.96.0.10:80/hostname',
      'http://10.96.0.10:80/clientip',
    ]);
    expect(() => curlArgs('10.96.0.10; reboot', 80, 1000)).toThrow(/not an IPv4 address/);
    expect(() => curlArgs('10.96.0.10', 70000, 1000)).toThrow(/not a port/);
  });

  it('flags a second connection (the two answers could come from different pods)', () => {
    const p = parseProbe({ code: 0, stdout: 'web-1\n@svclab 200 1 10.244.1.5 3333\n10.244.1.5:3333\n@svclab 200 1 10.244.1.5 3334\n', stderr: '', timedOut: false });
    expect(p).toMatchObject({ outcome: 'ok', hostname: 'web-1', clientIP: '10.244.1.5' });
    expect(p.detail).toContain('second connection');
  });

  it('a server that is not agnhost netexec still counts as answered, with a detail', () => {
    const p = parseProbe({ code: 0, stdout: 'Not Found\n@svclab 404 1 172.18.0.100 1\nNot Found\n@svclab 404 0 172.18.0.100 1\n', stderr: '', timedOut: false });
    expect(p.outcome).toBe('ok');
    expect(p.hostname).toBeUndefined();
    expect(p.detail).toContain('HTTP 404,404');
  });

  it('a curl killed by our own time limit is a timeout', () => {
    expect(parseProbe({ code: null, stdout: '', stderr: '', timedOut: true }).outcome).toBe('timeout');
  });

  it('classification reads the message, not just the exit code', () => {
    expect(classifyCurlError(7, 'curl: (7) Failed to connect to 1.2.3.4 port 80: No route to host').outcome).toBe('unreachable');
    expect(classifyCurlError(7, 'curl: (7) Failed to connect to 1.2.3.4 port 80: Connection refused').outcome).toBe('refused');
    expect(classifyCurlError(7, 'curl: (7) Failed to connect to 1.2.3.4 port 80: Host is unreachable').outcome).toBe('unreachable');
  });

  it('agnhost /clientip bodies: ip:port and [v6]:port', () => {
    expect(stripPort('172.18.0.100:51234')).toBe('172.18.0.100');
    expect(stripPort('[fc00:f853:ccd:e793::64]:51234')).toBe('fc00:f853:ccd:e793::64');
  });
});
