#!/usr/bin/env node
// Composition root: the real process (argv, stdin, stdout, stderr, exit code) meets the command
// line here and nowhere else. Every command lives in its own file under cli/ and runs through
// `runProgram`, which tests call in-process with memory streams.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  CommandContext,
  type CommandIo,
  PROGRAM_NAME,
  describeFailure,
  exitCodeFor,
  registerApiserverConfigCommand,
  registerCheckCommand,
  registerEvaluateCommand,
  registerPkiCommand,
  registerReplayCommand,
  registerServeCommand,
  registerSuggestCommand,
  registerTestCommand,
} from './cli';

const STDIN_FD = 0;

export function buildProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command(PROGRAM_NAME)
    .description('Backend for the kube-apiserver ImagePolicyWebhook admission plugin.')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .exitOverride();
  registerServeCommand(program, context);
  registerCheckCommand(program, context);
  registerEvaluateCommand(program, context);
  registerPkiCommand(program, context);
  registerApiserverConfigCommand(program, context);
  registerSuggestCommand(program, context);
  registerReplayCommand(program, context);
  registerTestCommand(program, context);
  return program;
}

/** Runs one command line (the arguments after the program name) and returns its exit code. */
export async function runProgram(args: readonly string[], io: CommandIo): Promise<number> {
  const context = new CommandContext(io);
  try {
    await buildProgram(context).parseAsync([...args], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    io.stderr.write(describeFailure(PROGRAM_NAME, error));
    return exitCodeFor(error);
  }
}

const PROCESS_IO: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => readFileSync(STDIN_FD, 'utf8'),
};

if (require.main === module) {
  void runProgram(process.argv.slice(2), PROCESS_IO).then((code) => {
    process.exitCode = code;
  });
}
