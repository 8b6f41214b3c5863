/**
 * What the kind backend needs on this machine, checked up front so `svclab run --backend kind`
 * fails fast (exit 4) naming every missing piece: the docker binary, a reachable docker daemon,
 * kind (unless an existing cluster is given by kubeconfig) and kubectl.
 */
import { BackendUnavailableError } from '../../errors.js';
import type { CommandRunner } from './exec.js';

async function probe(runner: CommandRunner, file: string, args: string[]): Promise<{ found: boolean; code: number | null; stderr: string }> {
  try {
    const r = await runner.run(file, args, { timeoutMs: 20_000 });
    return { found: true, code: r.code, stderr: r.stderr };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { found: false, code: null, stderr: '' };
    throw err;
  }
}

/** Throws BackendUnavailableError listing everything missing; resolves when all is there. */
export async function checkPrerequisites(runner: CommandRunner, options: { needKind: boolean; kubeconfig?: string }): Promise<void> {
  const missing: string[] = [];
  const docker = await probe(runner, 'docker', ['version', '--format', '{{.Server.Version}}']);
  if (!docker.found) missing.push('`docker` binary not found on PATH (install Docker Engine or Docker Desktop)');
  else if (docker.code !== 0) {
    const why = docker.stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? `docker version exited ${String(docker.code)}`;
    missing.push(`docker daemon not reachable (${why})`);
  }
  if (options.needKind) {
    const kind = await probe(runner, 'kind', ['version']);
    if (!kind.found) missing.push('`kind` not found on PATH (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)');
  }
  const kubectl = await probe(runner, 'kubectl', ['version', '--client']);
  if (!kubectl.found) missing.push('`kubectl` not found on PATH (https://kubernetes.io/docs/tasks/tools/)');
  else if (options.kubeconfig !== undefined && !options.needKind) {
    // An existing cluster: it must answer now, not after the first scenario timed out.
    const ready = await probe(runner, 'kubectl', ['--kubeconfig', options.kubeconfig, 'get', '--raw', '/readyz']);
    if (ready.code !== 0) {
      const why = ready.stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? `kubectl exited ${String(ready.code)}`;
      missing.push(`the cluster of --kubeconfig ${options.kubeconfig} is not reachable (${why})`);
    }
  }
  if (missing.length > 0) throw new BackendUnavailableError(`kind backend unavailable: ${missing.join('; ')}`);
}
