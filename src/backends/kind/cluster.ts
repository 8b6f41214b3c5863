/**
 * Which cluster a session runs on, and its lifecycle. Three ways in:
 *  - `--kubeconfig PATH` alone: that kubeconfig's current context, never created nor deleted;
 *  - `--kind-cluster NAME`: that kind cluster, reused when it exists, else created with that name;
 *  - neither: a cluster per scenario shape named `svclab-<hash of the kind config>`, created on first
 *    use and shared by every scenario of the same shape in this run.
 * Clusters this run created are deleted by `dispose()` unless `--keep` is set, also after a
 * failed or aborted run (the CLI disposes the backend in a finally block).
 * Without `--kubeconfig`, kind clusters are reached through a private kubeconfig file (written by
 * `kind create` or `kind get kubeconfig`), so the user's current kubectl context never changes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterSpec } from '../../model/types.js';
import { kindConfig } from './config.js';
import type { CommandRunner } from './exec.js';
import { formatCommand, runChecked } from './exec.js';
import { checkClusterName, clusterNameForShape } from './names.js';
import { parseKindClusters } from './parse.js';

/** Options the CLI passes through (`--kind-cluster`, `--kubeconfig`, `--keep`). */
export interface KindOptions {
  cluster?: string;
  kubeconfig?: string;
  keep?: boolean;
  /** kindest/node image for created clusters (env SVCLAB_KIND_NODE_IMAGE). */
  nodeImage?: string;
}

/** A cluster a session can use. */
export interface ClusterHandle {
  /** kind cluster name, when it is a kind cluster. */
  kindName?: string;
  /** Arguments every kubectl call starts with (kubeconfig and context). */
  kubectlArgs: string[];
  /** True when the real service CIDR is the scenario's (the cluster was made from this shape). */
  sameShape: boolean;
  /** Scenario settings this cluster does not reproduce. */
  differences: string[];
}

const CREATE_TIMEOUT_MS = 15 * 60_000;
const READY_TIMEOUT = '300s';

export class ClusterManager {
  /** Clusters created by this run: name -> config YAML. */
  private readonly created = new Map<string, string>();
  private pending = new Map<string, Promise<void>>();
  /** Private kubeconfig directory (only when the user gave no --kubeconfig). */
  private privateDir: string | undefined;

  constructor(
    private readonly runner: CommandRunner,
    readonly options: KindOptions,
  ) {
    if (options.cluster !== undefined) checkClusterName(options.cluster);
  }

  /** Kubeconfig file for kind cluster `name`: the user's, or a private one per cluster. */
  kubeconfigFor(name: string): string {
    if (this.options.kubeconfig !== undefined) return this.options.kubeconfig;
    this.privateDir ??= mkdtempSync(join(tmpdir(), 'svclab-kubeconfig-'));
    return join(this.privateDir, `${name}.kubeconfig`);
  }

  private kindArgs(name: string): string[] {
    return ['--kubeconfig', this.kubeconfigFor(name)];
  }

  private kubectlFor(name: string): string[] {
    return ['--kubeconfig', this.kubeconfigFor(name), '--context', `kind-${name}`];
  }

  /** The cluster for a scenario with this cluster spec (creating it when needed). */
  async acquire(spec: ClusterSpec, log: (m: string) => void, signal: AbortSignal): Promise<ClusterHandle> {
    const config = kindConfig(spec, this.options.nodeImage ? { nodeImage: this.options.nodeImage } : {});
    if (this.options.kubeconfig !== undefined && this.options.cluster === undefined) {
      return {
        kubectlArgs: ['--kubeconfig', this.options.kubeconfig],
        sameShape: false,
        differences: ['an existing cluster (current kubeconfig context) is used: node count, CIDRs and kube-proxy mode are whatever it has'],
      };
    }
    const name = this.options.cluster ?? clusterNameForShape(config.yaml);
    let sameShape = this.options.cluster === undefined || this.created.get(name) === config.yaml;
    const inFlight = this.pending.get(name);
    if (inFlight) await inFlight;
    else if (!this.created.has(name)) {
      const existing = parseKindClusters(await runChecked(this.runner, 'kind', ['get', 'clusters'], { signal }));
      if (existing.includes(name)) {
        log(`kind: reusing existing cluster ${name}`);
        if (this.options.kubeconfig === undefined) {
          const cmd = this.kubeconfigCommand(name);
          await writeFile(this.kubeconfigFor(name), await runChecked(this.runner, cmd.file, cmd.args, { signal }), { mode: 0o600 });
        }
      } else {
        const creation = this.create(name, config.yaml, spec, log, signal);
        this.pending.set(name, creation);
        try {
          await creation;
        } finally {
          this.pending.delete(name);
        }
        sameShape = true;
      }
    }
    if (this.created.has(name)) sameShape = this.created.get(name) === config.yaml;
    const differences = sameShape ? config.differences : [...config.differences, `cluster ${name} was not made from this scenario: node count, CIDRs and kube-proxy mode may differ`];
    return { kindName: name, kubectlArgs: this.kubectlFor(name), sameShape, differences };
  }

  /** The command that prints an existing kind cluster's kubeconfig. */
  kubeconfigCommand(name: string): { file: string; args: string[] } {
    return { file: 'kind', args: ['get', 'kubeconfig', '--name', name] };
  }

  /** Command lines for creating `name` from `configPath` and waiting until it is usable. */
  createCommands(name: string, configPath: string, spec: ClusterSpec): { file: string; args: string[] }[] {
    const kubectl = this.kubectlFor(name);
    const cmds = [
      { file: 'kind', args: ['create', 'cluster', '--name', name, '--config', configPath, '--wait', '0s', ...this.kindArgs(name)] },
      { file: 'kubectl', args: [...kubectl, 'wait', '--for=condition=Ready', 'nodes', '--all', `--timeout=${READY_TIMEOUT}`] },
    ];
    if ((spec.kubeProxy.mode as string) !== 'none') {
      cmds.push({ file: 'kubectl', args: [...kubectl, '-n', 'kube-system', 'rollout', 'status', 'daemonset/kube-proxy', `--timeout=${READY_TIMEOUT}`] });
    }
    return cmds;
  }

  private async create(name: string, yaml: string, spec: ClusterSpec, log: (m: string) => void, signal: AbortSignal): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'svclab-kind-'));
    const path = join(dir, 'kind-config.yaml');
    await writeFile(path, yaml);
    const workers = spec.nodes.filter((n) => n.role === 'worker').length;
    const cps = Math.max(1, spec.nodes.filter((n) => n.role === 'control-plane').length);
    log(`kind: creating cluster ${name} (${cps} control-plane, ${workers} worker${workers === 1 ? '' : 's'}, pods ${spec.clusterCIDR}, services ${spec.serviceCIDR}, kube-proxy ${spec.kubeProxy.mode}); first run pulls kindest/node`);
    // Recorded before creating: a half-created cluster must be deleted too.
    this.created.set(name, yaml);
    try {
      const steps = this.createCommands(name, path, spec);
      const labels = ['creating node containers', 'waiting for nodes Ready', 'waiting for kube-proxy'];
      for (const [i, cmd] of steps.entries()) {
        if (i > 0) log(`kind: ${name}: ${labels[i]}`);
        // kind prints its progress (" ✓ Preparing nodes 📦") on stderr: pass it on as it comes.
        const seen = new Set<string>();
        const onStderrLine = (line: string): void => {
          if (!seen.has(line)) log(`kind: ${line}`);
          seen.add(line);
        };
        await runChecked(this.runner, cmd.file, cmd.args, { signal, timeoutMs: CREATE_TIMEOUT_MS, ...(cmd.file === 'kind' ? { onStderrLine } : {}) });
      }
      log(`kind: cluster ${name} is ready`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The command that deletes a cluster this run created. */
  deleteCommand(name: string): { file: string; args: string[] } {
    return { file: 'kind', args: ['delete', 'cluster', '--name', name, ...this.kindArgs(name)] };
  }

  private removePrivateDir(): void {
    if (this.privateDir !== undefined) rmSync(this.privateDir, { recursive: true, force: true });
    this.privateDir = undefined;
  }

  /** Delete every cluster this run created, unless --keep. Returns the names deleted or kept. */
  async dispose(log: (m: string) => void = () => {}): Promise<{ deleted: string[]; kept: string[] }> {
    const names = [...this.created.keys()];
    this.created.clear();
    if (this.options.keep) {
      for (const n of names) log(`kind: keeping cluster ${n} (--keep); use it with: kind export kubeconfig --name ${n}; delete it with: kind delete cluster --name ${n}`);
      this.removePrivateDir();
      return { deleted: [], kept: names };
    }
    const deleted: string[] = [];
    for (const name of names) {
      log(`kind: deleting cluster ${name}`);
      const cmd = this.deleteCommand(name);
      const r = await this.runner.run(cmd.file, cmd.args, { timeoutMs: 120_000 });
      if (r.code === 0) deleted.push(name);
      else log(`kind: \`${formatCommand(cmd.file, cmd.args)}\` failed: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
    }
    this.removePrivateDir();
    return { deleted, kept: [] };
  }
}
