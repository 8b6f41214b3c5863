/** IPv4 CIDR membership, enough for routes and source ranges. */
import net from 'node:net';
function toInt(ip) {
    return ip.split('.').reduce((acc, o) => (acc * 256 + Number(o)) >>> 0, 0);
}
export function inCidr(ip, cidr) {
    const [base, bitsText] = cidr.split('/');
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (!net.isIPv4(ip) || !net.isIPv4(base) || !Number.isInteger(bits) || bits < 0 || bits > 32)
        return false;
    if (bits === 0)
        return true;
    const mask = (~0 << (32 - bits)) >>> 0;
    return ((toInt(ip) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}
//# sourceMappingURL=cidr.js.map