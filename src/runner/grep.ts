/**
 * --grep matching with a time bound. JavaScript regular expressions backtrack: a pattern such as
 * `(a+)+b` takes exponential time on a name like `aaaa…a`, and a match cannot be interrupted on
 * the main thread. Each match runs in a `vm` context with a timeout instead; a pattern that runs
 * past it is a usage error naming the pattern, not a hung run.
 */
import vm from 'node:vm';
import { UsageError } from '../errors.js';

/** Longest one --grep match may take. Ordinary patterns take microseconds. */
export const GREP_MATCH_LIMIT_MS = 1000;

const script = new vm.Script('pattern.lastIndex = 0; pattern.test(text)');
let context: vm.Context | undefined;

/** `pattern.test(text)`, or a UsageError when it takes longer than GREP_MATCH_LIMIT_MS. */
export function grepMatches(pattern: RegExp, text: string): boolean {
  context ??= vm.createContext({ pattern: /(?:)/, text: '' });
  context.pattern = pattern;
  context.text = text;
  try {
    return script.runInContext(context, { timeout: GREP_MATCH_LIMIT_MS }) === true;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new UsageError(
        `--grep '${pattern.source}' took over ${GREP_MATCH_LIMIT_MS} ms to match '${text}': the pattern backtracks catastrophically ` +
          '(nested repetition such as (a+)+ or (a|aa)*); write it without repeating a group that itself repeats',
      );
    }
    throw err;
  } finally {
    context.pattern = /(?:)/;
    context.text = '';
  }
}
