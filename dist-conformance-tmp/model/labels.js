/** Label selection as Services and Deployments do it (matchLabels only). */
export function selectorMatches(selector, labels) {
    const entries = Object.entries(selector);
    // An empty selector selects nothing for a Service (kube-controller-manager skips it).
    if (entries.length === 0)
        return false;
    return entries.every(([k, v]) => labels[k] === v);
}
//# sourceMappingURL=labels.js.map