/** Backend name -> its module, loaded only when asked for, so `sim` never loads kind's code. */
import { BackendUnavailableError } from '../errors.js';
import type { Backend, BackendName, BackendOptions } from './backend.js';

export const backendNames: readonly BackendName[] = ['sim', 'proxy', 'netns', 'kube-proxy', 'kind'];

export function isBackendName(name: string): name is BackendName {
  return (backendNames as readonly string[]).includes(name);
}

interface BackendModule {
  createBackend(options?: BackendOptions): Backend;
}

/** Import `./<name>/index.js` (name checked against the known list) and create the backend. */
export async function loadBackend(name: BackendName, options: BackendOptions = {}): Promise<Backend> {
  if (!isBackendName(name)) throw new BackendUnavailableError(`unknown backend '${String(name)}' (known: ${backendNames.join(', ')})`);
  let mod: Partial<BackendModule>;
  try {
    mod = (await import(`./${name}/index.js`)) as Partial<BackendModule>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`/backends/${name}/index.js`)) {
      throw new BackendUnavailableError(`backend ${name} is not part of this build (dist/backends/${name}/index.js is missing)`);
    }
    throw err;
  }
  if (typeof mod.createBackend !== 'function') {
    throw new BackendUnavailableError(`backend ${name} does not export createBackend()`);
  }
  return mod.createBackend(options);
}
