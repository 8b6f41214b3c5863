/**
 * Getting kube-proxy's iptables-save text into a node's kernel. kube-proxy creates its nfacct
 * counters over netlink before it restores rules that name them; without the `nfacct` tool we
 * cannot, so those (count-only) matches are dropped and the lab says so.
 */
const NFACCT_MATCH = /\s+-m nfacct --nfacct-name\s+(\S+)/g;
/** Names of the nfacct counters a rules text refers to. */
export function nfacctCounters(rules) {
    return [...new Set([...rules.matchAll(NFACCT_MATCH)].map((m) => m[1]))];
}
/** The rules without their nfacct matches (they only count packets; verdicts are unchanged). */
export function withoutNfacct(rules) {
    return rules.replace(NFACCT_MATCH, '');
}
/** Counter names reach a command line: keep them to what kube-proxy uses. */
export function isCounterName(name) {
    return /^[A-Za-z0-9_.-]{1,31}$/.test(name);
}
/** `iptables-save` output without its timestamp comments, so two dumps compare equal. */
export function stripSaveComments(text) {
    return text
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join('\n');
}
//# sourceMappingURL=rules.js.map