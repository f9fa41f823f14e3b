// The one table from outcome to exit code, for every command:
//
//   0  success: valid, allowed, every case passed, files written
//   1  the answer is no: denied, an invalid policy, a failing case, a PKI problem, a replay that
//      changes answers; and a refusal (RefusedError): the command would not act on what it was
//      given (files it will not overwrite, settings kube-apiserver rejects, a server that cannot
//      start), and nothing was done
//   2  a usage error (unknown flag, missing argument), an input it cannot read or understand, or
//      an internal error (a bug: anything else thrown)
//
// A command returns 0 or 1 for its answer and throws one of the errors below for the rest.
import { CommanderError } from 'commander';
import { describeError } from '../../errors';

export const EXIT_SUCCESS = 0;
export const EXIT_NEGATIVE = 1;
export const EXIT_ERROR = 2;

export type ExitCode = typeof EXIT_SUCCESS | typeof EXIT_NEGATIVE | typeof EXIT_ERROR;

export interface CommandErrorOptions {
  /** The message is complete as it is (`file:line:col: ...` lines): no `command:` prefix. */
  readonly bare?: boolean;
}

abstract class CommandError extends Error {
  abstract readonly exitCode: ExitCode;
  readonly bare: boolean;
  constructor(message: string, options: CommandErrorOptions = {}) {
    super(message);
    this.bare = options.bare === true;
  }
}

/** Flags or arguments that do not fit together or do not parse. */
export class UsageError extends CommandError {
  override readonly name = 'UsageError';
  readonly exitCode = EXIT_ERROR;
}

/** A file the command was given cannot be read or understood. */
export class InputError extends CommandError {
  override readonly name = 'InputError';
  readonly exitCode = EXIT_ERROR;
}

/** The command refused to act on what it was given, and did nothing. */
export class RefusedError extends CommandError {
  override readonly name = 'RefusedError';
  readonly exitCode = EXIT_NEGATIVE;
}

/** The prefix of a failure the command cannot attribute: an internal error. */
export const PROGRAM_NAME = 'image-policy-webhook';

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommandError) return error.exitCode;
  // --help and --version end through commander with exit code 0; everything else it raises is usage.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_SUCCESS : EXIT_ERROR;
  return EXIT_ERROR;
}

/** The stderr text for a failure; empty for commander's, which has printed its own. */
export function describeFailure(command: string, error: unknown): string {
  if (error instanceof CommanderError) return '';
  if (error instanceof CommandError) return `${error.bare ? '' : `${command}: `}${error.message}\n`;
  return `${PROGRAM_NAME}: internal error: ${describeError(error)}\n`;
}
