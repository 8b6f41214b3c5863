/**
 * `--backend kind`: the scenario on a real Kubernetes cluster made with kind (or any cluster a
 * kubeconfig points at). Needs docker, kind and kubectl; without them `check()` names what is
 * missing. See docs/backends/kind.md.
 */
import { randomBytes } from 'node:crypto';
import type { Backend, BackendContext, BackendOptions, BackendSession } from '../backend.js';
import type { CompiledScenario } from '../../model/scenario.js';
import { checkPrerequisites } from './check.js';
import { ClusterManager } from './cluster.js';
import type { KindOptions } from './cluster.js';
import { DEFAULT_NODE_IMAGE_ENV } from './config.js';
import type { CommandRunner } from './exec.js';
import { ProcessRunner } from './exec.js';
import { KindSession } from './session.js';

export type { KindOptions } from './cluster.js';

/** Lowercase letters and digits, as namespace and container names need. */
function randomSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A kind backend with its own command runner (tests pass a fake one). */
export function createKindBackend(options: KindOptions, runner: CommandRunner, random: () => string = randomSuffix): Backend & { dispose(): Promise<void>; readonly clusters: ClusterManager } {
  const clusters = new ClusterManager(runner, options);
  const needKind = !(options.kubeconfig !== undefined && options.cluster === undefined);
  return {
    name: 'kind',
    // Sessions share one cluster per shape and each runs many exec processes: one at a time.
    maxConcurrency: 1,
    clusters,
    check: () => checkPrerequisites(runner, options.kubeconfig !== undefined ? { needKind, kubeconfig: options.kubeconfig } : { needKind }),
    start(scenario: CompiledScenario, ctx: BackendContext): Promise<BackendSession> {
      return KindSession.start(scenario, ctx, { runner, clusters, random });
    },
    async dispose(): Promise<void> {
      await clusters.dispose((m) => process.stderr.write(`${m}\n`));
    },
  };
}

/** The registry's entry point; options come from `svclab run --kind-cluster/--kubeconfig/--keep`. */
export function createBackend(options: BackendOptions = {}): Backend {
  return createKindBackend(kindOptions(options, process.env), new ProcessRunner());
}

/** CLI options (and SVCLAB_KIND_NODE_IMAGE) -> the kind backend's own options. */
export function kindOptions(options: BackendOptions, env: Record<string, string | undefined>): KindOptions {
  const out: KindOptions = {};
  if (options.kindCluster !== undefined) out.cluster = options.kindCluster;
  if (options.kubeconfig !== undefined) out.kubeconfig = options.kubeconfig;
  if (options.keep === true) out.keep = true;
  const nodeImage = env[DEFAULT_NODE_IMAGE_ENV];
  if (nodeImage) out.nodeImage = nodeImage;
  return out;
}

export { KindSession } from './session.js';
