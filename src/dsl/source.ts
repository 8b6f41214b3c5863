/**
 * Reading scenario files safely and keeping YAML node positions, so every later check can point at
 * the exact key or value it is about. All YAML node walking lives here.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, parseDocument } from 'yaml';
import type { Document, Node, ParsedNode } from 'yaml';
import { DiagnosticError } from './diagnostics.js';
import type { Diagnostic, Span } from './diagnostics.js';

export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;
/** Nodes all aliases of a document may expand to, together (an alias bomb expands to millions). */
export const MAX_ALIAS_NODES = 10_000;

/** One YAML document of a file, with its node tree for locating errors. */
export interface SourceDoc {
  file: string;
  text: string;
  root: ParsedNode | null;
  /** Span of the whole document (for errors about a document as a whole). */
  span: Span;
}

export type PathSegment = string | number;

/** A place in a source document: the node at `path` (its key when `key` is set). */
export interface Locator {
  doc: SourceDoc;
  path: PathSegment[];
  key?: boolean;
}

export function fail(message: string, at: Locator | { file: string; text?: string; span?: Span }, notes: string[] = []): never {
  throw new DiagnosticError([diagnosticAt(message, at, notes)]);
}

export function diagnosticAt(message: string, at: Locator | { file: string; text?: string; span?: Span }, notes: string[] = []): Diagnostic {
  if ('doc' in at) return { message, file: at.doc.file, text: at.doc.text, span: locate(at), notes };
  return { message, file: at.file, text: at.text, span: at.span, notes };
}

/** Offset of the first byte that does not continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      strict.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return Math.max(0, bytes.length - 1);
}

/** Reads a file as text, refusing huge, binary and non-UTF-8 files before any parsing. */
export async function readScenarioText(file: string): Promise<string> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) fail(`not a regular file (${st.isDirectory() ? 'a folder' : 'a device, pipe or socket'})`, { file }, ['expected a regular YAML file']);
    size = st.size;
  } catch (err) {
    if (err instanceof DiagnosticError) throw err;
    fail(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, ['expected a readable file']);
  }
  if (size > MAX_FILE_BYTES) {
    fail(`file is too large (${size} bytes)`, { file }, [`expected at most ${MAX_FILE_BYTES} bytes (1 MiB)`]);
  }
  const bytes = await readFile(file);
  if (bytes.length > MAX_FILE_BYTES) fail(`file is too large (${bytes.length} bytes)`, { file }, [`expected at most ${MAX_FILE_BYTES} bytes (1 MiB)`]);
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    // Frame the text before the NUL so the message names its line and column.
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, nul));
    fail(`file contains a NUL byte at offset ${nul}: binary data, not YAML`, { file, text: before + ' ', span: { start: before.length, end: before.length + 1 } }, ['expected a UTF-8 text file']);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    fail(`file is not valid UTF-8 (byte 0x${bytes[bad].toString(16).padStart(2, '0')} at offset ${bad})`, { file, text: before + ' ', span: { start: before.length, end: before.length + 1 } }, ['expected a UTF-8 text file']);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Other control characters (besides tab, newline, carriage return) mean binary garbage.
  const ctl = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (ctl) {
    fail(`file contains a control character (U+${ctl[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}): binary data, not YAML`, { file, text, span: { start: ctl.index, end: ctl.index + 1 } }, ['expected a UTF-8 text file']);
  }
  return text;
}

/**
 * What YAML expected, per error class of the `yaml` parser: every syntax error carries an
 * "expected" note, phrased for a person who writes YAML by hand.
 */
const YAML_EXPECTED: Record<string, string> = {
  ALIAS_PROPS: 'expected an alias (*name) without a tag or anchor of its own',
  BAD_ALIAS: 'expected an alias *name whose anchor &name is set earlier in the file',
  BAD_COLLECTION_TYPE: 'expected a map, list or scalar of the kind its tag names',
  BAD_DIRECTIVE: 'expected a %YAML or %TAG directive (or none)',
  BAD_DQ_ESCAPE: 'expected a valid escape in a "double-quoted" string (\\n, \\t, \\", \\\\, \\uXXXX), or use single quotes',
  BAD_INDENT: 'expected consistent indentation: items of one map or list start in the same column, with spaces',
  BAD_PROP_ORDER: 'expected the anchor (&name) and tag (!tag) before the value they belong to',
  BAD_SCALAR_START: 'expected a value that does not start with a reserved character (@ or `): quote it',
  BLOCK_AS_IMPLICIT_KEY: 'expected a simple key (a word or quoted string) before the colon',
  BLOCK_IN_FLOW: 'expected only flow values ({...}, [...], scalars) inside { } or [ ]',
  DUPLICATE_KEY: 'expected each key at most once in a map',
  IMPOSSIBLE: 'expected well-formed YAML',
  KEY_OVER_1024_CHARS: 'expected an implicit key of at most 1024 characters',
  MISSING_CHAR: 'expected the missing character (a closing quote or bracket, a comma, or a space after the colon)',
  MULTILINE_IMPLICIT_KEY: 'expected a key on a single line, followed by a colon',
  MULTIPLE_ANCHORS: 'expected at most one anchor (&name) per value',
  MULTIPLE_DOCS: 'expected one YAML document (no second ---)',
  MULTIPLE_TAGS: 'expected at most one tag (!tag) per value',
  NON_STRING_KEY: 'expected a string key',
  RESOURCE_EXHAUSTION: `expected at most ${MAX_DEPTH} levels of nesting`,
  TAB_AS_INDENT: 'expected spaces for indentation, not tabs',
  TAG_RESOLVE_FAILED: 'expected a value that matches its tag (e.g. !!int 3), or no tag',
  UNEXPECTED_TOKEN: 'expected a key: value pair, a "- " list item or a value here; quote text that contains : # [ ] { } or ,',
};

/** Notes for messages whose error class alone says too little (which bracket, which quote). */
function specificNote(message: string): string | undefined {
  const unclosed = /end with an? ([}\]])/.exec(message);
  if (unclosed) return `expected a closing ${unclosed[1]} for the flow ${unclosed[1] === '}' ? 'map {' : 'list ['} opened above`;
  const quote = /Missing closing (["'])quote/.exec(message);
  if (quote) return `expected a closing ${quote[1]} for the quoted string opened above`;
  if (/Missing , or : between/.test(message)) return 'expected a comma between items, or a colon between key and value';
  if (/Missing , between/.test(message)) return 'expected a comma between items';
  if (/space after :/.test(message)) return 'expected a space after the colon (key: value)';
  if (/Implicit map keys need to be followed by map values/.test(message)) return "expected 'key: value'";
  if (/Sequence item without - indicator/.test(message)) return "expected '- ' before each list item";
  return undefined;
}

function yamlErrorDiagnostics(file: string, text: string, errors: readonly { message: string; pos: [number, number]; code: string }[]): Diagnostic[] {
  return errors.slice(0, 5).map((e) => {
    // `yaml` messages carry their own context after the first line; keep the first line only.
    let message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    if (e.code === 'RESOURCE_EXHAUSTION' || /call stack/i.test(message)) message = 'YAML nesting is too deep';
    if (e.code === 'DUPLICATE_KEY') message = 'duplicate key';
    if (e.code === 'MULTIPLE_DOCS') message = 'a scenario file holds one YAML document; found a second one';
    // A flow collection that never closes is reported as an indentation problem: name the bracket.
    const note = specificNote(message) ?? (Object.hasOwn(YAML_EXPECTED, e.code)
        ? YAML_EXPECTED[e.code]
        : 'expected well-formed YAML');
    const start = Math.min(Math.max(0, e.pos[0]), text.length);
    return { message: `invalid YAML: ${message}`, file, text, span: { start, end: Math.max(e.pos[1], start + 1) }, notes: [note] };
  });
}

function checkDepth(doc: SourceDoc): void {
  if (doc.root === null) return;
  const stack: { node: unknown; depth: number }[] = [{ node: doc.root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      if (depth > MAX_DEPTH) {
        const range = (node as Node).range;
        fail('YAML nesting is too deep', { file: doc.file, text: doc.text, span: range ? { start: range[0], end: range[0] + 1 } : undefined }, [`expected at most ${MAX_DEPTH} levels of nesting`]);
      }
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
        } else stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
}

function spanAt(node: unknown): Span | undefined {
  const range = (node as Node | null)?.range;
  return range ? { start: range[0], end: Math.max(range[1], range[0] + 1) } : undefined;
}

/**
 * Resolves every alias the way YAML does (the last anchor of that name before it) and refuses,
 * located at the alias: an alias inside the node it names (a cycle), aliases that together expand
 * to more than MAX_ALIAS_NODES nodes (an alias bomb), and expansion deeper than MAX_DEPTH.
 * Anchors come before their aliases, so one pass in document order sees every target complete.
 */
function checkAliases(doc: SourceDoc): void {
  if (doc.root === null) return;
  const anchors = new Map<string, Node>();
  const measured = new Map<Node, { nodes: number; depth: number }>();
  const open = new Set<Node>();
  let expanded = 0;
  const where = (node: unknown) => ({ file: doc.file, text: doc.text, span: spanAt(node) ?? doc.span });
  const visit = (node: unknown, depth: number): { nodes: number; depth: number } => {
    if (node === null || node === undefined) return { nodes: 1, depth: 1 };
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) fail(`YAML alias '*${node.source}' has no anchor before it`, where(node), [YAML_EXPECTED.BAD_ALIAS]);
      if (open.has(target)) {
        fail(`YAML alias '*${node.source}' is inside the node it refers to (a cycle)`, where(node), ['expected an alias to a node that ends before the alias starts']);
      }
      const size = measured.get(target)!;
      expanded += size.nodes;
      if (expanded > MAX_ALIAS_NODES) {
        fail('too many YAML alias expansions (alias bomb?)', where(node), [`expected aliases to expand to at most ${MAX_ALIAS_NODES} nodes in total`]);
      }
      if (depth - 1 + size.depth > MAX_DEPTH) {
        fail(`YAML nesting is too deep once alias '*${node.source}' is expanded`, where(node), [`expected at most ${MAX_DEPTH} levels of nesting`]);
      }
      return size;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor !== undefined) anchors.set(anchor, node as Node);
    let size = { nodes: 1, depth: 1 };
    if (isMap(node) || isSeq(node)) {
      open.add(node);
      let nodes = 1;
      let deepest = 0;
      for (const item of node.items as unknown[]) {
        const parts = isPair(item) ? [item.key, item.value] : [item];
        for (const part of parts) {
          const s = visit(part, depth + 1);
          nodes += s.nodes;
          deepest = Math.max(deepest, s.depth);
        }
      }
      open.delete(node);
      size = { nodes, depth: deepest + 1 };
    }
    measured.set(node as Node, size);
    return size;
  };
  visit(doc.root, 1);
}

function toJs(doc: Document.Parsed, source: SourceDoc): unknown {
  checkAliases(source);
  try {
    // Aliases are bounded and acyclic (checkAliases); a deep copy gives every alias use its own
    // value, so no later step can change two places of the scenario through one shared object.
    return structuredClone(doc.toJS({ maxAliasCount: -1 }));
  } catch (err) {
    if (err instanceof RangeError) fail('YAML nesting is too deep', { file: source.file, text: source.text, span: source.span }, [`expected at most ${MAX_DEPTH} levels of nesting`]);
    fail(`invalid YAML: ${(err as Error).message}`, { file: source.file, text: source.text, span: source.span }, ['expected well-formed YAML']);
  }
}

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, merge: false, strict: true } as const;

/** Parses a single-document YAML file (a scenario). */
export function parseSingleDocument(file: string, text: string): { doc: SourceDoc; value: unknown } {
  const parsed = parseDocument(text, PARSE_OPTIONS);
  if (parsed.errors.length > 0) throw new DiagnosticError(yamlErrorDiagnostics(file, text, parsed.errors));
  const source: SourceDoc = { file, text, root: parsed.contents, span: { start: 0, end: Math.max(1, text.length) } };
  checkDepth(source);
  return { doc: source, value: toJs(parsed, source) };
}

/** Parses a multi-document YAML file (manifests); empty documents are skipped. */
export function parseDocumentStream(file: string, text: string): { doc: SourceDoc; value: unknown }[] {
  const parsed = parseAllDocuments(text, PARSE_OPTIONS);
  const docs = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(parsed)) fail('invalid YAML stream', { file, text });
  const out: { doc: SourceDoc; value: unknown }[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new DiagnosticError(yamlErrorDiagnostics(file, text, d.errors));
    const range = d.range;
    const source: SourceDoc = { file, text, root: d.contents, span: { start: range[0], end: Math.max(range[0] + 1, range[1]) } };
    checkDepth(source);
    const value = toJs(d, source);
    if (value !== null && value !== undefined) out.push({ doc: source, value });
  }
  return out;
}

function childOf(node: unknown, seg: PathSegment): { key?: Node; value: unknown } | undefined {
  if (isAlias(node)) return undefined;
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(k) === String(seg)) return { key: pair.key as Node, value: pair.value };
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function spanOf(node: unknown): Span | undefined {
  const range = (node as Node | null)?.range;
  if (!range) return undefined;
  return { start: range[0], end: Math.max(range[1], range[0] + 1) };
}

/**
 * The span of the node at `path`; for `key`, the span of its key. When the path does not exist
 * (a missing key), the span of the deepest existing ancestor's key, or the node itself.
 */
export function locate(at: Locator): Span {
  let node: unknown = at.doc.root;
  let keyNode: Node | undefined;
  for (let i = 0; i < at.path.length; i++) {
    const child = childOf(node, at.path[i]);
    if (child === undefined) {
      // Point at the key that holds the incomplete map, else at the map itself.
      return spanOf(keyNode) ?? spanOf(node) ?? at.doc.span;
    }
    node = child.value;
    keyNode = child.key;
  }
  if (at.key && keyNode) return spanOf(keyNode) ?? at.doc.span;
  return spanOf(node) ?? spanOf(keyNode) ?? at.doc.span;
}

/** Whether the node at `path` exists in the document (used to prefer a patch's own position). */
export function hasPath(doc: SourceDoc, path: PathSegment[]): boolean {
  let node: unknown = doc.root;
  for (const seg of path) {
    const child = childOf(node, seg);
    if (child === undefined) return false;
    node = child.value;
  }
  return true;
}

export function at(doc: SourceDoc, path: PathSegment[], key = false): Locator {
  return { doc, path, key };
}

/** A locator one level deeper. */
export function sub(loc: Locator, ...segs: PathSegment[]): Locator {
  return { doc: loc.doc, path: [...loc.path, ...segs] };
}

export function keyOf(loc: Locator, seg: PathSegment): Locator {
  return { doc: loc.doc, path: [...loc.path, seg], key: true };
}
