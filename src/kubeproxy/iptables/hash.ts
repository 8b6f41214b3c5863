/**
 * kube-proxy's chain names. Each per-service chain is a prefix plus the first 16 characters of
 * base32(sha256(servicePortName + protocol)); endpoint chains also hash the "ip:port" string
 * (pkg/proxy/iptables/proxier.go: portProtoHash, servicePortEndpointChainName).
 */
import * as crypto from 'node:crypto';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The first 16 characters of the standard base32 encoding of sha256(input). 16 base32 characters
 * are exactly 80 bits, i.e. the first 10 digest bytes, so no padding rules come into play.
 */
export function hash16(input: string): string {
  const d = sha256(input);
  // 16 base32 characters = 80 bits = the first 10 digest bytes, 5 bits per character.
  let out = '';
  for (let i = 0; i < 10; i += 5) {
    const hi = (d[i] << 12) | (d[i + 1] << 4) | (d[i + 2] >>> 4); // 20 bits
    const lo = ((d[i + 2] & 15) << 16) | (d[i + 3] << 8) | d[i + 4]; // 20 bits
    out +=
      BASE32_ALPHABET[(hi >>> 15) & 31] +
      BASE32_ALPHABET[(hi >>> 10) & 31] +
      BASE32_ALPHABET[(hi >>> 5) & 31] +
      BASE32_ALPHABET[hi & 31] +
      BASE32_ALPHABET[(lo >>> 15) & 31] +
      BASE32_ALPHABET[(lo >>> 10) & 31] +
      BASE32_ALPHABET[(lo >>> 5) & 31] +
      BASE32_ALPHABET[lo & 31];
  }
  return out;
}

/** One-shot `crypto.hash` (Node >= 20.12) is several times cheaper than a Hash object per call. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;
function sha256(input: string): Uint8Array {
  return oneShot !== undefined ? oneShot('sha256', input, 'buffer') : crypto.createHash('sha256').update(input, 'utf8').digest();
}

/** `portProtoHash`: hash of "ns/name:port" + lower-case protocol. */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol);
}

/** The five chain names of one service port, computed once. */
export interface ServiceChainNames {
  /** KUBE-SVC-…: endpoints for Cluster traffic policy. */
  cluster: string;
  /** KUBE-SVL-…: endpoints for Local traffic policy. */
  local: string;
  /** KUBE-EXT-…: entry for NodePort / externalIP / LoadBalancer traffic. */
  external: string;
  /** KUBE-FW-…: loadBalancerSourceRanges filter. */
  firewall: string;
}

export function serviceChainNames(servicePortName: string, protocol: string): ServiceChainNames {
  const hash = portProtoHash(servicePortName, protocol);
  return {
    cluster: 'KUBE-SVC-' + hash,
    local: 'KUBE-SVL-' + hash,
    external: 'KUBE-EXT-' + hash,
    firewall: 'KUBE-FW-' + hash,
  };
}

/** KUBE-SEP-… chain of one endpoint ("ip:port", or "[ip6]:port") of a service port. */
export function endpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  const key = servicePortName + protocol + endpoint;
  let name = endpointChainMemo.get(key);
  if (name === undefined) {
    name = 'KUBE-SEP-' + hash16(key);
    // Bounded: the simulator renders every node of every step from mostly the same endpoints.
    if (endpointChainMemo.size >= ENDPOINT_MEMO_LIMIT) endpointChainMemo.clear();
    endpointChainMemo.set(key, name);
  }
  return name;
}

const ENDPOINT_MEMO_LIMIT = 250_000;
const endpointChainMemo = new Map<string, string>();
