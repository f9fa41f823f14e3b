// `check FILE`: validates a policy file the way `serve` would load it. Exit 0 valid, 1 invalid.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadPolicy, PolicyError } from '../policy';

function check(file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    process.stderr.write(`${file}: cannot read: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  try {
    const policy = loadPolicy(text, file);
    process.stdout.write(`${file}: valid policy "${policy.name}" (hash ${policy.hash})\n`);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('Validate a policy file; print every error as file:line:col. Exit 0 when valid, 1 when not.')
    .argument('<file>', 'policy file')
    .action((file: string) => check(file));
}
