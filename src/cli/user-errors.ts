/**
 * The user's errors (SvclabError: usage, invalid scenario, backend unavailable) end a command as
 * their message on stderr and their exit code; anything else is a bug and keeps its stack.
 */
import { SvclabError } from '../errors.js';
import { terminalText } from '../report/terminal-text.js';

/** The error's message as printed (control characters from scenario text made visible), ending in one newline. */
export function userErrorText(err: SvclabError): string {
  const text = terminalText(err.message);
  return text.endsWith('\n') ? text : text + '\n';
}

/** Runs `work`; a SvclabError it throws is written to `stderr` and its exit code returned. */
export async function exitCodeOf(stderr: { write(text: string): unknown }, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SvclabError) {
      stderr.write(userErrorText(err));
      return err.exitCode;
    }
    throw err;
  }
}
