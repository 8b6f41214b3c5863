/**
 * `svclab schema [--out FILE]`: print (or write) the scenario JSON Schema, the same text as
 * `schemas/scenario.schema.json`.
 */
import { ExitCode, UsageError } from '../../errors.js';
import { schemaText } from '../../dsl/schema.js';
import { parseCommandArgs } from '../options.js';
import { writeSingleFile } from '../output-files.js';

export const summary = 'print the scenario JSON Schema';

export const help = `Usage: svclab schema [--out FILE]

Print the JSON Schema (draft-07) of scenario files. Editors use it through the first line of
every scenario:  # yaml-language-server: $schema=<path to>/schemas/scenario.schema.json

Options:
  --out FILE    write the schema to FILE instead of printing it; an existing FILE is replaced
                only when it is svclab's scenario schema (never through a symbolic link)
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
    await writeSingleFile(parsed.values.out, schemaText(), 'svclab schema: --out', isSvclabSchema);
    return ExitCode.ok;
  }
  process.stdout.write(schemaText());
  return ExitCode.ok;
}

/** An earlier `svclab schema --out` (any version): JSON whose $id is svclab's scenario schema. */
function isSvclabSchema(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { $id?: unknown };
    return parsed.$id === (JSON.parse(schemaText()) as { $id: string }).$id;
  } catch {
    return false;
  }
}
