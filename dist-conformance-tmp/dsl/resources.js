/**
 * Resource lists (`resources:` and `apply:`): inline manifests and `{ file: path }` references to
 * multi-document YAML next to the scenario, each checked against the schema of its kind.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { fail, parseDocumentStream, readScenarioText, sub } from './source.js';
import { validateResource } from './validate-schema.js';
/** Resolves a `file:` reference, refusing paths that leave the scenario's folder tree. */
async function resolveResourceFile(scenarioFile, rel, loc) {
    if (path.isAbsolute(rel))
        fail(`resource file '${rel}' is an absolute path`, loc, ["expected a path relative to the scenario file's folder"]);
    const root = path.dirname(scenarioFile);
    const full = path.resolve(root, rel);
    let real;
    try {
        real = await realpath(full);
    }
    catch {
        fail(`resource file '${rel}' does not exist`, loc, [`expected a file at ${path.relative(process.cwd(), full) || full}`]);
    }
    const realRoot = await realpath(root);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
        fail(`resource file '${rel}' is outside the scenario's folder`, loc, ["expected a file inside the scenario file's folder (or below it)"]);
    }
    return real;
}
/** Expands a list of items (manifests or file references) into checked manifests. */
export async function loadResourceItems(items, listLoc, scenarioFile) {
    const out = [];
    for (let i = 0; i < items.length; i++)
        out.push(...(await loadResourceItem(items[i], sub(listLoc, i), scenarioFile)));
    return out;
}
/** One item: a manifest, or a file reference expanded into its manifests. */
export async function loadResourceItem(item, loc, scenarioFile) {
    const out = [];
    {
        const checked = validateResource(item, loc);
        if (checked.kind === 'file') {
            const file = await resolveResourceFile(scenarioFile, checked.file, sub(loc, 'file'));
            const text = await readScenarioText(file);
            for (const { doc, value } of parseDocumentStream(file, text)) {
                const docLoc = { doc, path: [] };
                const inner = validateResource(value, docLoc);
                if (inner.kind === 'file')
                    fail('a resource file cannot refer to another file', { doc, path: ['file'] }, ['expected manifests only']);
                out.push({ kind: inner.kind, manifest: inner.manifest, origin: docLoc });
            }
        }
        else {
            out.push({ kind: checked.kind, manifest: checked.manifest, origin: loc });
        }
    }
    return out;
}
//# sourceMappingURL=resources.js.map