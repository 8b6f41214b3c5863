/**
 * JSON merge patch (RFC 7386): maps merge recursively, `null` deletes a key, anything else (lists
 * included) replaces the target value.
 */
export function mergePatch(target, patch) {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
        return structuredClone(patch);
    const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(patch)) {
        if (value === null)
            delete base[key];
        else
            base[key] = mergePatch(base[key], value);
    }
    return base;
}
/** Every path (list of keys) a merge patch writes or deletes, leaves first included. */
export function patchedPaths(patch, prefix = []) {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
        return [prefix];
    const out = [];
    for (const [key, value] of Object.entries(patch)) {
        out.push([...prefix, key], ...patchedPaths(value, [...prefix, key]).filter((p) => p.length > prefix.length + 1));
    }
    return out;
}
//# sourceMappingURL=merge-patch.js.map