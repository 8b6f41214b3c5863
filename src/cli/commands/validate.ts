/**
 * `svclab validate [paths...]`: load every scenario under the paths (default `scenarios/`) without
 * running it; one line per file, the full error for each invalid one, and a summary.
 */
import path from 'node:path';
import { createColors } from 'picocolors';
import { terminalText } from '../../report/terminal-text.js';
import { ExitCode, ScenarioError, UsageError } from '../../errors.js';
import { discoverScenarioFiles, loadScenarioFile } from '../../dsl/load.js';
import { parseCommandArgs } from '../options.js';
import { decideColor } from '../../report/console.js';
import { backendNames, isBackendName, loadBackend } from '../../backends/registry.js';
import type { BackendName } from '../../backends/backend.js';

export const summary = 'check scenario files without running them';

export const help = `Usage: svclab validate [paths...] [options]

Check scenario files (files or folders, *.yaml / *.yml, recursively; default: scenarios/)
against the schema and the semantic checks, without running them. Files named *.k8s.yaml are
resource files for 'file:' references and are skipped.

Options:
  -b, --backend NAME  also check that backend NAME (sim, proxy, netns, kind) can build each
                      scenario's cluster, without running it (no privileges needed)
  -q, --quiet         print only invalid files and the summary
  -h, --help          show this help

Exit codes: 0 all valid, 2 usage error (e.g. a path that does not exist), 3 a file is invalid,
4 a valid file describes a cluster the --backend cannot build (the message says what to change).
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('validate', { args: argv, options: { quiet: { type: 'boolean', short: 'q' }, backend: { type: 'string', short: 'b' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true }, `\n${help}`);
  if (parsed.values.help) {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  const backendName = parsed.values.backend as string | undefined;
  if (backendName !== undefined && !isBackendName(backendName)) throw new UsageError(`svclab validate: unknown backend '${backendName}' (known: ${backendNames.join(', ')})`);
  const backend = backendName !== undefined ? await loadBackend(backendName as BackendName) : undefined;
  let unbuildable = 0;
  const paths = parsed.positionals.length > 0 ? parsed.positionals : ['scenarios'];
  const files = await discoverScenarioFiles(paths, (note) => process.stderr.write(`${terminalText(note)}\n`));
  if (files.length === 0) throw new UsageError(`svclab validate: no scenario files (*.yaml, *.yml) under ${paths.join(', ')}`);
  // Our own colour decision (NO_COLOR, FORCE_COLOR, terminal), not picocolors' default, which
  // also turns colour on whenever CI is set and so paints CI logs and piped output.
  const pc = createColors(decideColor(undefined, process.env, process.stdout.isTTY));
  let invalid = 0;
  for (const file of files) {
    const shown = path.relative(process.cwd(), file) || file;
    try {
      const s = await loadScenarioFile(file);
      const problem = backend?.layoutProblem?.(s);
      if (problem !== undefined) {
        unbuildable++;
        process.stdout.write(`${pc.yellow('no ' + backend!.name)}  ${terminalText(shown, true)}\n`);
        process.stderr.write(`${terminalText(problem)}\n\n`);
        continue;
      }
      if (!parsed.values.quiet) process.stdout.write(`${pc.green('ok')}      ${terminalText(shown, true)} (${terminalText(s.name, true)}, ${s.steps.length} steps)\n`);

    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      invalid++;
      process.stdout.write(`${pc.red('invalid')} ${terminalText(shown, true)}\n`);
      process.stderr.write(`${terminalText(err.message)}\n\n`);
    }
  }
  const valid = files.length - invalid;
  const onBackend = backend !== undefined ? `, ${unbuildable} the ${backend.name} backend cannot build` : '';
  process.stdout.write(`\n${files.length} file(s): ${valid} valid, ${invalid} invalid${onBackend}\n`);
  if (invalid > 0) return ExitCode.invalidScenario;
  return unbuildable > 0 ? ExitCode.backendUnavailable : ExitCode.ok;
}
