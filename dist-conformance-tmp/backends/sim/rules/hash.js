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
export function hash16(input) {
    const hex = sha256Hex(input);
    let out = '';
    // 16 base32 characters = 80 bits = the first 20 hex digits, taken 20 bits (5 hex) at a time.
    for (let i = 0; i < 20; i += 5) {
        const v = parseInt(hex.slice(i, i + 5), 16);
        out +=
            BASE32_ALPHABET[(v >>> 15) & 31] + BASE32_ALPHABET[(v >>> 10) & 31] + BASE32_ALPHABET[(v >>> 5) & 31] + BASE32_ALPHABET[v & 31];
    }
    return out;
}
/** One-shot `crypto.hash` (Node ≥ 20.12) is several times cheaper than a Hash object per call. */
const oneShot = crypto.hash;
function sha256Hex(input) {
    return oneShot !== undefined ? oneShot('sha256', input, 'hex') : crypto.createHash('sha256').update(input, 'utf8').digest('hex');
}
/** `portProtoHash`: hash of "ns/name:port" + lower-case protocol. */
export function portProtoHash(servicePortName, protocol) {
    return hash16(servicePortName + protocol);
}
export function serviceChainNames(servicePortName, protocol) {
    const hash = portProtoHash(servicePortName, protocol);
    return {
        cluster: 'KUBE-SVC-' + hash,
        local: 'KUBE-SVL-' + hash,
        external: 'KUBE-EXT-' + hash,
        firewall: 'KUBE-FW-' + hash,
    };
}
/** KUBE-SEP-… chain of one endpoint ("ip:port", or "[ip6]:port") of a service port. */
export function endpointChainName(servicePortName, protocol, endpoint) {
    return 'KUBE-SEP-' + hash16(servicePortName + protocol + endpoint);
}
//# sourceMappingURL=hash.js.map