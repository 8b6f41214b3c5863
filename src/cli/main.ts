#!/usr/bin/env node
/**
 * svclab's entry point: dispatch to one module per command. Every command module exports
 * `summary` and `run(argv)`, resolving to an exit code. Errors that are the user's (SvclabError)
 * print as a message with their exit code; anything else is a bug and keeps its stack.
 */
import { SvclabError, ExitCode } from '../errors.js';
import { userErrorText } from './user-errors.js';

interface CommandModule {
  summary: string;
  run(argv: string[]): Promise<number>;
}

/**
 * Command name -> module path and one-line summary (the same text as the module's `summary`; the
 * modules are loaded lazily, so `svclab validate` never loads a backend and `svclab --help` nothing).
 */
const commands: Record<string, { module: string; summary: string }> = {
  run: { module: './commands/run.js', summary: 'run scenarios on a backend and write reports' },
  validate: { module: './commands/validate.js', summary: 'check scenario files without running them' },
  schema: { module: './commands/schema.js', summary: 'print the scenario JSON Schema' },
  new: { module: './commands/new.js', summary: 'scaffold a commented scenario file' },
  rules: { module: './commands/rules.js', summary: 'print the iptables or nftables rules kube-proxy would write on a node' },
  trace: { module: './commands/trace.js', summary: 'show the path of one packet through the rules' },
  import: { module: './commands/import.js', summary: 'turn kubectl output of a real cluster into a scenario' },
  proxyd: { module: './commands/proxyd.js', summary: 'run the proxy daemon for a scenario (real TCP on loopback)' },
  compare: { module: './commands/compare.js', summary: 'run scenarios on several backends and compare' },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([c, { summary }]) => `  ${c.padEnd(width)}  ${summary}`);
  return [
    'Usage: svclab <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'svclab <command> --help' for a command's options.",
    'Exit codes: 0 passed, 1 expectation failed, 2 usage error, 3 invalid scenario,',
    '            4 backend unavailable, 130 interrupted.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version') {
    const { version } = await import('../version.js');
    process.stdout.write(version + '\n');
    return ExitCode.ok;
  }
  const modulePath = Object.hasOwn(commands, name) ? commands[name].module : undefined;
  if (modulePath === undefined) {
    process.stderr.write(`svclab: unknown command '${name}'\n\n${usage()}\n`);
    return ExitCode.usage;
  }
  const command = (await import(modulePath)) as CommandModule;
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof SvclabError) {
      process.stderr.write(userErrorText(err));
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`svclab: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    }
  },
);
