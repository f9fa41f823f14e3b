// Runs one command line in-process through the program main.ts builds, with memory streams: the
// same commands, flags and exit-code table as `node dist/main.js`, without a process per case.
import { runProgram } from '../../src/main';
import type { CliResult } from './cli';

export async function runInProcess(args: readonly string[], stdin = ''): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runProgram(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: () => stdin,
  });
  return { code, stdout, stderr };
}
