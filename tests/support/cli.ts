// Runs the command line in-process: runProgram, exactly what main.ts runs, with memory streams.
// Fast, so every test of what a command decides and prints uses it; built-cli.ts spawns the real
// binary for the few system tests of the process itself.
import { runProgram } from '../../src/main';
import type { CliResult } from './built-cli';

export { type CliResult, PROJECT_ROOT } from './built-cli';

export interface CliOptions {
  /** The working directory for the command (relative paths, the names it prints). */
  readonly cwd?: string;
  /** Standard input, for `-` file arguments. */
  readonly input?: string;
}

/** Runs one command line in this process and returns its exit code and output. */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: () => options.input ?? '',
  };
  const previous = process.cwd();
  if (options.cwd !== undefined) process.chdir(options.cwd);
  try {
    const code = await runProgram(args, io);
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
  }
}
