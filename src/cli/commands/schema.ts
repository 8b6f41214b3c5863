/**
 * `svclab schema [--out FILE]`: print (or write) the scenario JSON Schema, the same text as
 * `schemas/scenario.schema.json`.
 */
import { writeFile } from 'node:fs/promises';
import { ExitCode, UsageError } from '../../errors.js';
import { schemaText } from '../../dsl/schema.js';
import { parseCommandArgs } from '../options.js';

export const summary = 'print the scenario JSON Schema';

export const help = `Usage: svclab schema [--out FILE]

Print the JSON Schema (draft-07) of scenario files. Editors use it through the first line of
every scenario:  # yaml-language-server: $schema=<path to>/schemas/scenario.schema.json

Options:
  --out FILE    write the schema to FILE instead of printing it
  -h, --help    show this help
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('schema', { args: argv, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: false }, `\n${help}`);
  if (parsed.values.help) {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  if (parsed.values.out !== undefined) {
    if (parsed.values.out === '') throw new UsageError('svclab schema: --out needs a file name');
    await writeFile(parsed.values.out, schemaText());
    return ExitCode.ok;
  }
  process.stdout.write(schemaText());
  return ExitCode.ok;
}
