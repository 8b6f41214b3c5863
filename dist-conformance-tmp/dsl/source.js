/**
 * Reading scenario files safely and keeping YAML node positions, so every later check can point at
 * the exact key or value it is about. All YAML node walking lives here.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, parseDocument } from 'yaml';
import { DiagnosticError } from './diagnostics.js';
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;
export const MAX_ALIASES = 100;
export function fail(message, at, notes = []) {
    throw new DiagnosticError([diagnosticAt(message, at, notes)]);
}
export function diagnosticAt(message, at, notes = []) {
    if ('doc' in at)
        return { message, file: at.doc.file, text: at.doc.text, span: locate(at), notes };
    return { message, file: at.file, text: at.text, span: at.span, notes };
}
/** Reads a file as text, refusing huge, binary and non-UTF-8 files before any parsing. */
export async function readScenarioText(file) {
    let size;
    try {
        const st = await stat(file);
        if (!st.isFile())
            fail('not a regular file', { file });
        size = st.size;
    }
    catch (err) {
        if (err instanceof DiagnosticError)
            throw err;
        fail(`cannot read file: ${err.code ?? String(err)}`, { file });
    }
    if (size > MAX_FILE_BYTES) {
        fail(`file is too large (${size} bytes)`, { file }, [`expected at most ${MAX_FILE_BYTES} bytes (1 MiB)`]);
    }
    const bytes = await readFile(file);
    if (bytes.length > MAX_FILE_BYTES)
        fail(`file is too large (${bytes.length} bytes)`, { file }, [`expected at most ${MAX_FILE_BYTES} bytes (1 MiB)`]);
    const nul = bytes.indexOf(0);
    if (nul >= 0)
        fail(`file contains a NUL byte at offset ${nul}: binary data, not YAML`, { file }, ['expected a UTF-8 text file']);
    let text;
    try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    }
    catch {
        fail('file is not valid UTF-8', { file }, ['expected a UTF-8 text file']);
    }
    if (text.charCodeAt(0) === 0xfeff)
        text = text.slice(1);
    // Other control characters (besides tab, newline, carriage return) mean binary garbage.
    const ctl = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
    if (ctl) {
        fail(`file contains a control character (U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}): binary data, not YAML`, { file, text, span: { start: ctl.index, end: ctl.index + 1 } }, ['expected a UTF-8 text file']);
    }
    return text;
}
function yamlErrorDiagnostics(file, text, errors) {
    return errors.slice(0, 5).map((e) => {
        // `yaml` messages carry their own context after the first line; keep the first line only.
        let message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        if (e.code === 'RESOURCE_EXHAUSTION' || /call stack/i.test(message))
            message = 'YAML nesting is too deep';
        if (e.code === 'DUPLICATE_KEY')
            message = 'duplicate key';
        if (e.code === 'MULTIPLE_DOCS')
            message = 'a scenario file holds one YAML document; found a second one';
        const notes = e.code === 'RESOURCE_EXHAUSTION' ? [`expected at most ${MAX_DEPTH} levels of nesting`] : e.code === 'DUPLICATE_KEY' ? ['expected each key at most once in a map'] : [];
        return { message: `invalid YAML: ${message}`, file, text, span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) }, notes };
    });
}
function checkDepth(doc) {
    if (doc.root === null)
        return;
    const stack = [{ node: doc.root, depth: 1 }];
    while (stack.length > 0) {
        const { node, depth } = stack.pop();
        if (isMap(node) || isSeq(node)) {
            if (depth > MAX_DEPTH) {
                const range = node.range;
                fail('YAML nesting is too deep', { file: doc.file, text: doc.text, span: range ? { start: range[0], end: range[0] + 1 } : undefined }, [`expected at most ${MAX_DEPTH} levels of nesting`]);
            }
            for (const item of node.items) {
                if (isPair(item)) {
                    stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
                }
                else
                    stack.push({ node: item, depth: depth + 1 });
            }
        }
    }
}
function toJs(doc, source) {
    try {
        return doc.toJS({ maxAliasCount: MAX_ALIASES });
    }
    catch (err) {
        if (err instanceof ReferenceError && /alias/i.test(err.message)) {
            fail('too many YAML alias expansions (alias bomb?)', { file: source.file }, [`expected at most ${MAX_ALIASES} alias expansions`]);
        }
        if (err instanceof RangeError)
            fail('YAML nesting is too deep', { file: source.file }, [`expected at most ${MAX_DEPTH} levels of nesting`]);
        fail(`invalid YAML: ${err.message}`, { file: source.file });
    }
}
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, merge: false, strict: true };
/** Parses a single-document YAML file (a scenario). */
export function parseSingleDocument(file, text) {
    const parsed = parseDocument(text, PARSE_OPTIONS);
    if (parsed.errors.length > 0)
        throw new DiagnosticError(yamlErrorDiagnostics(file, text, parsed.errors));
    const source = { file, text, root: parsed.contents, span: { start: 0, end: Math.max(1, text.length) } };
    checkDepth(source);
    return { doc: source, value: toJs(parsed, source) };
}
/** Parses a multi-document YAML file (manifests); empty documents are skipped. */
export function parseDocumentStream(file, text) {
    const parsed = parseAllDocuments(text, PARSE_OPTIONS);
    const docs = Array.isArray(parsed) ? parsed : [];
    if (!Array.isArray(parsed))
        fail('invalid YAML stream', { file, text });
    const out = [];
    for (const d of docs) {
        if (d.errors.length > 0)
            throw new DiagnosticError(yamlErrorDiagnostics(file, text, d.errors));
        const range = d.range;
        const source = { file, text, root: d.contents, span: { start: range[0], end: Math.max(range[0] + 1, range[1]) } };
        checkDepth(source);
        const value = toJs(d, source);
        if (value !== null && value !== undefined)
            out.push({ doc: source, value });
    }
    return out;
}
function childOf(node, seg) {
    if (isAlias(node))
        return undefined;
    if (isMap(node)) {
        for (const pair of node.items) {
            const k = isScalar(pair.key) ? pair.key.value : pair.key;
            if (String(k) === String(seg))
                return { key: pair.key, value: pair.value };
        }
        return undefined;
    }
    if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        return item === undefined ? undefined : { value: item };
    }
    return undefined;
}
function spanOf(node) {
    const range = node?.range;
    if (!range)
        return undefined;
    return { start: range[0], end: Math.max(range[1], range[0] + 1) };
}
/**
 * The span of the node at `path`; for `key`, the span of its key. When the path does not exist
 * (a missing key), the span of the deepest existing ancestor's key, or the node itself.
 */
export function locate(at) {
    let node = at.doc.root;
    let keyNode;
    for (let i = 0; i < at.path.length; i++) {
        const child = childOf(node, at.path[i]);
        if (child === undefined) {
            // Point at the key that holds the incomplete map, else at the map itself.
            return spanOf(keyNode) ?? spanOf(node) ?? at.doc.span;
        }
        node = child.value;
        keyNode = child.key;
    }
    if (at.key && keyNode)
        return spanOf(keyNode) ?? at.doc.span;
    return spanOf(node) ?? spanOf(keyNode) ?? at.doc.span;
}
/** Whether the node at `path` exists in the document (used to prefer a patch's own position). */
export function hasPath(doc, path) {
    let node = doc.root;
    for (const seg of path) {
        const child = childOf(node, seg);
        if (child === undefined)
            return false;
        node = child.value;
    }
    return true;
}
export function at(doc, path, key = false) {
    return { doc, path, key };
}
/** A locator one level deeper. */
export function sub(loc, ...segs) {
    return { doc: loc.doc, path: [...loc.path, ...segs] };
}
export function keyOf(loc, seg) {
    return { doc: loc.doc, path: [...loc.path, seg], key: true };
}
//# sourceMappingURL=source.js.map