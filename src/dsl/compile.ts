/**
 * The scenario compiler: parsed YAML -> CompiledScenario. Cluster first, then the initial
 * resources (placed, addressed, allocated), then each step in order against the evolving World.
 */
import path from 'node:path';
import { compileCluster } from './compile-cluster.js';
import { compileApply, compileDelete, compileEndpoint, compilePatch, compileScale, compileSend, sourceLocation } from './compile-steps.js';
import { checkPlacementKeys, compilePlacement } from './placement.js';
import { loadResourceItems } from './resources.js';
import { at, fail, parseSingleDocument, readScenarioText, sub } from './source.js';
import { validateStep, validateTop } from './validate-schema.js';
import { World } from './world.js';
import type {
  RawApplyStep,
  RawDeleteStep,
  RawEndpointStep,
  RawPatchStep,
  RawScaleStep,
  RawScenario,
  RawSendStep,
} from './raw.js';
import type { CompiledScenario, SendStep, Step } from '../model/scenario.js';

export const DEFAULT_NAMESPACE = 'default';
/** Requests all send steps of one file may ask for together (aliased copies of a step included). */
export const MAX_REQUESTS_PER_FILE = 200_000;

/** Compiles the scenario at `file` (absolute path); throws DiagnosticError on any problem. */
export async function compileScenarioFile(file: string): Promise<CompiledScenario> {
  const text = await readScenarioText(file);
  const { doc, value } = parseSingleDocument(file, text);
  const root = at(doc, []);
  validateTop(value, root);
  const raw = value as RawScenario;
  const namespace = raw.namespace ?? DEFAULT_NAMESPACE;

  const cluster = compileCluster(raw.cluster, sub(root, 'cluster'));
  const placement = compilePlacement(raw.placement, sub(root, 'placement'), cluster);
  const world = new World(cluster, namespace, placement);
  const workloads = new Set<string>();

  const initialManifests = await loadResourceItems(raw.resources ?? [], sub(root, 'resources'), file);
  for (const m of initialManifests) {
    world.upsert(m.kind, m.manifest, m.origin, false);
    if (m.kind === 'Deployment' || m.kind === 'Pod') workloads.add((m.manifest.metadata as { name: string }).name);
  }
  world.reconcile();
  world.checkReferences();
  world.checkSelectorsMatch();
  const initial = world.snapshot();

  let current = initial;
  let requests = 0;
  const steps: Step[] = [];
  for (let index = 0; index < raw.steps.length; index++) {
    const loc = sub(root, 'steps', index);
    const step = raw.steps[index];
    const kind = validateStep(step, loc);
    const title = (step as { name?: string }).name;
    const base = { index, loc: sourceLocation(loc) };
    if (kind === 'send') {
      const s = compileSend(step as unknown as RawSendStep, loc, current, namespace);
      requests += s.traffic.count;
      if (requests > MAX_REQUESTS_PER_FILE) {
        fail(`this step brings the file's requests to ${requests}`, sub(loc, 'send'), [
          `expected at most ${MAX_REQUESTS_PER_FILE} requests per scenario file, all send steps together (split the scenario, or send fewer)`,
        ]);
      }
      const send: SendStep = { ...base, kind: 'send', title: title ?? s.title, state: current, traffic: s.traffic, expect: s.expect };
      if (s.modes !== undefined) send.modes = s.modes;
      if (s.diverges !== undefined) send.diverges = s.diverges;
      steps.push(send);
      continue;
    }
    let result: { change: import('../model/scenario.js').Change; title: string };
    switch (kind) {
      case 'scale':
        result = compileScale(step as unknown as RawScaleStep, loc, world, namespace);
        break;
      case 'patch':
        result = compilePatch(step as unknown as RawPatchStep, loc, world, namespace);
        break;
      case 'delete':
        result = compileDelete(step as unknown as RawDeleteStep, loc, world, namespace);
        break;
      case 'apply': {
        const applied = await compileApply(step as unknown as RawApplyStep, loc, world, file);
        for (const m of applied.loaded) {
          if (m.kind === 'Deployment' || m.kind === 'Pod') workloads.add((m.manifest.metadata as { name: string }).name);
        }
        result = applied;
        break;
      }
      case 'endpoint':
        result = compileEndpoint(step as unknown as RawEndpointStep, loc, world, namespace);
        break;
    }
    current = world.snapshot();
    steps.push({ ...base, kind: 'change', title: title ?? result.title, state: current, change: result.change });
  }
  checkPlacementKeys(placement, workloads);

  return {
    file: path.resolve(file),
    name: raw.name,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    ...(raw.source !== undefined ? { source: raw.source } : {}),
    tags: [...(raw.tags ?? [])],
    ...(raw.seed !== undefined ? { seed: raw.seed } : {}),
    namespace,
    loc: sourceLocation({ doc, path: ['name'], key: true }),
    initial,
    steps,
  };
}
