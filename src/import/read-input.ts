/**
 * Reading `kubectl get ... -o yaml` / `-o json` output: a `v1` List (or one object, or several
 * YAML documents), from files or stdin. Objects come back with where they are, so later checks can
 * name file:line:col. JSON takes JSON.parse (fast); positions are computed only when an error
 * needs one, by parsing the text again as YAML (JSON is YAML).
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isSeq, parseAllDocuments, parseDocument, type Document, type Node } from 'yaml';
import { ExitCode, SvclabError } from '../errors.js';

/** Input that is not kubectl output: file:line:col, what was expected. Exit 3. */
export class ImportInputError extends SvclabError {
  constructor(message: string) {
    super(message, ExitCode.invalidScenario);
  }
}

export type Path = (string | number)[];

/** One input text and a way to turn a path in it into file:line:col. */
export class InputSource {
  private docs: Document[] | undefined;
  private lines: LineCounter | undefined;

  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  /** `file:line:col` of the node at `path` in document `doc` (the document itself when not found). */
  where(doc: number, path: Path): string {
    if (!this.docs) {
      this.lines = new LineCounter();
      this.docs = parseAllDocuments(this.text, { lineCounter: this.lines, uniqueKeys: false }) as Document[];
    }
    const d = this.docs[doc];
    let node = d?.contents as Node | null | undefined;
    for (const seg of path) {
      const next = isMap(node) || isSeq(node) ? (node.get(seg as never, true) as Node | undefined) : undefined;
      if (!next) break;
      node = next;
    }
    const offset = node?.range?.[0] ?? d?.range?.[0] ?? 0;
    const pos = this.lines!.linePos(offset);
    return `${this.name}:${pos.line}:${pos.col}`;
  }
}

/** A top-level object of the input and where it is. */
export interface InputObject {
  source: InputSource;
  doc: number;
  path: Path;
  value: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function readInputText(file: string, stdin: () => Promise<string>): Promise<InputSource> {
  if (file === '-') return new InputSource('<stdin>', await stdin());
  try {
    return new InputSource(file, await readFile(file, 'utf8'));
  } catch (err) {
    throw new ImportInputError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Every object of one input: the items of Lists, single objects, several YAML documents. */
export function objectsOf(source: InputSource): InputObject[] {
  const text = source.text;
  const first = text.trimStart()[0];
  let docs: unknown[];
  if (first === '{' || first === '[') {
    try {
      docs = [JSON.parse(text)];
    } catch (err) {
      throw new ImportInputError(`${jsonProblem(source, (err as Error).message)}\n  expected the output of 'kubectl get nodes,pods,services,endpointslices -A -o json'`);
    }
  } else {
    const lines = new LineCounter();
    const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false });
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const d of list) {
      if (d.errors.length) {
        const e = d.errors[0]!;
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        throw new ImportInputError(`${source.name}:${pos.line}:${pos.col}: not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}\n  expected the output of 'kubectl get nodes,pods,services,endpointslices -A -o yaml'`);
      }
    }
    docs = list.map((d) => d.toJS({ maxAliasCount: 100 }));
  }
  const out: InputObject[] = [];
  docs.forEach((doc, d) => {
    if (doc === null || doc === undefined) return;
    if (Array.isArray(doc)) {
      doc.forEach((item, i) => out.push(checkObject(source, d, [i], item)));
      return;
    }
    if (!isObject(doc)) throw new ImportInputError(`${source.where(d, [])}: expected a Kubernetes object or a List, found ${typeof doc}`);
    if (doc.kind === 'List' || (typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items))) {
      if (!Array.isArray(doc.items)) throw new ImportInputError(`${source.where(d, ['items'])}: expected 'items' to be a list of objects`);
      doc.items.forEach((item, i) => out.push(checkObject(source, d, ['items', i], item)));
      return;
    }
    out.push(checkObject(source, d, [], doc));
  });
  return out;
}

function checkObject(source: InputSource, doc: number, path: Path, value: unknown): InputObject {
  if (!isObject(value)) throw new ImportInputError(`${source.where(doc, path)}: expected a Kubernetes object (a map with apiVersion, kind and metadata)`);
  for (const key of ['apiVersion', 'kind'] as const) {
    if (typeof value[key] !== 'string') throw new ImportInputError(`${source.where(doc, value[key] === undefined ? path : [...path, key])}: expected '${key}' (a string) in every object`);
  }
  const meta = value.metadata;
  if (!isObject(meta) || typeof meta.name !== 'string') {
    throw new ImportInputError(`${source.where(doc, isObject(meta) ? [...path, 'metadata'] : path)}: expected 'metadata.name' in ${String(value.kind)}`);
  }
  return { source, doc, path, value };
}

/**
 * Where JSON.parse failed. V8 gives an offset only for some errors, so the YAML parser (JSON is
 * YAML) is asked first for the line and column of the first problem.
 */
function jsonProblem(source: InputSource, message: string): string {
  const lines = new LineCounter();
  const docs = parseAllDocuments(source.text, { lineCounter: lines, uniqueKeys: false });
  const first = (Array.isArray(docs) ? docs : [docs]).flatMap((d) => d.errors)[0];
  if (first) {
    const pos = first.linePos?.[0] ?? lines.linePos(first.pos[0]);
    return `${source.name}:${pos.line}:${pos.col}: not valid JSON: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
  }
  const m = /position (\d+)/.exec(message);
  const offset = m ? Number(m[1]) : source.text.length;
  const before = source.text.slice(0, offset).split('\n');
  const short = message.replace(/, ".*$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  return `${source.name}:${before.length}:${before[before.length - 1]!.length + 1}: not valid JSON: ${short}`;
}

/** A value problem in an object, located. */
export function problem(obj: InputObject, sub: Path, message: string): ImportInputError {
  return new ImportInputError(`${obj.source.where(obj.doc, [...obj.path, ...sub])}: ${message}`);
}

/** Parses kube-proxy's config.conf (YAML inside a ConfigMap); positions are in the ConfigMap. */
export function parseEmbeddedYaml(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) throw new Error(doc.errors[0]!.message.split('\n')[0]);
  return doc.toJS();
}
