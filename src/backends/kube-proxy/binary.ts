/**
 * Where the kube-proxy-host program is and whether it is usable. It is built from
 * kube-proxy-host/ (its own go.mod pins k8s.io/kubernetes) with `npm run build:kube-proxy`. An
 * older release (`--kube-proxy-version`) builds from the same source with its own module file,
 * kube-proxy-host/releases/<version>.mod, and the build tag for that release's constructors.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendUnavailableError, UsageError } from '../../errors.js';
import { onPath } from '../netns/check.js';

/** The repository's kube-proxy-host folder (the same from src/ under vitest and from dist/). */
export function hostSourceDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'kube-proxy-host');
}

/** One kube-proxy release svclab can build and run. */
export interface KubeProxyRelease {
  /** k8s.io/kubernetes module version, e.g. v1.37.2. */
  version: string;
  /** The one go.mod pins (the default), or an older one from releases/. */
  pinned: boolean;
  binary: string;
  /** The command that builds it, for messages. */
  build: string;
}

const VERSION = /^v(\d+)\.(\d+)\.(\d+)$/;

/** The k8s.io/kubernetes release a module file pins. */
export function pinnedRelease(dir = hostSourceDir(), modfile = 'go.mod'): string | undefined {
  try {
    return /^\s*(?:require\s+)?k8s\.io\/kubernetes (v\S+)\s*$/m.exec(readFileSync(join(dir, modfile), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Versions with a module file under kube-proxy-host/releases/ (older releases), newest first. */
export function olderReleases(dir = hostSourceDir()): string[] {
  const folder = join(dir, 'releases');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((f) => /^(v\d+\.\d+\.\d+)\.mod$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort()
    .reverse();
}

/**
 * The release to run: the pinned one (no version, or its version), or an older one that has a
 * module file. $SVCLAB_KUBE_PROXY_HOST overrides the pinned release's binary path.
 */
export function kubeProxyRelease(version?: string, env: NodeJS.ProcessEnv = process.env, dir = hostSourceDir()): KubeProxyRelease {
  const pinned = pinnedRelease(dir) ?? 'unknown';
  if (version === undefined || version === pinned) {
    const override = env.SVCLAB_KUBE_PROXY_HOST;
    return { version: pinned, pinned: true, binary: override ? resolve(override) : join(dir, 'bin', 'kube-proxy-host'), build: 'npm run build:kube-proxy' };
  }
  const parts = VERSION.exec(version);
  const known = [`${pinned} (pinned)`, ...olderReleases(dir)].join(', ');
  if (parts === null || !olderReleases(dir).includes(version)) {
    throw new UsageError(`--kube-proxy-version: '${version}' is not a release svclab can build; known: ${known}`);
  }
  const out = `bin/kube-proxy-host-${version}`;
  return {
    version,
    pinned: false,
    binary: join(dir, out),
    build: `go build -C kube-proxy-host -modfile releases/${version}.mod -tags kube_${parts[1]}_${parts[2]} -trimpath -o ${out} .`,
  };
}

/** The pinned release's binary path (what tests and the default backend use). */
export function hostBinaryPath(env: NodeJS.ProcessEnv = process.env): string {
  return kubeProxyRelease(undefined, env).binary;
}

/** The release's binary; throws BackendUnavailableError with the command that builds it. */
export function requireHostBinary(env: NodeJS.ProcessEnv = process.env, release: KubeProxyRelease = kubeProxyRelease(undefined, env)): string {
  try {
    accessSync(release.binary, constants.X_OK);
  } catch {
    const how = `\`${release.build}\``;
    const fix = onPath('go', (env.PATH ?? '').split(delimiter))
      ? `build it with ${how} (about 3 minutes the first time; it downloads k8s.io/kubernetes ${release.version} through the Go module proxy)`
      : `install Go 1.26 or later (https://go.dev/dl/, or Debian \`golang\`), then run ${how}`;
    throw new BackendUnavailableError(`kube-proxy backend: ${release.binary} is not built; ${fix}`);
  }
  return release.binary;
}
