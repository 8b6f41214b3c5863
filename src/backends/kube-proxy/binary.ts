/**
 * Where the kube-proxy-host program is and whether it is usable. It is built from
 * kube-proxy-host/ (its own go.mod pins k8s.io/kubernetes) with `npm run build:kube-proxy`.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError } from '../../errors.js';
import { onPath } from '../netns/check.js';

/** The repository's kube-proxy-host folder (the same from src/ under vitest and from dist/). */
export function hostSourceDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'kube-proxy-host');
}

/** The built program: $SVCLAB_KUBE_PROXY_HOST, else kube-proxy-host/bin/kube-proxy-host. */
export function hostBinaryPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.SVCLAB_KUBE_PROXY_HOST;
  if (override) return resolve(override);
  return join(hostSourceDir(), 'bin', 'kube-proxy-host');
}

/** The k8s.io/kubernetes release go.mod pins (what a fresh build would run). */
export function pinnedRelease(dir = hostSourceDir()): string | undefined {
  try {
    return /^require k8s\.io\/kubernetes (v\S+)$/m.exec(readFileSync(join(dir, 'go.mod'), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** The binary's path; throws BackendUnavailableError with the command that fixes it. */
export function requireHostBinary(env: NodeJS.ProcessEnv = process.env): string {
  const binary = hostBinaryPath(env);
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    const fix = onPath('go', (env.PATH ?? '').split(delimiter))
      ? 'build it with `npm run build:kube-proxy` (about 3 minutes the first time; it downloads k8s.io/kubernetes through the Go module proxy)'
      : 'install Go 1.26 or later (https://go.dev/dl/, or Debian `golang`), then run `npm run build:kube-proxy`';
    throw new BackendUnavailableError(`kube-proxy backend: ${binary} is not built; ${fix}`);
  }
  return binary;
}
