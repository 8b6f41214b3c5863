/**
 * `cluster:` -> ClusterSpec with every default filled: node roles and pod CIDRs, kube-proxy
 * settings, clients and their routes; with the address and CIDR checks that need the whole picture.
 */
import { didYouMean } from './diagnostics.js';
import { fail, keyOf, sub } from './source.js';
import type { Locator } from './source.js';
import type { RawCluster } from './raw.js';
import { canonicalIp, cidrContains, cidrWithin, cidrsOverlap, formatCidr, ipFamily, parseCidr, subnet } from '../model/ip.js';
import type { Cidr } from '../model/ip.js';
import type { ClientSpec, ClusterSpec, NodeSpec, Protocol } from '../model/types.js';
import { defaultKubeProxy } from '../model/defaults.js';
import { checkPodIPs, compileNodeSubnets } from './compile-node-subnets.js';

export const DEFAULT_POD_CIDR = '10.244.0.0/16';
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

function ipv4Cidr(text: string, loc: Locator, what: string): Cidr {
  const c = parseCidr(text);
  if (c === undefined || c.family !== 4) fail(`invalid ${what} '${text}'`, loc, ['expected an IPv4 CIDR such as 10.244.0.0/16']);
  if (c.hostBitsSet) fail(`${what} '${text}' has host bits set`, loc, [`expected the network address: ${formatCidr(c)}`]);
  return c;
}

/**
 * The smallest pod range a node may have: /28 (16 addresses: the network, the node's gateway .1,
 * 13 pods, the broadcast). The cluster podCIDR must hold at least one such range.
 */
export const MAX_NODE_POD_PREFIX = 28;
const POD_CIDR_MINIMUM = `expected a prefix length of /${MAX_NODE_POD_PREFIX} or shorter (at least 16 addresses: network, gateway .1, 13 pods, broadcast), e.g. /24`;

/** Until the backends model IPv6, an IPv6 address would validate and then be refused by them. */
const IPV6_NOT_YET = 'expected an IPv4 address: svclab does not model IPv6 yet';

function ipv4Only(address: string, loc: Locator, what: string): void {
  if (ipFamily(address) === 6) fail(`${what} ${address} is an IPv6 address`, loc, [IPV6_NOT_YET]);
}

/** `serves: [9376, "53/UDP"]` -> ports with protocols; duplicates are errors. */
function compileServes(raw: (number | string)[] | undefined, loc: Locator): { port: number; protocol: Protocol }[] {
  const out: { port: number; protocol: Protocol }[] = [];
  (raw ?? []).forEach((item, i) => {
    const [portText, protocol] = typeof item === 'number' ? [String(item), 'TCP'] : item.split('/');
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`invalid served port '${item}'`, sub(loc, i), ['expected a port 1..65535, e.g. 9376 or "53/UDP"']);
    if (out.some((o) => o.port === port && o.protocol === protocol)) fail(`port ${port}/${protocol} is served twice`, sub(loc, i), ['expected each port/protocol once']);
    out.push({ port, protocol: protocol as Protocol });
  });
  return out;
}

export function compileCluster(raw: RawCluster, loc: Locator): ClusterSpec {
  const podCIDRText = raw.podCIDR ?? DEFAULT_POD_CIDR;
  const serviceCIDRText = raw.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
  const podCidr = ipv4Cidr(podCIDRText, sub(loc, 'podCIDR'), 'podCIDR');
  const svcCidr = ipv4Cidr(serviceCIDRText, sub(loc, 'serviceCIDR'), 'serviceCIDR');
  if (cidrsOverlap(podCidr, svcCidr)) {
    fail(`serviceCIDR ${serviceCIDRText} overlaps podCIDR ${podCIDRText}`, sub(loc, 'serviceCIDR'), ['expected separate ranges for pods and services']);
  }
  if (podCidr.prefix > MAX_NODE_POD_PREFIX) fail(`podCIDR ${podCIDRText} is too small`, sub(loc, 'podCIDR'), [POD_CIDR_MINIMUM]);
  if (svcCidr.prefix > 29) fail(`serviceCIDR ${serviceCIDRText} is too small`, sub(loc, 'serviceCIDR'), ['expected a prefix of /29 or larger']);

  const [minText, maxText] = (raw.nodePortRange ?? DEFAULT_NODE_PORT_RANGE).split('-');
  const min = Number(minText);
  const max = Number(maxText);
  if (min < 1 || max > 65535 || min > max) {
    fail(`invalid nodePortRange '${raw.nodePortRange}'`, sub(loc, 'nodePortRange'), ['expected MIN-MAX with 1 <= MIN <= MAX <= 65535, e.g. 30000-32767']);
  }

  const nodeSubnet = raw.podAddressing === 'node-subnet';
  // Nodes: names unique, addresses valid and unique, pod CIDRs inside the cluster pod CIDR.
  const nodesLoc = sub(loc, 'nodes');
  const seenNames = new Map<string, number>();
  const seenAddresses = new Map<string, string>();
  const explicit = new Map<number, Cidr>();
  raw.nodes.forEach((n, i) => {
    const nLoc = sub(nodesLoc, i);
    if (seenNames.has(n.name)) fail(`duplicate node name '${n.name}'`, sub(nLoc, 'name'), ['expected unique node names']);
    seenNames.set(n.name, i);
    if (n.ip !== undefined && n.ips !== undefined) fail(`node '${n.name}' has both 'ip' and 'ips'`, keyOf(nLoc, 'ips'), ["expected either 'ip' or 'ips'"]);
    if (n.ip === undefined && n.ips === undefined) fail(`node '${n.name}' has no address`, nLoc, ["expected 'ip: ADDRESS' or 'ips: [ADDRESS, ...]'"]);
    const addrs = n.ip !== undefined ? [n.ip] : n.ips!;
    // An IPv6 address beside an IPv4 one is kept (dual stack); a node without IPv4 cannot be modelled.
    if (!addrs.some((a) => ipFamily(a) === 4)) {
      fail(`node '${n.name}' has no IPv4 address`, n.ip !== undefined ? sub(nLoc, 'ip') : sub(nLoc, 'ips'), [
        'expected at least one IPv4 address: svclab does not model IPv6 yet (an IPv6 address beside an IPv4 one is accepted)',
      ]);
    }
    addrs.forEach((a, j) => {
      const aLoc = n.ip !== undefined ? sub(nLoc, 'ip') : sub(nLoc, 'ips', j);
      const canon = canonicalIp(a);
      const prev = seenAddresses.get(canon);
      if (prev !== undefined) fail(`address ${a} is used twice (also by node '${prev}')`, aLoc, ['expected unique node addresses']);
      seenAddresses.set(canon, n.name);
      if (!nodeSubnet && cidrContains(podCidr, a)) {
        fail(`node address ${a} is inside the pod CIDR ${podCIDRText}`, aLoc, [
          'expected node addresses outside the pod and service CIDRs',
          'or, when pods take addresses from the nodes\' own subnets (VPC CNI), cluster.podAddressing: node-subnet',
        ]);
      }
      if (cidrContains(svcCidr, a)) fail(`node address ${a} is inside the service CIDR ${serviceCIDRText}`, aLoc, ['expected node addresses outside the pod and service CIDRs']);
    });
    if (n.podCIDR !== undefined && !nodeSubnet) {
      const pLoc = sub(nLoc, 'podCIDR');
      const c = ipv4Cidr(n.podCIDR, pLoc, 'node podCIDR');
      if (!cidrWithin(c, podCidr)) fail(`node podCIDR ${n.podCIDR} is outside the cluster podCIDR ${podCIDRText}`, pLoc, [`expected a range inside ${podCIDRText}`]);
      if (c.prefix > MAX_NODE_POD_PREFIX) fail(`node podCIDR ${n.podCIDR} is too small`, pLoc, [POD_CIDR_MINIMUM]);
      for (const [j, other] of explicit) {
        if (cidrsOverlap(c, other)) fail(`node podCIDR ${n.podCIDR} overlaps the podCIDR of node '${raw.nodes[j].name}'`, pLoc, ['expected a separate range per node']);
      }
      explicit.set(i, c);
    }
  });

  const subnets = compileNodeSubnets(raw, nodesLoc, nodeSubnet);
  if (!nodeSubnet) {
    raw.nodes.forEach((n, i) => {
      if (n.podIPs !== undefined) fail("'podIPs' needs cluster.podAddressing: node-subnet", keyOf(sub(nodesLoc, i), 'podIPs'), ['expected podAddressing: node-subnet, or no podIPs (pods then take addresses from the node podCIDR)']);
    });
  }

  // Defaults: consecutive /24s of the cluster pod CIDR, skipping ranges taken by explicit ones.
  let nextIndex = 0;
  const nodes: NodeSpec[] = raw.nodes.map((n, i) => {
    const addresses = n.ip !== undefined ? [n.ip] : [...n.ips!];
    if (nodeSubnet) {
      const s = subnets[i]!;
      return {
        name: n.name,
        role: n.role ?? 'worker',
        addresses,
        podCIDR: s.podCIDR,
        subnet: s.subnet,
        ...(n.podIPs !== undefined ? { podIPs: [...n.podIPs] } : {}),
      };
    }
    let cidr = explicit.get(i);
    if (cidr === undefined) {
      const prefix = Math.max(24, podCidr.prefix);
      for (;;) {
        const candidate = subnet(podCidr, prefix, nextIndex++);
        if (candidate === undefined) {
          fail(`podCIDR ${podCIDRText} has no room for a pod range for node '${n.name}'`, sub(loc, 'podCIDR'), ['expected a larger podCIDR, or podCIDR set per node']);
        }
        if (![...explicit.values()].some((e) => cidrsOverlap(e, candidate))) {
          cidr = candidate;
          break;
        }
      }
    }
    return {
      name: n.name,
      role: n.role ?? 'worker',
      addresses,
      podCIDR: formatCidr(cidr!),
      ...(subnets[i] !== undefined ? { subnet: subnets[i]!.subnet } : {}),
    };
  });
  checkPodIPs(raw, nodesLoc, nodes, (raw.clients ?? []).map((c) => c.ip));

  const nodeByAddress = new Map<string, NodeSpec>();
  for (const n of nodes) for (const a of n.addresses) nodeByAddress.set(canonicalIp(a), n);

  const clientsLoc = sub(loc, 'clients');
  const clientNames = new Set<string>();
  const clients: ClientSpec[] = (raw.clients ?? []).map((c, i) => {
    const cLoc = sub(clientsLoc, i);
    if (clientNames.has(c.name)) fail(`duplicate client name '${c.name}'`, sub(cLoc, 'name'), ['expected unique client names']);
    if (seenNames.has(c.name)) fail(`client name '${c.name}' is also a node name`, sub(cLoc, 'name'), ['expected client names that differ from node names']);
    clientNames.add(c.name);
    ipv4Only(c.ip, sub(cLoc, 'ip'), `client '${c.name}' address`);
    const owner = nodeByAddress.get(canonicalIp(c.ip));
    if (owner !== undefined) fail(`client address ${c.ip} is also an address of node '${owner.name}'`, sub(cLoc, 'ip'), ['expected a separate address']);
    if (!nodeSubnet && cidrContains(podCidr, c.ip)) fail(`client address ${c.ip} is inside the pod CIDR ${podCIDRText}`, sub(cLoc, 'ip'), ['expected an address outside the pod and service CIDRs']);
    if (cidrContains(svcCidr, c.ip)) fail(`client address ${c.ip} is inside the service CIDR ${serviceCIDRText}`, sub(cLoc, 'ip'), ['expected an address outside the pod and service CIDRs']);
    for (const other of raw.clients!.slice(0, i)) {
      if (canonicalIp(other.ip) === canonicalIp(c.ip)) fail(`client address ${c.ip} is also the address of client '${other.name}'`, sub(cLoc, 'ip'), ['expected unique client addresses']);
    }
    const routes = (c.routes ?? []).map((r, j) => {
      const rLoc = sub(cLoc, 'routes', j);
      const to = parseCidr(r.to)!;
      if (to.family === 6) fail(`route destination ${r.to} is an IPv6 range`, sub(rLoc, 'to'), ['expected an IPv4 CIDR: svclab does not model IPv6 yet']);
      if (ipFamily(r.via) === 6) fail(`route via ${r.via} is an IPv6 address`, sub(rLoc, 'via'), [IPV6_NOT_YET]);
      if (to.hostBitsSet) fail(`route destination '${r.to}' has host bits set`, sub(rLoc, 'to'), [`expected the network address: ${formatCidr(to)}`]);
      const byName = nodes.find((n) => n.name === r.via);
      const byAddr = ipFamily(r.via) !== undefined ? nodeByAddress.get(canonicalIp(r.via)) : undefined;
      if (byName === undefined && byAddr === undefined) {
        fail(`route via '${r.via}' is not a node`, sub(rLoc, 'via'), [
          `expected a node name or node address: ${nodes.map((n) => n.name).join(', ')}`,
          ...didYouMean(r.via, nodes.map((n) => n.name)),
        ]);
      }
      const via = byName !== undefined ? (byName.addresses.find((a) => ipFamily(a) === to.family) ?? byName.addresses[0]) : r.via;
      return { to: formatCidr(to), via };
    });
    const serves = compileServes(c.serves, sub(cLoc, 'serves'));
    return { name: c.name, address: c.ip, routes, ...(serves.length > 0 ? { serves } : {}) };
  });

  const kp = raw.kubeProxy ?? {};
  const defaults = defaultKubeProxy();
  const npaLoc = sub(loc, 'kubeProxy', 'nodePortAddresses');
  (kp.nodePortAddresses ?? []).forEach((a, i) => {
    if (a === 'primary') return;
    const c = parseCidr(a);
    if (c === undefined) fail(`invalid nodePortAddresses entry '${a}'`, sub(npaLoc, i), ['expected a CIDR such as 172.18.0.0/16, or "primary"']);
  });

  const detectLocal = kp.detectLocal ?? defaults.detectLocal;
  const kpLoc = sub(loc, 'kubeProxy');
  if (detectLocal === 'BridgeInterface' && kp.bridgeInterface === undefined) {
    fail('detectLocal BridgeInterface needs the bridge name', keyOf(kpLoc, 'detectLocal'), ['expected kubeProxy.bridgeInterface: NAME (e.g. cni0), as kube-proxy needs --pod-bridge-interface']);
  }
  if (detectLocal === 'InterfaceNamePrefix' && kp.interfaceNamePrefix === undefined) {
    fail('detectLocal InterfaceNamePrefix needs the prefix', keyOf(kpLoc, 'detectLocal'), ['expected kubeProxy.interfaceNamePrefix: PREFIX (e.g. eni or veth), as kube-proxy needs --pod-interface-name-prefix']);
  }
  // Nodes reach the outside network by eth0 on every backend: a pod link must not look like it.
  if (kp.bridgeInterface !== undefined && (kp.bridgeInterface === 'eth0' || kp.bridgeInterface === 'lo')) {
    fail(`bridgeInterface '${kp.bridgeInterface}' is the node's own uplink or loopback`, sub(kpLoc, 'bridgeInterface'), ['expected the pod bridge, e.g. cni0 (svclab names node uplinks eth0)']);
  }
  if (kp.interfaceNamePrefix !== undefined && ('eth0'.startsWith(kp.interfaceNamePrefix) || 'lo'.startsWith(kp.interfaceNamePrefix))) {
    fail(`interfaceNamePrefix '${kp.interfaceNamePrefix}' would also match the node's eth0 or lo`, sub(kpLoc, 'interfaceNamePrefix'), ['expected the prefix of pod links only, e.g. eni, veth or cali (svclab names node uplinks eth0)']);
  }
  if (kp.bridgeInterface !== undefined && detectLocal !== 'BridgeInterface') {
    fail('bridgeInterface is only read with detectLocal BridgeInterface', keyOf(kpLoc, 'bridgeInterface'), [`expected detectLocal: BridgeInterface, or no bridgeInterface (detectLocal is ${detectLocal})`]);
  }
  if (kp.interfaceNamePrefix !== undefined && detectLocal !== 'InterfaceNamePrefix') {
    fail('interfaceNamePrefix is only read with detectLocal InterfaceNamePrefix', keyOf(kpLoc, 'interfaceNamePrefix'), [`expected detectLocal: InterfaceNamePrefix, or no interfaceNamePrefix (detectLocal is ${detectLocal})`]);
  }

  return {
    nodes,
    clients,
    clusterCIDR: podCIDRText,
    ...(nodeSubnet ? { podAddressing: 'node-subnet' as const } : {}),
    serviceCIDR: serviceCIDRText,
    nodePortRange: { min, max },
    kubeProxy: {
      mode: kp.mode ?? defaults.mode,
      detectLocal,
      ...(kp.bridgeInterface !== undefined ? { bridgeInterface: kp.bridgeInterface } : {}),
      ...(kp.interfaceNamePrefix !== undefined ? { interfaceNamePrefix: kp.interfaceNamePrefix } : {}),
      masqueradeAll: kp.masqueradeAll ?? defaults.masqueradeAll,
      nodePortAddresses: [...(kp.nodePortAddresses ?? defaults.nodePortAddresses)],
      localhostNodePorts: kp.localhostNodePorts ?? defaults.localhostNodePorts,
      masqueradeBit: kp.masqueradeBit ?? defaults.masqueradeBit,
    },
  };
}
