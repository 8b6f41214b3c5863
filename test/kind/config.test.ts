import { describe, expect, it } from 'vitest';
import { kindConfig } from '../../src/backends/kind/config.js';
import { clusterNameForShape } from '../../src/backends/kind/names.js';
import { seed004 } from './helpers.js';

describe('kind config for a scenario', () => {
  it('seed 004: 1 control-plane + 3 workers, the scenario CIDRs and kube-proxy mode', async () => {
    const s = await seed004();
    const c = kindConfig(s.initial.cluster);
    expect(c.yaml).toBe(`kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  ipFamily: ipv4
  podSubnet: 10.10.0.0/16
  serviceSubnet: 10.200.1.0/24
  kubeProxyMode: iptables
nodes:
  - role: control-plane
  - role: worker
  - role: worker
  - role: worker
`);
    expect(c.differences).toEqual([]);
  });

  it('pins a node image on every node when asked', async () => {
    const s = await seed004();
    const c = kindConfig(s.initial.cluster, { nodeImage: 'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865' });
    expect(c.yaml.match(/image: kindest\/node:v1\.31\.0@sha256:53df/g)).toHaveLength(4);
  });

  it('puts non-default kube-proxy settings and node port range in kubeadm patches and lists what kind cannot do', async () => {
    const s = await seed004();
    const cluster = structuredClone(s.initial.cluster);
    cluster.kubeProxy = { ...cluster.kubeProxy, mode: 'nftables', masqueradeAll: true, localhostNodePorts: false, detectLocal: 'None', nodePortAddresses: ['172.18.0.0/16'] };
    cluster.nodePortRange = { min: 30000, max: 30100 };
    const c = kindConfig(cluster);
    expect(c.yaml).toContain('kubeProxyMode: nftables');
    expect(c.yaml).toContain(`kubeadmConfigPatches:
  - |
    kind: ClusterConfiguration
    apiServer:
      extraArgs:
        service-node-port-range: 30000-30100
  - |
    kind: KubeProxyConfiguration
    iptables:
      masqueradeAll: true
      localhostNodePorts: false
    nodePortAddresses:
      - 172.18.0.0/16
`);
    expect(c.differences).toEqual([expect.stringContaining('--detect-local-mode None is not reproduced')]);
  });

  it('orders control-plane nodes first, as kind names them, and adds one when the scenario has none', async () => {
    const s = await seed004();
    const cluster = structuredClone(s.initial.cluster);
    cluster.nodes = cluster.nodes.map((n) => ({ ...n, role: 'worker' as const }));
    const c = kindConfig(cluster);
    expect(c.yaml).toContain('nodes:\n  - role: control-plane\n  - role: worker\n  - role: worker\n  - role: worker\n  - role: worker\n');
    expect(c.differences[0]).toContain('no control-plane node');
  });

  it('names the cluster after its shape: same shape, same name; another shape, another name', async () => {
    const s = await seed004();
    const a = clusterNameForShape(kindConfig(s.initial.cluster).yaml);
    expect(a).toMatch(/^svclab-[0-9a-f]{8}$/);
    expect(clusterNameForShape(kindConfig(s.initial.cluster).yaml)).toBe(a);
    const other = { ...s.initial.cluster, serviceCIDR: '10.96.0.0/16' };
    expect(clusterNameForShape(kindConfig(other).yaml)).not.toBe(a);
  });
});
