/**
 * The DSL's public entry points: load one scenario file (fully compiled, or a ScenarioError with a
 * formatted, located message) and find scenario files under paths.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
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

/** Where a walk is: the real path of the folder named, folders seen (link cycles), files found. */
interface Walk {
  root: string;
  seen: Set<string>;
  out: string[];
  /** Files reached through a link: a file reached both ways is listed under its own path. */
  viaLink: Set<string>;
  onSkip: (note: string) => void;
}

function inside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

async function walk(dir: string, w: Walk, linked = false): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      const real = await realpath(full);
      if (!w.seen.has(real)) {
        w.seen.add(real);
        await walk(full, w, linked);
      }
    } else if (e.isFile() && isScenarioFileName(e.name)) {
      w.out.push(full);
      if (linked) w.viaLink.add(full);
    }
    else if (e.isSymbolicLink()) await followLink(full, e.name, w);
  }
}

/**
 * A symbolic link in a scenario folder is followed when it leads to a file or folder inside the
 * folder named on the command line (the same scenario as naming it directly); one leading outside
 * it, or nowhere, is skipped and reported through `onSkip`.
 */
async function followLink(full: string, name: string, w: Walk): Promise<void> {
  let real: string;
  let st;
  try {
    real = await realpath(full);
    st = await stat(real);
  } catch {
    if (isScenarioFileName(name)) w.onSkip(`skipped ${full}: a symbolic link that leads nowhere`);
    return;
  }
  if (!st.isDirectory() && !(st.isFile() && isScenarioFileName(name))) return;
  if (!inside(w.root, real)) {
    w.onSkip(`skipped ${full}: a symbolic link to ${real}, outside ${w.root} (name it on the command line to run it)`);
    return;
  }
  if (st.isFile()) {
    w.out.push(full);
    w.viaLink.add(full);
  } else if (!w.seen.has(real)) {
    w.seen.add(real);
    await walk(full, w, true);
  }
}

/**
 * Scenario files under the given files or folders (`*.yaml`/`*.yml`, recursively, skipping
 * dot-folders and `*.k8s.yaml` resource files), as absolute paths, sorted and de-duplicated (a
 * file reached twice, by a link inside the folder, counts once). Links are followed within the
 * folder named; `onSkip` hears of every link skipped. A path that does not exist is a UsageError.
 */
export async function discoverScenarioFiles(paths: string[], onSkip: (note: string) => void = () => undefined): Promise<string[]> {
  const out: string[] = [];
  const viaLink = new Set<string>();
  for (const p of paths) {
    const full = path.resolve(p);
    let st;
    try {
      st = await stat(full);
    } catch {
      throw new UsageError(`no such file or folder: ${p}`);
    }
    if (st.isDirectory()) {
      const root = await realpath(full);
      await walk(full, { root, seen: new Set([root]), out, viaLink, onSkip });
    } else out.push(full);
  }
  // One entry per real file: its own path when the walk met it directly, else the first link.
  const byReal = new Map<string, string>();
  const unique = [...new Set(out)].sort();
  for (const file of [...unique.filter((f) => !viaLink.has(f)), ...unique.filter((f) => viaLink.has(f))]) {
    const real = await realpath(file).catch(() => file);
    if (!byReal.has(real)) byReal.set(real, file);
  }
  return [...byReal.values()].sort();
}
