/**
 * Node subnets and, with `podAddressing: node-subnet` (VPC CNI style), the part of each node's
 * subnet its pods take addresses from, plus the `podIPs` a node hands out first. Every check here
 * points at the key that is wrong.
 */
import { fail, sub } from './source.js';
import type { Locator } from './source.js';
import type { RawCluster } from './raw.js';
import { canonicalIp, cidrContains, cidrWithin, formatCidr, ipFamily, parseCidr } from '../model/ip.js';
import type { Cidr } from '../model/ip.js';
import type { NodeSpec } from '../model/types.js';

export interface NodeSubnet {
  subnet: string;
  /** Where its pods take addresses from (node-subnet addressing); the subnet unless narrowed. */
  podCIDR: string;
}

function ipv4Cidr(text: string, loc: Locator, what: string): Cidr {
  const c = parseCidr(text);
  if (c === undefined || c.family !== 4) fail(`invalid ${what} '${text}'`, loc, ['expected an IPv4 CIDR such as 10.11.16.0/20']);
  if (c.hostBitsSet) fail(`${what} '${text}' has host bits set`, loc, [`expected the network address: ${formatCidr(c)}`]);
  return c;
}

function primaryOf(n: RawCluster['nodes'][number]): string | undefined {
  return (n.ip !== undefined ? [n.ip] : (n.ips ?? [])).find((a) => ipFamily(a) === 4);
}

/** Per node: its subnet (stated, or with node-subnet addressing the /24 around its address). */
export function compileNodeSubnets(raw: RawCluster, nodesLoc: Locator, nodeSubnet: boolean): (NodeSubnet | undefined)[] {
  return raw.nodes.map((n, i) => {
    const nLoc = sub(nodesLoc, i);
    const primary = primaryOf(n);
    let subnet: Cidr | undefined;
    if (n.subnet !== undefined) {
      subnet = ipv4Cidr(n.subnet, sub(nLoc, 'subnet'), 'node subnet');
      if (primary === undefined || !cidrContains(subnet, primary)) {
        fail(`node subnet ${n.subnet} does not hold the node's address ${primary ?? '(no IPv4 address)'}`, sub(nLoc, 'subnet'), ["expected the subnet the node's primary IPv4 address is in"]);
      }
    } else if (nodeSubnet) {
      if (primary === undefined) fail(`node '${n.name}' has no IPv4 address`, nLoc, ['expected an IPv4 node address: pods take addresses from its subnet']);
      const around = parseCidr(`${primary}/24`)!;
      subnet = parseCidr(formatCidr(around))!;
    }
    if (subnet === undefined) return undefined;
    let pods = subnet;
    if (nodeSubnet && n.podCIDR !== undefined) {
      const pLoc = sub(nLoc, 'podCIDR');
      pods = ipv4Cidr(n.podCIDR, pLoc, 'node podCIDR');
      if (!cidrWithin(pods, subnet)) fail(`node podCIDR ${n.podCIDR} is outside the node subnet ${formatCidr(subnet)}`, pLoc, [`expected a range inside ${formatCidr(subnet)} (podAddressing node-subnet)`]);
    }
    return { subnet: formatCidr(subnet), podCIDR: formatCidr(pods) };
  });
}

/** podIPs: IPv4, inside the node's subnet, not a node or client address, each used once. */
export function checkPodIPs(raw: RawCluster, nodesLoc: Locator, nodes: NodeSpec[], clientAddresses: string[]): void {
  const taken = new Map<string, string>();
  for (const n of nodes) for (const a of n.addresses) taken.set(canonicalIp(a), `node '${n.name}'`);
  for (const a of clientAddresses) if (ipFamily(a) !== undefined) taken.set(canonicalIp(a), 'a client');
  raw.nodes.forEach((n, i) => {
    (n.podIPs ?? []).forEach((ip, j) => {
      const loc = sub(nodesLoc, i, 'podIPs', j);
      if (ipFamily(ip) !== 4) fail(`pod address ${ip} is not IPv4`, loc, ['expected an IPv4 address in the node subnet']);
      const subnet = nodes[i]!.subnet!;
      if (!cidrContains(parseCidr(subnet)!, ip)) fail(`pod address ${ip} is outside the node subnet ${subnet}`, loc, [`expected an address inside ${subnet}`, ...(n.subnet === undefined ? [`or node subnet: CIDR holding it (default: the /24 around ${nodes[i]!.addresses[0]})`] : [])]);
      const owner = taken.get(canonicalIp(ip));
      if (owner !== undefined) fail(`pod address ${ip} is already used by ${owner}`, loc, ['expected a free address of the node subnet']);
      taken.set(canonicalIp(ip), `a pod address of node '${n.name}'`);
    });
  });
}
