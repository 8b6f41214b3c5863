/**
 * `svclab import FILE... [--out FILE] [--predict]`: kubectl output of a real cluster -> a scenario.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, UsageError } from '../../errors.js';
import { PATTERNS } from '../../dsl/schema.js';
import { importCluster } from '../../import/import-cluster.js';
import { predict } from '../../import/predict.js';
import { objectsOf, readInputText } from '../../import/read-input.js';
import { writeScenario } from '../../import/write-scenario.js';
import { parseCommandArgs } from '../options.js';

export const summary = 'turn kubectl output of a real cluster into a scenario';

export const help = `Usage: svclab import FILE... [--out FILE] [--predict] [--name NAME] [--count N]

Read the output of
  kubectl get nodes,pods,services,endpointslices -A -o yaml      (or -o json)
(add 'configmap/kube-proxy -n kube-system' in a second file to import kube-proxy's mode and
options) from one or more files, or '-' for stdin, and write a scenario: the nodes with their
addresses and pod ranges, the pods on their nodes with their labels and readiness, the Services
and the EndpointSlices of selector-less Services as they are (kubectl's bookkeeping stripped), and
a starting set of steps: every Service port from a node, from a pod, and from outside on every
node port of every node.

Kinds svclab does not model are listed on stderr and left out, never fatal.

Options:
  --out FILE     write the scenario there (default: stdout); an existing file is never overwritten
  --predict      run the simulator and write its answers as the steps' expectations (each marked
                 as predicted), so the scenario passes on sim as imported
  --name NAME    scenario name (default imported-cluster)
  --count N      requests per traffic step (default 10)
  -h, --help     show this help

Exit codes: 0 written, 2 usage error or the --out file exists, 3 the input is not kubectl output
(the message names file:line:col and what was expected). See docs/import.md.
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    'import',
    {
      args: argv,
      options: { out: { type: 'string' }, predict: { type: 'boolean' }, name: { type: 'string' }, count: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    },
    `\n${help}`,
  );
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(help);
    return ExitCode.ok;
  }
  const files = parsed.positionals;
  if (!files.length) throw new UsageError(`svclab import: expected at least one FILE (or - for stdin)\n\n${help}`);
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('svclab import: stdin (-) can be read only once');
  if (v.name !== undefined && (!new RegExp(PATTERNS.scenarioName).test(v.name) || v.name.length > 100)) {
    throw new UsageError(`svclab import: invalid --name '${v.name}': expected lower-case letters, digits, '.', '_' and '-', starting with a letter or digit`);
  }
  let count = 10;
  if (v.count !== undefined) {
    if (!/^\d+$/.test(v.count) || Number(v.count) < 1 || Number(v.count) > 100000) throw new UsageError(`svclab import: --count must be 1..100000 (got '${v.count}')`);
    count = Number(v.count);
  }
  const out = v.out === undefined ? undefined : path.resolve(v.out);
  if (out !== undefined && !/\.ya?ml$/.test(out)) throw new UsageError(`svclab import: --out must end in .yaml or .yml: ${v.out}`);

  const objects = [];
  for (const f of files) objects.push(...objectsOf(await readInputText(f, readStdin)));
  const result = importCluster(objects, { ...(v.name ? { name: v.name } : {}), count });
  const schemaFile = fileURLToPath(new URL('../../../schemas/scenario.schema.json', import.meta.url));
  const schemaPath = path.relative(out ? path.dirname(out) : process.cwd(), schemaFile).split(path.sep).join('/');
  const inputs = files.map((f) => (f === '-' ? 'stdin' : path.basename(f)));
  let text = writeScenario(result, { schemaPath, inputs });
  if (v.predict) {
    const predicted = await predict(result, text);
    text = writeScenario(result, { schemaPath, inputs, predicted });
  }
  for (const line of result.leftOut) process.stderr.write(`svclab import: ${line}\n`);
  if (out === undefined) {
    process.stdout.write(text);
    return ExitCode.ok;
  }
  try {
    await writeFile(out, text, { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`svclab import: ${v.out} already exists; not overwriting it (choose another --out)`);
    throw new UsageError(`svclab import: cannot write ${v.out}: ${code ?? (err as Error).message}`);
  }
  process.stderr.write(`svclab import: wrote ${v.out}\n`);
  return ExitCode.ok;
}
