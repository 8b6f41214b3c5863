/** Import test helpers: fixtures, a temporary folder, the generated large kubectl List. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
export { kubectlList, sizeFor } from '../../src/bench/kubectl-list.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const fixtureText = (name: string): string => readFileSync(fixture(name), 'utf8');

const dir = mkdtempSync(path.join(tmpdir(), 'svclab-import-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
export const tempPath = (name: string): string => path.join(dir, name);
