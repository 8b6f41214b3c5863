import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { loadScenarioFile } from '../../src/dsl/load.js';
import type { CompiledScenario } from '../../src/model/scenario.js';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const transcript = (name: string): string => readFileSync(join(repo, 'test/kind/transcripts', name), 'utf8');
export const seed004 = (): Promise<CompiledScenario> => loadScenarioFile(join(repo, 'scenarios/labs/004-kans-nodeport.yaml'));
