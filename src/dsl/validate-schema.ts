/**
 * Schema validation with ajv (draft-07, standalone code generated at build time) and translation of ajv's errors into located,
 * readable diagnostics. Resources are dispatched by `kind` and steps by their action key, and each is
 * checked against its own definition, so an error comes from the branch the author meant.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as generated from './generated/scenario-validators.js';
import { DiagnosticError, didYouMean } from './diagnostics.js';
import type { Diagnostic } from './diagnostics.js';
import { RESOURCE_KINDS, STEP_KINDS } from './schema.js';
import type { ResourceKind, StepKind } from './schema.js';
import { diagnosticAt, fail, keyOf } from './source.js';
import type { Locator, PathSegment } from './source.js';
import { parseCidr } from '../model/ip.js';
import { IPVS_REFUSED } from '../model/proxy-mode.js';

/** Values (and keys) svclab knows and refuses on purpose: the diagnostic says why, not only what. */
function refusedNote(value: unknown): string[] {
  return value === 'ipvs' ? [IPVS_REFUSED] : [];
}

interface Validators {
  top: ValidateFunction;
  defs: Map<string, ValidateFunction>;
}

let cached: Validators | undefined;

/**
 * The validators ajv generated from the schema at build time (src/dsl/generated, kept in step by a
 * test): compiling the schema at every start took about half of `svclab validate`'s start-up.
 */
function validators(): Validators {
  if (cached) return cached;
  const all = generated as unknown as Record<string, ValidateFunction>;
  const defs = new Map<string, ValidateFunction>();
  const names = ['file', ...Object.values(RESOURCE_KINDS).map((k) => k.definition), ...Object.values(STEP_KINDS)];
  for (const n of names) defs.set(n, all[n]);
  cached = { top: all.top, defs };
  return cached;
}

function pathOf(instancePath: string): PathSegment[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function fieldName(path: PathSegment[], fallback: string): string {
  for (let i = path.length - 1; i >= 0; i--) {
    if (typeof path[i] === 'string') {
      const idx = path.slice(i + 1).map((p) => `[${p}]`).join('');
      return `${path[i]}${idx}`;
    }
  }
  return fallback;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'a map',
  array: 'a list',
  null: 'null',
};

/** A value as a message shows it: long values (a whole map pasted where a word belongs) cut short. */
function show(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

type SchemaObj = Record<string, unknown>;

/** Keeps, for each anyOf/oneOf, only the errors of the branch the data was meant for. */
function pruneBranches(errors: ErrorObject[]): ErrorObject[] {
  let list = errors.slice();
  const unions = list
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const u of unions) {
    if (!list.includes(u)) continue;
    const prefix = u.schemaPath + '/';
    const inside = list.filter((e) => e.schemaPath.startsWith(prefix));
    const byBranch = new Map<number, ErrorObject[]>();
    for (const e of inside) {
      const idx = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
      byBranch.set(idx, [...(byBranch.get(idx) ?? []), e]);
    }
    const sameLevel = (e: ErrorObject) => e.instancePath === u.instancePath && !e.schemaPath.slice(prefix.length).split('/').slice(1).some((s) => s === 'anyOf' || s === 'oneOf' || s === 'items' || s === 'properties');
    const matching = [...byBranch.entries()].filter(([, errs]) => !errs.some((e) => sameLevel(e) && (e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'enum')));
    let keep: ErrorObject[] = [];
    if (matching.length > 0) {
      matching.sort((a, b) => a[1].length - b[1].length);
      keep = matching[0][1];
    } else {
      // No branch has the right shape: a value-level error (enum/const) of a branch whose type
      // matched is the most useful, else the union's own error.
      const valueErr = inside.find((e) => sameLevel(e) && (e.keyword === 'enum' || e.keyword === 'const') && typeof e.data === typeof (e.keyword === 'const' ? (e.params as { allowedValue: unknown }).allowedValue : ((e.params as { allowedValues: unknown[] }).allowedValues[0])));
      keep = valueErr ? [valueErr] : [u];
    }
    list = list.filter((e) => !(e.schemaPath.startsWith(prefix) || e === u) || keep.includes(e));
  }
  return list;
}

function translate(e: ErrorObject, base: Locator): Diagnostic | undefined {
  const rel = pathOf(e.instancePath);
  const path = [...base.path, ...rel];
  const loc: Locator = { doc: base.doc, path };
  const parent = (e.parentSchema ?? {}) as SchemaObj;
  const field = fieldName(path, 'scenario');
  const desc = typeof parent.description === 'string' ? parent.description : undefined;
  const where = typeof parent.title === 'string' ? parent.title : `'${field}'`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((parent.properties ?? {}) as SchemaObj);
      return diagnosticAt(`unknown key '${key}' in ${where}`, keyOf(loc, key), [
        allowed.length > 0 ? `expected one of: ${allowed.join(', ')}` : `expected no keys here`,
        ...refusedNote(key),
        ...didYouMean(key, allowed),
      ]);
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const propSchema = ((parent.properties ?? {}) as Record<string, SchemaObj>)[missing];
      const what = propSchema && typeof propSchema.description === 'string' ? `: ${propSchema.description}` : '';
      return diagnosticAt(`missing key '${missing}' in ${where}`, { doc: base.doc, path, key: true }, [`expected '${missing}'${what}`]);
    }
    case 'type': {
      const t = (e.params as { type: string | string[] }).type;
      const want = (Array.isArray(t) ? t : [t]).map((x) => TYPE_WORDS[x] ?? x).join(' or ');
      const quote = t === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean') ? [`quote it to make it a string: "${String(e.data)}"`] : [];
      return diagnosticAt(`expected ${want} for '${field}', found ${typeName(e.data)}`, loc, [desc ? `expected ${desc}` : `expected ${want} here`, ...quote]);
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(show);
      return diagnosticAt(`invalid value '${show(e.data)}' for '${field}'`, loc, [
        `expected one of: ${allowed.join(', ')}`,
        ...refusedNote(e.data),
        ...(typeof e.data === 'string' ? didYouMean(e.data, allowed) : []),
      ]);
    }
    case 'const': {
      const allowed = show((e.params as { allowedValue: unknown }).allowedValue);
      return diagnosticAt(`invalid value '${show(e.data)}' for '${field}'`, loc, [`expected '${allowed}'`]);
    }
    case 'pattern':
    case 'format': {
      const format = (e.params as { format?: string }).format;
      const fallback = e.keyword === 'format' ? (format === 'ip' ? 'an IP address' : format === 'cidr' ? 'a CIDR such as 10.0.0.0/16' : `a ${format}`) : `a value matching ${(e.params as { pattern: string }).pattern}`;
      return diagnosticAt(`invalid ${field} '${show(e.data)}'`, loc, [`expected ${desc ?? fallback}`]);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      const words: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than' };
      return diagnosticAt(`${field} ${show(e.data)} is out of range`, loc, [`expected ${words[comparison] ?? comparison} ${limit}`]);
    }
    case 'minItems':
    case 'maxItems': {
      const limit = (e.params as { limit: number }).limit;
      const word = e.keyword === 'minItems' ? 'at least' : 'at most';
      return diagnosticAt(`'${field}' has ${(e.data as unknown[]).length} item(s)`, loc, [`expected ${word} ${limit} item(s)${desc ? `: ${desc}` : ''}`]);
    }
    case 'minLength':
      return diagnosticAt(`'${field}' must not be empty`, loc, [`expected ${desc ?? 'a non-empty value'}`]);
    case 'maxLength': {
      const limit = (e.params as { limit: number }).limit;
      return diagnosticAt(`'${field}' is too long`, loc, [`expected at most ${limit} characters`]);
    }
    case 'minProperties':
      return diagnosticAt(`'${field}' must not be empty`, loc, [`expected ${desc ?? 'at least one key'}`]);
    case 'propertyNames': {
      const name = (e.params as { propertyName: string }).propertyName;
      const pn = (parent.propertyNames ?? {}) as SchemaObj;
      const keyLoc = keyOf(loc, name);
      if (Array.isArray(pn.enum)) {
        const allowed = pn.enum.map(show);
        return diagnosticAt(`unknown key '${name}' in '${field}'`, keyLoc, [`expected one of: ${allowed.join(', ')}`, ...didYouMean(name, allowed)]);
      }
      return diagnosticAt(`invalid key '${name}' in '${field}'`, keyLoc, [`expected a Kubernetes label key (e.g. app or example.com/tier)`]);
    }
    case 'anyOf':
    case 'oneOf':
      return diagnosticAt(`invalid value for '${field}'`, loc, [`expected ${desc ?? 'a different shape'}`]);
    default:
      return diagnosticAt(`'${field}' ${e.message ?? 'is invalid'}`, loc, [`expected a value that ${e.message ?? 'fits the schema'}`]);
  }
}

/** Turns ajv errors into sorted, de-duplicated diagnostics (at most 10). */
function diagnose(errors: ErrorObject[], base: Locator, skip: (e: ErrorObject) => boolean = () => false): Diagnostic[] {
  // Errors about a key name found by propertyNames come twice (inner + outer); keep the outer.
  // (Dropped before choosing an anyOf branch: the inner one would rule out the branch it is about.)
  const relevant = pruneBranches(errors.filter((e) => !skip(e) && (e as { propertyName?: string }).propertyName === undefined));
  const seen = new Set<string>();
  const out: { d: Diagnostic; start: number }[] = [];
  for (const e of relevant) {
    const d = translate(e, base);
    if (!d) continue;
    const id = `${d.span?.start}:${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ d, start: d.span?.start ?? 0 });
  }
  out.sort((a, b) => a.start - b.start);
  const shown = out.slice(0, 10).map((x) => x.d);
  if (out.length > 10) shown[shown.length - 1].notes.push(`(${out.length - 10} more error(s) not shown)`);
  return shown;
}

function run(validate: ValidateFunction, value: unknown, base: Locator, skip?: (e: ErrorObject) => boolean): void {
  if (validate(value)) return;
  const errors = validate.errors ?? [];
  const diags = diagnose(errors, base, skip);
  if (diags.length > 0) throw new DiagnosticError(diags);
  // The schema refused the value: never let that pass silently, even when no error was kept.
  const first = errors.find((e) => !skip?.(e));
  if (first !== undefined) throw new DiagnosticError([diagnosticAt(`'${fieldName([...base.path, ...pathOf(first.instancePath)], 'scenario')}' is invalid`, { doc: base.doc, path: [...base.path, ...pathOf(first.instancePath)] }, [`expected ${first.message ?? 'a different value'}`])]);
}

/** Validates the top level; resources and steps items are checked one by one afterwards. */
export function validateTop(value: unknown, base: Locator): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail('a scenario must be a YAML map', base, ['expected keys such as name, cluster, resources, steps']);
  }
  run(validators().top, value, base, (e) => /^\/(resources|steps)\/\d+/.test(e.instancePath));
}

const KIND_LIST = Object.entries(RESOURCE_KINDS).map(([k, v]) => `${k} (${v.apiVersion})`);

export type CheckedResource = { kind: 'file'; file: string } | { kind: ResourceKind; manifest: Record<string, unknown> };

/** Checks one resource (manifest or file reference) against the definition of its kind. */
export function validateResource(value: unknown, loc: Locator): CheckedResource {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`expected a manifest or { file: path }, found ${typeName(value)}`, loc, [`expected one of: ${KIND_LIST.join(', ')}`]);
  }
  const v = value as Record<string, unknown>;
  if (Object.hasOwn(v, 'file')) {
    run(validators().defs.get('file')!, v, loc);
    return { kind: 'file', file: v.file as string };
  }
  if (!Object.hasOwn(v, 'kind')) fail(`missing key 'kind' in resource`, loc, [`expected one of: ${KIND_LIST.join(', ')}`]);
  const kind = v.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(RESOURCE_KINDS, kind)) {
    fail(`unsupported kind '${show(kind)}'`, { doc: loc.doc, path: [...loc.path, 'kind'] }, [
      `expected one of: ${KIND_LIST.join(', ')}`,
      ...(typeof kind === 'string' ? didYouMean(kind, Object.keys(RESOURCE_KINDS)) : []),
    ]);
  }
  const spec = RESOURCE_KINDS[kind as ResourceKind];
  if (v.apiVersion !== undefined && v.apiVersion !== spec.apiVersion) {
    fail(`unsupported apiVersion '${show(v.apiVersion)}' for kind ${kind}`, { doc: loc.doc, path: [...loc.path, 'apiVersion'] }, [`expected '${spec.apiVersion}'`]);
  }
  run(validators().defs.get(spec.definition)!, v, loc);
  return { kind: kind as ResourceKind, manifest: v };
}

/** Checks a manifest produced by a patch; errors point at the patch when it wrote the bad part. */
export function validateManifestShape(kind: ResourceKind, value: unknown, locFor: (path: PathSegment[]) => Locator): void {
  const validate = validators().defs.get(RESOURCE_KINDS[kind].definition)!;
  if (validate(value)) return;
  const errors = validate.errors ?? [];
  const first = pruneBranches(errors)[0] ?? errors[0];
  const rel = pathOf(first.instancePath);
  const target = locFor(rel);
  const d = diagnose([first], { doc: target.doc, path: target.path.slice(0, target.path.length - rel.length) });
  throw new DiagnosticError(d.length > 0 ? d : [diagnosticAt('invalid manifest after patch', target)]);
}

/** Which action a step performs; exactly one action key is allowed. */
export function validateStep(value: unknown, loc: Locator): StepKind {
  const actions = Object.keys(STEP_KINDS);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(`expected a step (a map), found ${typeName(value)}`, loc, [`expected one of: ${actions.join(', ')}`]);
  }
  const keys = Object.keys(value as object);
  const present = keys.filter((k) => Object.hasOwn(STEP_KINDS, k)) as StepKind[];
  if (present.length === 0) {
    const common = new Set(['name', 'namespace', 'expect', 'replicas', 'with', 'condition']);
    const odd = keys.find((k) => !common.has(k));
    if (odd !== undefined) {
      fail(`unknown step key '${odd}'`, keyOf(loc, odd), [`expected one of: ${actions.join(', ')}`, ...didYouMean(odd, actions)]);
    }
    fail('step has no action', loc, [`expected one of: ${actions.join(', ')}`]);
  }
  if (present.length > 1) {
    fail(`a step does one thing; found both '${present[0]}' and '${present[1]}'`, keyOf(loc, present[1]), ['expected one action per step: split it into two steps']);
  }
  const kind = present[0];
  run(validators().defs.get(STEP_KINDS[kind])!, value, loc, (e) => kind === 'apply' && (e.instancePath === '/apply' || e.instancePath.startsWith('/apply/')));
  return kind;
}
