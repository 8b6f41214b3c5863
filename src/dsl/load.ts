/**
 * The DSL's public entry points: load one scenario file (fully compiled, or a ScenarioError with a
 * formatted, located message) and find scenario files under paths.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compileScenarioFile } from './compile.js';
import { DiagnosticError } from './diagnostics.js';
import { ScenarioError, UsageError } from '../errors.js';
import type { CompiledScenario } from '../model/scenario.js';

/** Loads and compiles a scenario. Throws ScenarioError (exit code 3) with the formatted message. */
export async function loadScenarioFile(file: string): Promise<CompiledScenario> {
  try {
    return await compileScenarioFile(path.resolve(file));
  } catch (err) {
    if (err instanceof DiagnosticError) throw new ScenarioError(err.message);
    throw err;
  }
}

/** Resource files referenced with `file:` are named `*.k8s.yaml` so discovery skips them. */
export function isScenarioFileName(name: string): boolean {
  return /\.ya?ml$/.test(name) && !/\.k8s\.ya?ml$/.test(name);
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (e.isFile() && isScenarioFileName(e.name)) out.push(full);
  }
}

/**
 * Scenario files under the given files or folders (`*.yaml`/`*.yml`, recursively, skipping
 * dot-folders and `*.k8s.yaml` resource files), as absolute paths, sorted and de-duplicated.
 * A path that does not exist is a UsageError.
 */
export async function discoverScenarioFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const full = path.resolve(p);
    let st;
    try {
      st = await stat(full);
    } catch {
      throw new UsageError(`no such file or folder: ${p}`);
    }
    if (st.isDirectory()) await walk(full, out);
    else out.push(full);
  }
  return [...new Set(out)].sort();
}
