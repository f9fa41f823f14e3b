#!/usr/bin/env node
// Composition root: builds the command line and maps failures to exit codes.
// Every command lives in its own file under cli/; this file only wires them together.
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import {
  registerApiserverConfigCommand,
  registerCheckCommand,
  registerEvaluateCommand,
  registerPkiCommand,
  registerReplayCommand,
  registerServeCommand,
  registerSuggestCommand,
  registerTestCommand,
} from './cli';

/** Exit code for a usage error (unknown flag, missing argument), shared by every command. */
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command('image-policy-webhook')
    .description('Backend for the kube-apiserver ImagePolicyWebhook admission plugin.')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerServeCommand(program);
  registerCheckCommand(program);
  registerEvaluateCommand(program);
  registerPkiCommand(program);
  registerApiserverConfigCommand(program);
  registerSuggestCommand(program);
  registerReplayCommand(program);
  registerTestCommand(program);
  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; everything else is a usage error.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv).catch((error: unknown) => {
    process.stderr.write(`image-policy-webhook: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
