// What every command is built from: the process streams it may use (CommandIo), the one table
// from outcome to exit code with the errors that select a row, the runner that applies it, the
// reader for file arguments (`-` is stdin), the atomic writer, and repeatable flags.
export { CommandContext } from './context';
export { EXIT_ERROR, EXIT_NEGATIVE, EXIT_SUCCESS, type ExitCode, InputError, PROGRAM_NAME, RefusedError, UsageError, describeFailure, exitCodeFor } from './exit';
export { STDIN, readInputFile, writeFileAtomically } from './files';
export { collect } from './flags';
export { type CommandIo, type OutputStream } from './io';
