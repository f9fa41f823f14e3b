// How a command runs: its body returns the exit code of its answer, and whatever it throws goes
// through the failure table once, here. The last command's exit code is what the program returns.
import { describeFailure, EXIT_SUCCESS, exitCodeFor } from './exit';
import type { CommandIo } from './io';

export class CommandContext {
  /** The exit code of the command that ran (0 until one has). */
  exitCode: number = EXIT_SUCCESS;

  constructor(readonly io: CommandIo) {}

  /** Runs `body` for `command` (the name that prefixes its failures) and records its exit code. */
  async run(command: string, body: () => number | Promise<number>): Promise<void> {
    try {
      this.exitCode = await body();
    } catch (error) {
      this.io.stderr.write(describeFailure(command, error));
      this.exitCode = exitCodeFor(error);
    }
  }
}
