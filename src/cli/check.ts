// `check FILE`: validates a policy file the way `serve` would load it (with the key files it
// names), then lints it: patterns that are legal but probably not meant, signature rules that
// cannot be met or leave images uncovered, and the bootstrap trap. Exit 0 valid (warnings or not),
// 1 invalid — or, with --strict, any warning; 2 for a usage error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describeError } from '../errors';
import { CONTROL_PLANE_NAMESPACE, formatPolicyWarning, lintPolicy } from '../lint';
import { loadPolicy, PolicyError } from '../policy';
import { InvalidImageReferenceError, parseImageReference } from '../reference';
import { readPolicyKeys } from '../reload';
import { type CommandContext, type CommandIo, EXIT_NEGATIVE, EXIT_SUCCESS, UsageError, collect } from './kit';

interface CheckFlags {
  readonly strict?: boolean;
  readonly webhookImage: readonly string[];
  readonly webhookNamespace: string;
  /** False with --no-control-plane. */
  readonly controlPlane: boolean;
}

function findInvalidImage(images: readonly string[]): string | undefined {
  for (const image of images) {
    try {
      parseImageReference(image);
    } catch (error) {
      if (!(error instanceof InvalidImageReferenceError)) throw error;
      return `--webhook-image ${JSON.stringify(image)} ${error.fault}`;
    }
  }
  return undefined;
}

/** An unreadable or invalid file is the answer "not a valid policy" (1); a bad flag is usage (2). */
function check(io: CommandIo, file: string, flags: CheckFlags): number {
  const invalidImage = findInvalidImage(flags.webhookImage);
  if (invalidImage !== undefined) throw new UsageError(invalidImage);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    io.stderr.write(`${file}: cannot read: ${describeError(error)}\n`);
    return EXIT_NEGATIVE;
  }
  try {
    const policy = loadPolicy(text, file);
    readPolicyKeys(policy, text, path.dirname(file));
    const warnings = lintPolicy(policy, text, { controlPlane: flags.controlPlane, webhookImages: flags.webhookImage, webhookNamespace: flags.webhookNamespace });
    for (const warning of warnings) io.stderr.write(`${formatPolicyWarning(warning)}\n`);
    const count = warnings.length === 0 ? '' : `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
    io.stdout.write(`${file}: valid policy "${policy.name}" (hash ${policy.hash})${count}\n`);
    return flags.strict === true && warnings.length > 0 ? EXIT_NEGATIVE : EXIT_SUCCESS;
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return EXIT_NEGATIVE;
  }
}

export function registerCheckCommand(program: Command, context: CommandContext): void {
  program
    .command('check')
    .description(
      'Validate a policy file; print every error as file:line:col. Then warn (file:line:col: warning: ...) about patterns that are legal but probably not meant ' +
        '(a glob glued to text, ** as the registry, a registry-like Docker Hub namespace, surprising normalization, allow entries a deny makes useless, duplicates) ' +
        'and about the bootstrap trap: control-plane images (and --webhook-image) the policy would refuse. Exit 0 when valid, 1 when not (or, with --strict, when there are warnings).',
    )
    .argument('<file>', 'policy file')
    .option('--strict', 'exit 1 when there are warnings')
    .option('--webhook-image <image>', "the webhook's own image, when it runs as a (static) pod; repeatable", collect, [])
    .option('--webhook-namespace <ns>', 'namespace the webhook pod runs in', CONTROL_PLANE_NAMESPACE)
    .option('--no-control-plane', 'skip the control-plane images check (for a policy that does not guard a control plane)')
    .action((file: string, flags: CheckFlags) => context.run('check', () => check(context.io, file, flags)));
}
