/**
 * Command-line parsing the commands share: node's parseArgs with its errors as usage errors, and
 * the flags several commands take (--seed and other integers, --grep, --color/--no-color).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

/**
 * `parseArgs(config)`; a parse error (unknown option, missing value) becomes a UsageError
 * `svclab <command>: <message>` followed by `after` (a pointer to --help, or the help itself).
 */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T, after: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(`svclab ${command}: ${(err as Error).message}\n${after}`);
  }
}

/** The highest --seed: seeds are unsigned 32-bit. */
export const MAX_SEED = 2 ** 32 - 1;

/** The value of `--<flag>`: a decimal integer from `min` to `max`, else a UsageError. */
export function integerOption(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max} (got '${text}')`);
  }
  return Number(text);
}

/** The value of --grep as a regular expression, else a UsageError. */
export function grepOption(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (err) {
    throw new UsageError(`--grep is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** --no-color wins over --color; neither leaves the choice to the environment (undefined). */
export function colorOption(values: { color?: boolean; 'no-color'?: boolean }): boolean | undefined {
  if (values['no-color'] === true) return false;
  if (values.color === true) return true;
  return undefined;
}
