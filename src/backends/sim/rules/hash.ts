/**
 * kube-proxy's chain names. Each per-service chain is a prefix plus the first 16 characters of
 * base32(sha256(servicePortName + protocol)); endpoint chains also hash the "ip:port" string
 * (pkg/proxy/iptables/proxier.go: portProtoHash, servicePortEndpointChainName).
 */
import { createHash } from 'node:crypto';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The first 16 characters of the standard base32 encoding of sha256(input). 16 base32 characters
 * are exactly 80 bits, i.e. the first 10 digest bytes, so no padding rules come into play.
 */
export function hash16(input: string): string {
  const digest = createHash('sha256').update(input, 'utf8').digest();
  let out = '';
  let buffer = 0;
  let bitCount = 0;
  for (let i = 0; i < 10; i++) {
    buffer = ((buffer << 8) | digest[i]) & 0xffff;
    bitCount += 8;
    while (bitCount >= 5) {
      bitCount -= 5;
      out += BASE32_ALPHABET[(buffer >>> bitCount) & 31];
    }
  }
  return out;
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
  return 'KUBE-SEP-' + hash16(servicePortName + protocol + endpoint);
}
