#!/usr/bin/env node
/**
 * svclab's entry point: dispatch to one module per command. Every command module exports
 * `summary` and `run(argv)`, resolving to an exit code. Errors that are the user's (SvclabError)
 * print as a message with their exit code; anything else is a bug and keeps its stack.
 */
import { SvclabError, ExitCode } from '../errors.js';
/** Command name -> module path (loaded lazily so `svclab validate` never loads a backend). */
const commands = {
    run: './commands/run.js',
    validate: './commands/validate.js',
    schema: './commands/schema.js',
    new: './commands/new.js',
    rules: './commands/rules.js',
    trace: './commands/trace.js',
    proxyd: './commands/proxyd.js',
    compare: './commands/compare.js',
};
const summaries = {
    run: 'run scenarios on a backend and write reports',
    validate: 'check scenario files without running them',
    schema: 'print the scenario JSON Schema',
    new: 'scaffold a commented scenario file',
    rules: "print the iptables rules kube-proxy would write on a node",
    trace: 'show the path of one packet through the rules',
    proxyd: 'run the proxy daemon for a scenario (real TCP on loopback)',
    compare: 'run scenarios on several backends and compare',
};
function usage() {
    const width = Math.max(...Object.keys(commands).map((c) => c.length));
    const lines = Object.keys(commands).map((c) => `  ${c.padEnd(width)}  ${summaries[c]}`);
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
async function main(argv) {
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
    const modulePath = commands[name];
    if (modulePath === undefined) {
        process.stderr.write(`svclab: unknown command '${name}'\n\n${usage()}\n`);
        return ExitCode.usage;
    }
    const command = (await import(modulePath));
    return command.run(rest);
}
main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
}, (err) => {
    if (err instanceof SvclabError) {
        process.stderr.write(err.message.endsWith('\n') ? err.message : err.message + '\n');
        process.exitCode = err.exitCode;
    }
    else {
        process.stderr.write(`svclab: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 70;
    }
});
//# sourceMappingURL=main.js.map