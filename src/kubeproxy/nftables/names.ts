/**
 * Chain and set names of kube-proxy's nftables proxier (pkg/proxy/nftables/proxier.go):
 * a per-service base "HASH-namespace/name/protocol/portName" and a per-endpoint base
 * "HASH-namespace/name/protocol/portName__ip/port", where HASH is the first 8 characters of
 * base32(sha256(rest)); a base longer than 240 characters (knftables' 256 minus the longest
 * prefix) is cut to 237 and ends in "...". Prefixes: service-, local-, external-, firewall-,
 * endpoint-, affinity-.
 */
import { hash16 } from '../iptables/hash.js';

/** knftables.NameLengthMax (256) minus kube-proxy's longest chain-name prefix (16). */
const BASE_LENGTH_MAX = 256 - 16;

/** knftables.CommentLengthMax: nft refuses longer comments. */
export const COMMENT_LENGTH_MAX = 128;

/** `hashAndTruncate`: 8 base32 characters of sha256(name), a dash, the name; cut to 240. */
export function hashAndTruncate(name: string): string {
  // hash16 is the first 16 base32 characters of the same digest; the first 8 are what we need.
  const out = hash16(name).slice(0, 8) + '-' + name;
  return out.length > BASE_LENGTH_MAX ? out.slice(0, BASE_LENGTH_MAX - 3) + '...' : out;
}

/** `servicePortChainNameBase`: "HASH-ns/name/proto/port". */
export function servicePortChainNameBase(namespace: string, name: string, protocol: string, portName: string): string {
  return hashAndTruncate(`${namespace}/${name}/${protocol}/${portName}`);
}

/**
 * `servicePortEndpointChainNameBase`: "HASH-ns/name/proto/port__ip/port" for an endpoint
 * "ip:port" (or "[ip6]:port"; the colons of an IPv6 address become dots).
 */
export function servicePortEndpointChainNameBase(
  namespace: string,
  name: string,
  protocol: string,
  portName: string,
  endpoint: string,
): string {
  const colon = endpoint.lastIndexOf(':');
  let host = endpoint.slice(0, colon);
  const port = endpoint.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  host = host.replaceAll(':', '.');
  return hashAndTruncate(`${namespace}/${name}/${protocol}/${portName}__${host}/${port}`);
}

/** The four per-service-port chain names. */
export interface NftServiceChainNames {
  /** service-…: endpoints for Cluster traffic policy. */
  cluster: string;
  /** local-…: endpoints for Local traffic policy. */
  local: string;
  /** external-…: entry for NodePort / externalIP / LoadBalancer traffic. */
  external: string;
  /** firewall-…: loadBalancerSourceRanges check. */
  firewall: string;
}

export function nftServiceChainNames(namespace: string, name: string, protocol: string, portName: string): NftServiceChainNames {
  const base = servicePortChainNameBase(namespace, name, protocol, portName);
  return { cluster: 'service-' + base, local: 'local-' + base, external: 'external-' + base, firewall: 'firewall-' + base };
}

/** endpoint-… chain and affinity-… set of one endpoint (only written for ClientIP affinity). */
export interface NftEndpointNames {
  chain: string;
  affinitySet: string;
}

export function nftEndpointNames(namespace: string, name: string, protocol: string, portName: string, endpoint: string): NftEndpointNames {
  const base = servicePortEndpointChainNameBase(namespace, name, protocol, portName, endpoint);
  return { chain: 'endpoint-' + base, affinitySet: 'affinity-' + base };
}

/** `truncateNFTablesComment`: at most 128 bytes. */
export function truncateComment(text: string): string {
  if (Buffer.byteLength(text, 'utf8') <= COMMENT_LENGTH_MAX) return text;
  return Buffer.from(text, 'utf8').subarray(0, COMMENT_LENGTH_MAX).toString('utf8');
}
