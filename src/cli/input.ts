// Reading the files a command is given, with `-` meaning standard input, and the error a command
// turns into its usage exit code.
import { readFileSync } from 'node:fs';

export const STDIN = '-';
const STDIN_FD = 0;

/** A file a command was given cannot be read or understood: the command's fault exit code. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

export function readInput(flag: string, file: string): string {
  try {
    return readFileSync(file === STDIN ? STDIN_FD : file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
