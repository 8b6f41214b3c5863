/**
 * `svclab new NAME [--out PATH]`: write a commented, valid scenario skeleton; never overwrites.
 */
import path from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { scaffoldScenario } from '../../dsl/scaffold.js';
import { PATTERNS } from '../../dsl/schema.js';
import { parseCommandArgs } from '../options.js';
import { writeSingleFile } from '../output-files.js';

export const summary = 'scaffold a commented scenario file';

export const help = `Usage: svclab new NAME [--out PATH]

Write a commented scenario skeleton named NAME to scenarios/NAME.yaml (or PATH). NAME uses
lower-case letters, digits, '.', '_' and '-', starting with a letter or digit. An existing file
is never overwritten.

Options:
  --out PATH    where to write the file (default scenarios/NAME.yaml)
  -h, --help    show this help

Exit codes: 0 written, 2 bad name, or the file exists.
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('new', { args: argv, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true }, `\n${help}`);
  if (parsed.values.help) {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  if (parsed.positionals.length !== 1) throw new UsageError(`svclab new: expected exactly one NAME, got ${parsed.positionals.length}\n\n${help}`);
  const name = parsed.positionals[0];
  if (!new RegExp(PATTERNS.scenarioName).test(name) || name.length > 100) {
    throw new UsageError(`svclab new: invalid name '${name}': expected lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100 characters)`);
  }
  const out = path.resolve(parsed.values.out ?? path.join('scenarios', `${name}.yaml`));
  if (!/\.ya?ml$/.test(out)) throw new UsageError(`svclab new: --out must end in .yaml or .yml: ${parsed.values.out}`);
  const schema = path.relative(path.dirname(out), path.resolve('schemas', 'scenario.schema.json')).split(path.sep).join('/');
  // Never overwrites (not even an earlier scaffold: the user may have edited it), never through a link.
  await writeSingleFile(out, scaffoldScenario(name, schema), 'svclab new:', () => false);
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
  return ExitCode.ok;
}
