/**
 * Steps -> SendStep / ChangeStep. Traffic targets and expectations are resolved against the state
 * the step runs against; change steps mutate the World and carry the state after them.
 */
import { didYouMean, lineCol } from './diagnostics.js';
import type { Span } from './diagnostics.js';
import { fail, keyOf, locate, sub } from './source.js';
import type { Locator } from './source.js';
import { DEFAULT_TIMEOUT_MS, checkTimeout, parseDuration, parseProtocol, parseShorthand, parseSourceText } from './shorthand.js';
import type { SourceRef } from './shorthand.js';
import { SyntaxProblem, parseTarget, parseTerm } from './target.js';
import { loadResourceItem, loadResourceItems } from './resources.js';
import type { LoadedManifest } from './resources.js';
import { validateManifestShape } from './validate-schema.js';
import { entryKey } from './world.js';
import type { World } from './world.js';
import type { ResourceKind } from './schema.js';
import type {
  RawApplyStep,
  RawDeleteStep,
  RawEndpointStep,
  RawExpect,
  RawPatchStep,
  RawResponders,
  RawScaleStep,
  RawDivergence,
  RawModes,
  RawSendStep,
} from './raw.js';
import { mergePatch } from '../model/merge-patch.js';
import { ipFamily } from '../model/ip.js';
import { HOST_FUNCTIONS, PORT_FUNCTIONS, ResolveError, primaryAddress, resolveHost, resolvePort, variableNames } from '../model/variables.js';
import type { Term } from '../model/variables.js';
import type { Change, Divergence, Expectation, ModeExpectation, Outcome, Responder, ResourceRef, Traffic, TrafficSource } from '../model/scenario.js';
import type { ClusterState, Manifest, Protocol, SourceLocation } from '../model/types.js';

export function sourceLocation(loc: Locator): SourceLocation {
  const span = locate(loc);
  const { line, col } = lineCol(loc.doc.text, span.start);
  return { file: loc.doc.file, line, col };
}

/** The span of characters [offset, offset+length) inside the string scalar at `loc`. */
function spanInString(loc: Locator, offset: number, length: number): Span {
  const base = locate(loc);
  const first = loc.doc.text[base.start];
  const quote = first === '"' || first === "'" ? 1 : 0;
  const start = Math.min(base.start + quote + offset, base.end);
  return { start, end: Math.max(start + 1, Math.min(start + length, base.end)) };
}

function failInString(loc: Locator, offset: number, length: number, message: string, notes: string[]): never {
  fail(message, { file: loc.doc.file, text: loc.doc.text, span: spanInString(loc, offset, length) }, notes);
}

// ------------------------------------------------------------------ refs

const KIND_ALIASES: Record<string, ResourceKind> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  pod: 'Pod',
  pods: 'Pod',
  po: 'Pod',
  service: 'Service',
  services: 'Service',
  svc: 'Service',
  endpoints: 'Endpoints',
  ep: 'Endpoints',
  endpointslice: 'EndpointSlice',
  endpointslices: 'EndpointSlice',
};

function parseRef(text: string, loc: Locator, namespace: string, allowed?: ResourceKind[]): ResourceRef {
  const [kindText, name] = text.split('/');
  const kind = Object.hasOwn(KIND_ALIASES, kindText.toLowerCase()) ? KIND_ALIASES[kindText.toLowerCase()] : undefined;
  if (kind === undefined) {
    failInString(loc, 0, kindText.length, `unknown resource kind '${kindText}'`, [
      'expected one of: deployment, pod, service, endpoints, endpointslice',
      ...didYouMean(kindText.toLowerCase(), Object.keys(KIND_ALIASES)),
    ]);
  }
  if (allowed !== undefined && !allowed.includes(kind)) {
    failInString(loc, 0, kindText.length, `cannot use '${kindText}' here`, [`expected ${allowed.map((k) => k.toLowerCase()).join(' or ')}/NAME`]);
  }
  return { kind, name, namespace };
}

function requireExisting(world: World, ref: ResourceRef, loc: Locator): void {
  const exists = ref.kind === 'Pod' ? world.hasPod(ref.namespace, ref.name) : world.find(ref.kind as ResourceKind, ref.namespace, ref.name) !== undefined;
  if (exists) return;
  const names = world.namesOf(ref.kind as ResourceKind, ref.namespace);
  const kindWord = ref.kind.toLowerCase();
  failInString(loc, kindWord.length + 1, ref.name.length, `no ${ref.kind} '${ref.name}' at this step`, [
    names.length > 0 ? `expected one of: ${names.join(', ')}` : `expected the name of a ${ref.kind} in the scenario`,
    ...didYouMean(ref.name, names),
  ]);
}

// ------------------------------------------------------------------ send

/** `keywords` are words accepted in this place besides terms (sourceSeen's client, ingress-node). */
function resolveTermAt(kind: 'host' | 'port', term: Term, state: ClusterState, namespace: string, loc: Locator, baseOffset: number, keywords: string[] = []): string | number {
  try {
    return kind === 'host' ? resolveHost(term, state, namespace) : resolvePort(term, state, namespace);
  } catch (err) {
    if (!(err instanceof ResolveError)) throw err;
    const notes = keywords.length > 0 ? [`expected the keyword ${keywords.join(' or ')}, or an address, variable or expression`, ...err.notes] : [...err.notes];
    if (term.kind === 'var' && err.message.startsWith('undefined variable')) notes.push(...didYouMean(term.name, [...keywords, ...variableNames(state)]));
    if (term.kind === 'call' && err.message.startsWith('unknown function')) notes.push(...didYouMean(term.fn, [...HOST_FUNCTIONS, ...PORT_FUNCTIONS]));
    const length = term.kind === 'address' ? term.text.length : term.text.length;
    failInString(loc, baseOffset + term.offset, length, err.message, notes);
  }
}

function resolveSource(ref: SourceRef, state: ClusterState, namespace: string, loc: Locator, baseOffset: number): TrafficSource {
  function at(msg: string, notes: string[]): never {
    failInString(loc, baseOffset + ref.offset, ref.name.length, msg, notes);
  }
  if (ref.kind === 'client') {
    const c = state.cluster.clients.find((x) => x.name === ref.name);
    if (c === undefined) {
      const names = state.cluster.clients.map((x) => x.name);
      const nodeNote = state.cluster.nodes.some((n) => n.name === ref.name) ? [`'${ref.name}' is a node: write 'node ${ref.name}'`] : [];
      at(`unknown client '${ref.name}'`, [
        names.length > 0 ? `expected a client (${names.join(', ')}), node NAME or pod NAME` : 'expected node NAME or pod NAME (this scenario declares no clients)',
        ...nodeNote,
        ...didYouMean(ref.name, names),
      ]);
    }
    return { kind: 'client', name: c.name, address: c.address };
  }
  if (ref.kind === 'node') {
    const n = state.cluster.nodes.find((x) => x.name === ref.name);
    if (n === undefined) {
      const names = state.cluster.nodes.map((x) => x.name);
      at(`unknown node '${ref.name}'`, [`expected one of: ${names.join(', ')}`, ...didYouMean(ref.name, names)]);
    }
    return { kind: 'node', name: n.name, address: primaryAddress(n) };
  }
  const p = state.pods.find((x) => x.namespace === namespace && x.name === ref.name);
  if (p === undefined) {
    const names = state.pods.filter((x) => x.namespace === namespace).map((x) => x.name);
    at(`no pod '${ref.name}' at this step`, [names.length > 0 ? `expected one of: ${names.join(', ')}` : 'expected a pod name', ...didYouMean(ref.name, names)]);
  }
  return { kind: 'pod', name: p.name, address: p.ip, node: p.node };
}

function wrapSyntax<T>(loc: Locator, baseOffset: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SyntaxProblem) failInString(loc, baseOffset + err.offset, err.length, err.message, err.notes);
    throw err;
  }
}

function compileTraffic(raw: RawSendStep, loc: Locator, state: ClusterState, namespace: string): { traffic: Traffic; title: string } {
  const sendLoc = sub(loc, 'send');
  let count: number;
  let targetText: string;
  let targetLoc: Locator;
  let targetOffset: number;
  let fromRef: SourceRef;
  let fromLoc: Locator;
  let protocol: Protocol;
  let timeoutMs: number;
  let title: string;
  if (typeof raw.send === 'string') {
    const text = raw.send;
    const parsed = wrapSyntax(sendLoc, 0, () => parseShorthand(text));
    ({ count, protocol, timeoutMs } = parsed);
    targetText = parsed.target;
    targetLoc = sendLoc;
    targetOffset = parsed.targetOffset;
    fromRef = parsed.from;
    fromLoc = sendLoc;
    title = text.trim().replace(/\s+/g, ' ');
  } else {
    const s = raw.send;
    count = s.count;
    targetText = s.to;
    targetLoc = sub(sendLoc, 'to');
    targetOffset = 0;
    fromLoc = sub(sendLoc, 'from');
    if (typeof s.from === 'string') {
      const text = s.from;
      fromRef = wrapSyntax(fromLoc, 0, () => parseSourceText(text));
    } else {
      const keys = Object.keys(s.from) as ('client' | 'node' | 'pod')[];
      if (keys.length !== 1) fail('traffic source needs exactly one of client, node, pod', fromLoc, ['expected { client: NAME } or { node: NAME } or { pod: NAME }']);
      fromLoc = sub(fromLoc, keys[0]);
      fromRef = { kind: keys[0], name: s.from[keys[0]]!, offset: 0 };
    }
    protocol = s.protocol !== undefined ? parseProtocol(s.protocol)! : 'TCP';
    if (s.timeout !== undefined) {
      const ms = parseDuration(s.timeout)!;
      timeoutMs = wrapSyntax(sub(sendLoc, 'timeout'), 0, () => checkTimeout(ms, 0, s.timeout!.length));
    } else timeoutMs = DEFAULT_TIMEOUT_MS;
    const fromText = fromRef.kind === 'client' ? fromRef.name : `${fromRef.kind} ${fromRef.name}`;
    title = `${count} requests to ${targetText} from ${fromText}${protocol !== 'TCP' ? ` over ${protocol.toLowerCase()}` : ''}`;
  }
  const { host, port } = wrapSyntax(targetLoc, targetOffset, () => parseTarget(targetText));
  const address = resolveTermAt('host', host, state, namespace, targetLoc, targetOffset) as string;
  if (ipFamily(address) === 6) {
    failInString(targetLoc, targetOffset + host.offset, host.text.length, `target ${address} is an IPv6 address`, ['expected an IPv4 target: svclab does not model IPv6 yet']);
  }
  const portNo = resolveTermAt('port', port, state, namespace, targetLoc, targetOffset) as number;
  const from = resolveSource(fromRef, state, namespace, fromLoc, 0);
  return { traffic: { count, from, to: { address, port: portNo }, targetText, protocol, timeoutMs }, title };
}

// ------------------------------------------------------------------ expect

type ResponderKind = 'pod' | 'node' | 'host';

function knownResponders(kind: ResponderKind, state: ClusterState, namespace: string): string[] {
  if (kind === 'pod') return state.pods.filter((p) => p.namespace === namespace).map((p) => p.name);
  if (kind === 'node') return state.cluster.nodes.map((n) => n.name);
  return state.cluster.clients.filter((c) => (c.serves ?? []).length > 0).map((c) => c.name);
}

function responderList(names: string[], kind: ResponderKind, loc: Locator, state: ClusterState, namespace: string): Responder[] {
  const known = knownResponders(kind, state, namespace);
  return names.map((n, i) => {
    if (!known.includes(n)) {
      const what = kind === 'host' ? 'serving host (a client with serves:)' : kind;
      fail(`no ${what} '${n}' at this step`, sub(loc, i), [known.length > 0 ? `expected one of: ${known.join(', ')}` : `expected a ${what} name`, ...didYouMean(n, known)]);
    }
    return kind === 'pod' ? { pod: n } : kind === 'node' ? { node: n } : { host: n };
  });
}

function compileResponders(raw: RawResponders, kind: ResponderKind, loc: Locator, state: ClusterState, namespace: string): Expectation {
  const where = sourceLocation(loc);
  const of = `${kind}s` as const;
  if (Array.isArray(raw)) return { kind: 'responders', of, may: responderList(raw, kind, loc, state, namespace), loc: where };
  if (raw.on !== undefined) {
    if (raw.may !== undefined) fail("use either 'on' or 'may', not both", keyOf(loc, 'may'), ['expected { on: NODE } alone, or { may: [...] }']);
    const nodes = state.cluster.nodes.map((n) => n.name);
    if (!nodes.includes(raw.on)) fail(`unknown node '${raw.on}'`, sub(loc, 'on'), [`expected one of: ${nodes.join(', ')}`, ...didYouMean(raw.on, nodes)]);
  }
  if (raw.must === undefined && raw.mustNot === undefined && raw.may === undefined && raw.on === undefined) {
    fail(`empty ${kind}s expectation`, loc, ['expected a list, or at least one of must, mustNot, may' + (kind === 'pod' ? ', on' : '')]);
  }
  const out: Expectation = { kind: 'responders', of, loc: where };
  if (raw.must !== undefined) out.must = responderList(raw.must, kind, sub(loc, 'must'), state, namespace);
  if (raw.mustNot !== undefined) out.mustNot = responderList(raw.mustNot, kind, sub(loc, 'mustNot'), state, namespace);
  if (raw.may !== undefined) out.may = responderList(raw.may, kind, sub(loc, 'may'), state, namespace);
  if (raw.on !== undefined) out.may = [{ node: raw.on }];
  return out;
}

function compileExpect(raw: RawExpect, loc: Locator, traffic: Traffic, state: ClusterState, namespace: string): Expectation[] {
  const out: Expectation[] = [];
  if (Object.keys(raw).length === 0) fail('empty expect', loc, ['expected at least one of: outcome, pods, nodes, hosts, distribution, sourceSeen, sticky']);
  if (raw.outcome !== undefined) {
    const oLoc = sub(loc, 'outcome');
    if (typeof raw.outcome === 'string') out.push({ kind: 'outcome', outcome: raw.outcome, count: 'all', loc: sourceLocation(oLoc) });
    else {
      let total = 0;
      for (const [outcome, n] of Object.entries(raw.outcome)) {
        total += n!;
        out.push({ kind: 'outcome', outcome: outcome as Outcome, count: n!, loc: sourceLocation(sub(oLoc, outcome)) });
      }
      if (total > traffic.count) fail(`outcome counts add up to ${total}, but the step sends ${traffic.count} requests`, oLoc, [`expected counts adding up to at most ${traffic.count}`]);
    }
  }
  if (raw.pods !== undefined) out.push(compileResponders(raw.pods, 'pod', sub(loc, 'pods'), state, namespace));
  if (raw.nodes !== undefined) {
    if (!Array.isArray(raw.nodes) && raw.nodes.on !== undefined) fail("'on' is only for pods", keyOf(sub(loc, 'nodes'), 'on'), ['expected nodes: [NODE, ...] or { must, mustNot, may }']);
    out.push(compileResponders(raw.nodes, 'node', sub(loc, 'nodes'), state, namespace));
  }
  if (raw.hosts !== undefined) {
    if (!Array.isArray(raw.hosts) && raw.hosts.on !== undefined) fail("'on' is only for pods", keyOf(sub(loc, 'hosts'), 'on'), ['expected hosts: [HOST, ...] or { must, mustNot, may }']);
    out.push(compileResponders(raw.hosts, 'host', sub(loc, 'hosts'), state, namespace));
  }
  if (raw.distribution !== undefined) {
    const dLoc = sub(loc, 'distribution');
    const d = raw.distribution === 'uniform' ? {} : raw.distribution;
    let weights: 'uniform' | Record<string, number> = 'uniform';
    if (d.weights !== undefined && d.weights !== 'uniform') {
      const known = state.pods.filter((p) => p.namespace === namespace).map((p) => p.name);
      for (const name of Object.keys(d.weights)) {
        if (!known.includes(name)) fail(`no pod '${name}' at this step`, keyOf(sub(dLoc, 'weights'), name), [`expected one of: ${known.join(', ')}`, ...didYouMean(name, known)]);
      }
      weights = { ...d.weights };
    }
    out.push({ kind: 'distribution', weights, alpha: d.alpha ?? 0.001, method: d.method ?? 'auto', loc: sourceLocation(dLoc) });
  }
  if (raw.sourceSeen !== undefined) {
    const sLoc = sub(loc, 'sourceSeen');
    const v = raw.sourceSeen;
    if (v === 'client' || v === 'ingress-node') out.push({ kind: 'sourceSeen', seen: v, loc: sourceLocation(sLoc) });
    else {
      const term = wrapSyntax(sLoc, 0, () => parseTerm(v, 0));
      const address = resolveTermAt('host', term, state, namespace, sLoc, 0, ['client', 'ingress-node']) as string;
      out.push({ kind: 'sourceSeen', seen: { address }, loc: sourceLocation(sLoc) });
    }
  }
  if (raw.sticky === true) out.push({ kind: 'sticky', loc: sourceLocation(sub(loc, 'sticky')) });
  return out;
}

export function compileSend(
  raw: RawSendStep,
  loc: Locator,
  state: ClusterState,
  namespace: string,
): { traffic: Traffic; title: string; expect: Expectation[]; modes?: ModeExpectation[]; diverges?: Divergence[] } {
  const { traffic, title } = compileTraffic(raw, loc, state, namespace);
  const expect = compileExpect(raw.expect, sub(loc, 'expect'), traffic, state, namespace);
  const out: { traffic: Traffic; title: string; expect: Expectation[]; modes?: ModeExpectation[]; diverges?: Divergence[] } = { traffic, title, expect };
  if (raw.modes !== undefined) out.modes = compileModes(raw.modes, sub(loc, 'modes'), traffic, state, namespace);
  if (raw.diverges !== undefined) out.diverges = compileDiverges(raw.diverges, sub(loc, 'diverges'));
  return out;
}

/** `modes:` blocks, each compiled like `expect` against the same state (the schema allows iptables and nftables only). */
function compileModes(raw: RawModes, loc: Locator, traffic: Traffic, state: ClusterState, namespace: string): ModeExpectation[] {
  const out: ModeExpectation[] = [];
  for (const mode of ['iptables', 'nftables'] as const) {
    const block = raw[mode];
    if (block === undefined) continue;
    const bLoc = sub(loc, mode);
    const m: ModeExpectation = { mode, expect: compileExpect(block.expect, sub(bLoc, 'expect'), traffic, state, namespace), why: block.why, loc: sourceLocation(bLoc) };
    if (block.link !== undefined) m.link = block.link;
    out.push(m);
  }
  return out;
}

/** `diverges:` entries; one per backend, so a step never states two different truths for it. */
function compileDiverges(raw: RawDivergence[], loc: Locator): Divergence[] {
  const seen = new Map<string, number>();
  return raw.map((d, i) => {
    const first = seen.get(d.backend);
    if (first !== undefined) {
      fail(`backend '${d.backend}' already has a divergence on this step (entry ${first + 1})`, sub(sub(loc, i), 'backend'), [
        'expected one entry per backend: describe everything it does differently in that one',
      ]);
    }
    seen.set(d.backend, i);
    const out: Divergence = { backend: d.backend, does: d.does, why: d.why, loc: sourceLocation(sub(loc, i)) };
    if (d.link !== undefined) out.link = d.link;
    return out;
  });
}

// ------------------------------------------------------------------ changes

export function compileScale(raw: RawScaleStep, loc: Locator, world: World, namespace: string): { change: Change; title: string } {
  const refLoc = sub(loc, 'scale');
  const ref = parseRef(raw.scale, refLoc, raw.namespace ?? namespace, ['Deployment']);
  requireExisting(world, ref, refLoc);
  const entry = world.find('Deployment', ref.namespace, ref.name)!;
  const manifest = structuredClone(entry.manifest);
  (manifest.spec as Record<string, unknown>).replicas = raw.replicas;
  world.replaceManifest(entry, manifest, loc);
  world.reconcile();
  return { change: { op: 'scale', target: ref, replicas: raw.replicas }, title: `scale deployment/${ref.name} to ${raw.replicas}` };
}

export function compilePatch(raw: RawPatchStep, loc: Locator, world: World, namespace: string): { change: Change; title: string } {
  const refLoc = sub(loc, 'patch');
  const ref = parseRef(raw.patch, refLoc, raw.namespace ?? namespace);
  requireExisting(world, ref, refLoc);
  const withLoc = sub(loc, 'with');
  const kind = ref.kind as ResourceKind;
  const entry = kind === 'Pod' ? world.find('Pod', ref.namespace, ref.name) : world.find(kind, ref.namespace, ref.name)!;
  const before = entry?.manifest ?? world.podManifest(ref.namespace, ref.name)!;
  const after = mergePatch(before, raw.with) as Record<string, unknown>;
  for (const field of ['apiVersion', 'kind'] as const) {
    if (JSON.stringify(after[field]) !== JSON.stringify(before[field])) fail(`a patch cannot change '${field}'`, sub(withLoc, field), [`expected '${String(before[field])}'`]);
  }
  const bm = before.metadata as Record<string, unknown>;
  const am = (after.metadata ?? {}) as Record<string, unknown>;
  for (const field of ['name', 'namespace'] as const) {
    if (am[field] !== bm[field]) fail(`a patch cannot change metadata.${field}`, sub(withLoc, 'metadata', field), [`expected '${String(bm[field])}', or delete and apply instead`]);
  }
  const origin = entry?.origin;
  validateManifestShape(kind, after, (path) => {
    const inPatch = sub(withLoc, ...path);
    // Prefer the patch when it wrote (part of) the offending path; else the original manifest.
    let p = raw.with as unknown;
    for (const seg of path) {
      if (p === null || typeof p !== 'object') break;
      p = (p as Record<string, unknown>)[String(seg)];
      if (p === undefined) break;
    }
    return p !== undefined || origin === undefined ? inPatch : sub(origin, ...path);
  });
  if (entry !== undefined) world.replaceManifest(entry, after, withLoc);
  else world.patchPod(ref.namespace, ref.name, after, withLoc);
  world.reconcile();
  return { change: { op: 'patch', target: ref, patch: structuredClone(raw.with) }, title: `patch ${ref.kind.toLowerCase()}/${ref.name}` };
}

export function compileDelete(raw: RawDeleteStep, loc: Locator, world: World, namespace: string): { change: Change; title: string } {
  const refLoc = sub(loc, 'delete');
  const ref = parseRef(raw.delete, refLoc, raw.namespace ?? namespace);
  requireExisting(world, ref, refLoc);
  world.delete(ref.kind as ResourceKind, ref.namespace, ref.name);
  world.reconcile();
  return { change: { op: 'delete', target: ref }, title: `delete ${ref.kind.toLowerCase()}/${ref.name}` };
}

export async function compileApply(
  raw: RawApplyStep,
  loc: Locator,
  world: World,
  scenarioFile: string,
): Promise<{ change: Change; title: string; loaded: LoadedManifest[] }> {
  const applyLoc = sub(loc, 'apply');
  const loaded = Array.isArray(raw.apply)
    ? await loadResourceItems(raw.apply, applyLoc, scenarioFile)
    : await loadResourceItem(raw.apply, applyLoc, scenarioFile);
  const touched = new Set<string>();
  for (const m of loaded) {
    world.upsert(m.kind, m.manifest, m.origin, true);
    const meta = m.manifest.metadata as Record<string, unknown>;
    touched.add(entryKey(m.kind, meta.namespace as string, meta.name as string));
  }
  world.reconcile();
  world.checkReferences(new Set(world.entries.filter((e) => touched.has(entryKey(e.kind, e.namespace, e.name)))));
  const names = loaded.map((m) => `${m.kind.toLowerCase()}/${(m.manifest.metadata as Record<string, unknown>).name as string}`);
  return { change: { op: 'apply', manifests: loaded.map((m) => structuredClone(m.manifest) as unknown as Manifest) }, title: `apply ${names.join(', ')}`, loaded };
}

export function compileEndpoint(raw: RawEndpointStep, loc: Locator, world: World, namespace: string): { change: Change; title: string } {
  const refLoc = sub(loc, 'endpoint');
  const ref = parseRef(raw.endpoint, refLoc, raw.namespace ?? namespace, ['Pod']);
  requireExisting(world, ref, refLoc);
  world.setCondition(ref.namespace, ref.name, raw.condition);
  world.reconcile();
  return { change: { op: 'endpoint', pod: ref.name, namespace: ref.namespace, condition: raw.condition }, title: `mark pod/${ref.name} ${raw.condition}` };
}
