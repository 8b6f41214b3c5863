/** Renders the run result as stable, pretty-printed JSON ending in a newline. */
export function render(result) {
    return JSON.stringify(sortKeys(result), null, 2) + '\n';
}
function sortKeys(value) {
    if (Array.isArray(value))
        return value.map(sortKeys);
    if (value !== null && typeof value === 'object') {
        const out = {};
        for (const key of Object.keys(value).sort()) {
            const v = value[key];
            if (v !== undefined)
                out[key] = sortKeys(v);
        }
        return out;
    }
    return value;
}
//# sourceMappingURL=json.js.map