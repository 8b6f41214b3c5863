/**
 * The `cluster:` section of an imported scenario: nodes (addresses, pod CIDRs, roles), the pod and
 * service CIDRs that hold them, the node-port range, kube-proxy's mode and options from its
 * ConfigMap, and one outside client on the nodes' network for node-port steps.
 */
import { cidrContains, cidrWithin, cidrsOverlap, formatCidr, formatIp, parseCidr, parseIp, type Cidr } from '../model/ip.js';
import { parseEmbeddedYaml, problem, type InputObject } from './read-input.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ImportedNode {
  name: string;
  role: 'control-plane' | 'worker';
  ips: string[];
  podCIDR?: string;
}

export interface ClusterSection {
  nodes: ImportedNode[];
  podCIDR: string;
  serviceCIDR: string;
  nodePortRange?: string;
  kubeProxy?: Obj;
  clients: { name: string; ip: string }[];
}

const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

export function importNode(obj: InputObject): ImportedNode {
  const v = obj.value;
  const meta = v.metadata as Obj;
  const labels = isObject(meta.labels) ? meta.labels : {};
  const status = isObject(v.status) ? v.status : {};
  const spec = isObject(v.spec) ? v.spec : {};
  const addresses = Array.isArray(status.addresses) ? status.addresses : [];
  const ips: string[] = [];
  addresses.forEach((a, i) => {
    if (!isObject(a) || typeof a.address !== 'string') throw problem(obj, ['status', 'addresses', i], "expected { type, address } in a Node's status.addresses");
    if (a.type === 'InternalIP' && parseIp(a.address) && !ips.includes(a.address)) ips.push(a.address);
  });
  // The first IPv4 address is the node's primary one.
  ips.sort((a, b) => (parseIp(a)!.family === 4 ? 0 : 1) - (parseIp(b)!.family === 4 ? 0 : 1));
  if (!ips.some((ip) => parseIp(ip)!.family === 4)) throw problem(obj, ['status', 'addresses'], `expected an IPv4 InternalIP address for node '${String(meta.name)}' (svclab needs one per node)`);
  const cidrs = [spec.podCIDR, ...(Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [])].filter((c): c is string => typeof c === 'string' && parseCidr(c)?.family === 4);
  return {
    name: meta.name as string,
    role: CONTROL_PLANE_LABELS.some((l) => l in labels) ? 'control-plane' : 'worker',
    ips,
    ...(cidrs[0] ? { podCIDR: formatCidr(parseCidr(cidrs[0])!) } : {}),
  };
}

/** The smallest CIDR holding every address and CIDR given (IPv4). */
export function supernet(items: (string | Cidr)[], atMost = 32): Cidr | undefined {
  const ranges = items.map((i) => (typeof i === 'string' ? (i.includes('/') ? parseCidr(i) : parseCidr(`${i}/32`)) : i)).filter((c): c is Cidr => c !== undefined && c.family === 4);
  if (!ranges.length) return undefined;
  let prefix = Math.min(atMost, ...ranges.map((r) => r.prefix));
  const base = ranges[0]!.base;
  for (; prefix > 0; prefix--) {
    const c = parseCidr(`${formatIp(4, base)}/${prefix}`)!;
    if (ranges.every((r) => cidrWithin(r, c))) return c;
  }
  return parseCidr('0.0.0.0/0');
}

export interface KubeProxyImport {
  kubeProxy: Obj;
  clusterCIDR?: string;
  notes: string[];
}

/** kube-proxy's KubeProxyConfiguration (ConfigMap kube-system/kube-proxy, key config.conf). */
export function importKubeProxyConfig(obj: InputObject): KubeProxyImport {
  const data = (obj.value as { data?: Obj }).data;
  const text = isObject(data) ? data['config.conf'] : undefined;
  if (typeof text !== 'string') throw problem(obj, ['data'], "expected data['config.conf'] (kube-proxy's KubeProxyConfiguration) in ConfigMap kube-system/kube-proxy");
  let conf: unknown;
  try {
    conf = parseEmbeddedYaml(text);
  } catch (err) {
    throw problem(obj, ['data', 'config.conf'], `config.conf is not valid YAML: ${(err as Error).message}`);
  }
  if (!isObject(conf)) throw problem(obj, ['data', 'config.conf'], 'expected config.conf to be a KubeProxyConfiguration map');
  const notes: string[] = [];
  const kp: Obj = {};
  const mode = conf.mode === undefined || conf.mode === '' ? 'iptables' : conf.mode;
  if (mode === 'iptables' || mode === 'nftables' || mode === 'ipvs') kp.mode = mode;
  else notes.push(`kube-proxy mode '${String(mode)}' is not modelled: used iptables`);
  const detect = conf.detectLocalMode;
  if (detect === 'None') kp.detectLocal = 'None';
  else if (detect !== undefined && detect !== '' && detect !== 'ClusterCIDR') notes.push(`kube-proxy detectLocalMode '${String(detect)}' is not modelled: used ClusterCIDR`);
  const ipt = isObject(conf.iptables) ? conf.iptables : {};
  if (typeof ipt.masqueradeAll === 'boolean' && ipt.masqueradeAll) kp.masqueradeAll = true;
  if (typeof ipt.masqueradeBit === 'number' && ipt.masqueradeBit !== 14) kp.masqueradeBit = ipt.masqueradeBit;
  if (typeof ipt.localhostNodePorts === 'boolean' && !ipt.localhostNodePorts) kp.localhostNodePorts = false;
  if (Array.isArray(conf.nodePortAddresses) && conf.nodePortAddresses.length) {
    const v4 = conf.nodePortAddresses.filter((a): a is string => typeof a === 'string' && (a === 'primary' || parseCidr(a)?.family === 4));
    if (v4.length) kp.nodePortAddresses = v4;
    if (v4.length !== conf.nodePortAddresses.length) notes.push('kube-proxy nodePortAddresses: IPv6 entries left out');
  }
  const clusterCIDR = typeof conf.clusterCIDR === 'string' ? conf.clusterCIDR.split(',').map((s) => s.trim()).find((c) => parseCidr(c)?.family === 4) : undefined;
  return { kubeProxy: kp, ...(clusterCIDR ? { clusterCIDR: formatCidr(parseCidr(clusterCIDR)!) } : {}), notes };
}

/**
 * Pod CIDR: kube-proxy's clusterCIDR when it holds every node's range, else the smallest range
 * holding them (or the pods' addresses when nodes have none). Service CIDR: a /16 around the
 * cluster IPs when that fits (kubeadm and kind use 10.96.0.0/16), else the smallest range.
 */
export function clusterRanges(nodes: ImportedNode[], podIPs: string[], clusterIPs: string[], clusterCIDR: string | undefined, notes: string[]): { podCIDR: string; serviceCIDR: string } {
  const nodeRanges = nodes.map((n) => n.podCIDR).filter((c): c is string => c !== undefined);
  let pod: Cidr | undefined;
  const configured = clusterCIDR ? parseCidr(clusterCIDR) : undefined;
  if (configured && nodeRanges.every((r) => cidrWithin(parseCidr(r)!, configured))) pod = configured;
  else pod = supernet(nodeRanges.length ? nodeRanges : podIPs, 16);
  pod ??= parseCidr('10.244.0.0/16')!;
  let svc = supernet(clusterIPs, 16);
  if (svc && cidrsOverlap(svc, pod)) svc = supernet(clusterIPs);
  svc ??= parseCidr('10.96.0.0/16')!;
  if (cidrsOverlap(svc, pod)) notes.push(`the service range ${formatCidr(svc)} overlaps the pod range ${formatCidr(pod)}: the scenario will not validate until they are told apart`);
  for (const n of nodes) {
    for (const ip of n.ips) if (cidrContains(pod, ip)) notes.push(`node ${n.name}'s address ${ip} is inside the pod range ${formatCidr(pod)} (pods on the node subnet, as with the AWS VPC CNI): svclab does not model that yet`);
  }
  return { podCIDR: formatCidr(pod), serviceCIDR: formatCidr(svc) };
}

/** An address on the first node's /24 that no node, pod or Service uses: the outside client. */
export function outsideClient(nodes: ImportedNode[], taken: Set<string>, pod: string, svc: string): { name: string; ip: string } | undefined {
  const primary = nodes[0]?.ips[0];
  const p = primary ? parseIp(primary) : undefined;
  if (!p || p.family !== 4) return undefined;
  const net = (p.value >> 8n) << 8n;
  const podC = parseCidr(pod)!;
  const svcC = parseCidr(svc)!;
  for (let host = 254n; host >= 2n; host--) {
    const ip = formatIp(4, net + host);
    if (taken.has(ip) || cidrContains(podC, ip) || cidrContains(svcC, ip)) continue;
    return { name: 'outside', ip };
  }
  return undefined;
}
