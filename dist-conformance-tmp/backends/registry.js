/** Backend name -> its module, loaded only when asked for, so `sim` never loads kind's code. */
import { BackendUnavailableError } from '../errors.js';
export const backendNames = ['sim', 'proxy', 'netns', 'kind'];
export function isBackendName(name) {
    return backendNames.includes(name);
}
/** Import `./<name>/index.js` (name checked against the known list) and create the backend. */
export async function loadBackend(name) {
    if (!isBackendName(name))
        throw new BackendUnavailableError(`unknown backend '${String(name)}' (known: ${backendNames.join(', ')})`);
    let mod;
    try {
        mod = (await import(`./${name}/index.js`));
    }
    catch (err) {
        const code = err.code;
        if (code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(`/backends/${name}/index.js`)) {
            throw new BackendUnavailableError(`backend ${name} is not part of this build (dist/backends/${name}/index.js is missing)`);
        }
        throw err;
    }
    if (typeof mod.createBackend !== 'function') {
        throw new BackendUnavailableError(`backend ${name} does not export createBackend()`);
    }
    return mod.createBackend();
}
//# sourceMappingURL=registry.js.map