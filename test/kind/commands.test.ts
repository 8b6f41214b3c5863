/** The exact argument arrays the kind backend runs; nothing is ever a shell string. */
import { describe, expect, it } from 'vitest';
import { ClusterManager } from '../../src/backends/kind/cluster.js';
import * as cmd from '../../src/backends/kind/commands.js';
import { formatCommand, ProcessRunner } from '../../src/backends/kind/exec.js';
import { checkClusterName, clientContainerName } from '../../src/backends/kind/names.js';
import { UsageError } from '../../src/errors.js';
import { FakeKind } from './fakeCluster.js';
import { seed004 } from './helpers.js';

const k = ['--context', 'kind-svclab-1a2b3c4d'];
const ns = 'svclab-kans-nodeport-a1b2c';

describe('kind backend command lines', () => {
  it('cluster create, wait and delete', async () => {
    const s = await seed004();
    const m = new ClusterManager(new FakeKind(), {});
    const kc = m.kubeconfigFor('svclab-1a2b3c4d');
    expect(m.createCommands('svclab-1a2b3c4d', '/tmp/svclab-kind-x/kind-config.yaml', s.initial.cluster)).toEqual([
      { file: 'kind', args: ['create', 'cluster', '--name', 'svclab-1a2b3c4d', '--config', '/tmp/svclab-kind-x/kind-config.yaml', '--wait', '0s', '--kubeconfig', kc] },
      { file: 'kubectl', args: ['--kubeconfig', kc, '--context', 'kind-svclab-1a2b3c4d', 'wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=300s'] },
      { file: 'kubectl', args: ['--kubeconfig', kc, '--context', 'kind-svclab-1a2b3c4d', '-n', 'kube-system', 'rollout', 'status', 'daemonset/kube-proxy', '--timeout=300s'] },
    ]);
    expect(m.deleteCommand('svclab-1a2b3c4d')).toEqual({ file: 'kind', args: ['delete', 'cluster', '--name', 'svclab-1a2b3c4d', '--kubeconfig', kc] });
    expect(m.kubeconfigCommand('svclab-1a2b3c4d')).toEqual({ file: 'kind', args: ['get', 'kubeconfig', '--name', 'svclab-1a2b3c4d'] });
    await m.dispose();
    const withConfig = new ClusterManager(new FakeKind(), { kubeconfig: '/ci/kubeconfig', cluster: 'ci' });
    expect(withConfig.createCommands('ci', '/tmp/c.yaml', s.initial.cluster)[0].args).toEqual(['create', 'cluster', '--name', 'ci', '--config', '/tmp/c.yaml', '--wait', '0s', '--kubeconfig', '/ci/kubeconfig']);
    expect(withConfig.createCommands('ci', '/tmp/c.yaml', s.initial.cluster)[1].args.slice(0, 4)).toEqual(['--kubeconfig', '/ci/kubeconfig', '--context', 'kind-ci']);
    expect(withConfig.deleteCommand('ci').args).toEqual(['delete', 'cluster', '--name', 'ci', '--kubeconfig', '/ci/kubeconfig']);
  });

  it('namespace, apply, get, delete', () => {
    expect(cmd.getNodes(k)).toEqual({ file: 'kubectl', args: ['--context', 'kind-svclab-1a2b3c4d', 'get', 'nodes', '-o', 'json'] });
    expect(cmd.applyNamespace(k).args).toEqual([...k, 'apply', '-f', '-']);
    expect(cmd.applyStdin(k, ns).args).toEqual([...k, 'apply', '-n', ns, '-f', '-']);
    expect(cmd.getInNamespace(k, ns, 'endpointslices').args).toEqual([...k, 'get', 'endpointslices', '-n', ns, '-o', 'json']);
    expect(cmd.deletePods(k, ns, ['deploy-echo-3']).args).toEqual([...k, 'delete', 'pod', '-n', ns, '--wait=true', '--ignore-not-found', 'deploy-echo-3']);
    expect(cmd.deleteObject(k, ns, 'ConfigMap', 'settings').args).toEqual([...k, 'delete', 'configmap/settings', '-n', ns, '--wait=true', '--ignore-not-found']);
    expect(cmd.deleteNamespace(k, ns).args).toEqual([...k, 'delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  });

  it('client containers, node IPs, routes, cleanup', () => {
    const c = clientContainerName('a1b2c', 'mypc');
    expect(c).toBe('svclab-a1b2c-mypc');
    expect(cmd.runClient(c, ns)).toEqual({
      file: 'docker',
      args: ['run', '-d', '--rm', '--name', 'svclab-a1b2c-mypc', '--network', 'kind', '--cap-add', 'NET_ADMIN', '--label', 'app.kubernetes.io/managed-by=svclab', '--label', `svclab.dev/namespace=${ns}`, 'registry.k8s.io/e2e-test-images/agnhost:2.53', 'pause'],
    });
    expect(cmd.inspectIP('myk8s-control-plane')).toEqual({ file: 'docker', args: ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}},{{.GlobalIPv6Address}}{{end}}', 'myk8s-control-plane'] });
    expect(cmd.networkInspect()).toEqual({ file: 'docker', args: ['network', 'inspect', 'kind'] });
    expect(cmd.addRoute(c, '10.200.1.0/24', '172.18.0.4').args).toEqual(['exec', 'svclab-a1b2c-mypc', 'ip', 'route', 'add', '10.200.1.0/24', 'via', '172.18.0.4']);
    expect(cmd.removeContainers([c]).args).toEqual(['rm', '-f', 'svclab-a1b2c-mypc']);
  });

  it('requests: docker exec for clients and nodes, kubectl exec for pods', () => {
    const curl = ['curl', '-sS', '-v', '--fail-early', '--connect-timeout', '1.000', '--max-time', '3.000', '-w', '\n@svclab %{http_code} %{num_connects} %{local_ip} %{local_port}\n'];
    expect(cmd.curlFromContainer('myk8s-control-plane', '10.200.1.73', 9000, 1000).args).toEqual(['exec', 'myk8s-control-plane', ...curl, 'http://10.200.1.73:9000/hostname', 'http://10.200.1.73:9000/clientip']);
    expect(cmd.curlFromPod(k, ns, 'deploy-echo-1', 'echo-8080', '10.200.1.73', 9000, 1000)).toEqual({
      file: 'kubectl',
      args: [...k, 'exec', '-n', ns, 'deploy-echo-1', '-c', 'echo-8080', '--', ...curl, 'http://10.200.1.73:9000/hostname', 'http://10.200.1.73:9000/clientip'],
    });
  });

  it('validates every name before it reaches a command line', () => {
    expect(() => cmd.runClient('$(reboot)', ns)).toThrow(/not a valid container name/);
    expect(() => cmd.applyStdin(k, 'ns; rm -rf /')).toThrow(/not a valid Kubernetes name/);
    expect(() => cmd.deletePods(k, ns, ['--all'])).toThrow(/not a valid Kubernetes name/);
    expect(() => cmd.deleteObject(k, ns, 'Config Map', 'x')).toThrow(/resource kind/);
    expect(() => cmd.addRoute('svclab-a1b2c-mypc', '10.0.0.0/8 via 1.1.1.1', '172.18.0.4')).toThrow(/not an IPv4 CIDR/);
    expect(() => checkClusterName('My_Cluster')).toThrow(UsageError);
    expect(() => new ClusterManager(new FakeKind(), { cluster: '--all' })).toThrow(/--kind-cluster must be lowercase/);
    expect(checkClusterName('kind')).toBe('kind');
  });

  it('formats commands for messages with quoting, and the process runner records argument arrays', async () => {
    expect(formatCommand('kubectl', ['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}'])).toBe("kubectl get pods -o 'jsonpath={.items[*].metadata.name}'");
    const runner = new ProcessRunner();
    const r = await runner.run(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'a; b $(c)' });
    expect(r).toEqual({ code: 0, stdout: 'a; b $(c)', stderr: '', timedOut: false });
    expect(runner.history).toEqual([[process.execPath, '-e', 'process.stdin.pipe(process.stdout)']]);
    await expect(runner.run('svclab-no-such-program-here', [])).rejects.toMatchObject({ code: 'ENOENT' });
    const lines: string[] = [];
    const progress = await runner.run(process.execPath, ['-e', 'process.stderr.write(" • Preparing nodes ...\\r ✓ Preparing nodes\\nready\\n")'], { onStderrLine: (l) => lines.push(l) });
    expect(progress.code).toBe(0);
    expect(lines).toEqual(['• Preparing nodes ...', '✓ Preparing nodes', 'ready']);
  });
});
