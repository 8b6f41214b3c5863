import { readFileSync } from 'node:fs';
/** svclab's version, read from package.json next to dist/ so it never drifts. */
export const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
//# sourceMappingURL=version.js.map