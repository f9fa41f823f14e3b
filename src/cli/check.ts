// `check FILE`: validates a policy file the way `serve` would load it, then lints it: patterns
// that are legal but probably not meant, and the bootstrap trap. Exit 0 valid (warnings or not),
// 1 invalid — or, with --strict, any warning; 2 for a usage error.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CONTROL_PLANE_NAMESPACE, formatPolicyWarning, lintPolicy } from '../lint';
import { loadPolicy, PolicyError } from '../policy';
import { InvalidImageReferenceError, parseImageReference } from '../reference';

const EXIT_VALID = 0;
const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

interface CheckFlags {
  readonly strict?: boolean;
  readonly webhookImage: readonly string[];
  readonly webhookNamespace: string;
  /** False with --no-control-plane. */
  readonly controlPlane: boolean;
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
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

function check(file: string, flags: CheckFlags): number {
  const invalidImage = findInvalidImage(flags.webhookImage);
  if (invalidImage !== undefined) {
    process.stderr.write(`check: ${invalidImage}\n`);
    return EXIT_USAGE;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    process.stderr.write(`${file}: cannot read: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_INVALID;
  }
  try {
    const policy = loadPolicy(text, file);
    const warnings = lintPolicy(policy, text, { controlPlane: flags.controlPlane, webhookImages: flags.webhookImage, webhookNamespace: flags.webhookNamespace });
    for (const warning of warnings) process.stderr.write(`${formatPolicyWarning(warning)}\n`);
    const count = warnings.length === 0 ? '' : `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
    process.stdout.write(`${file}: valid policy "${policy.name}" (hash ${policy.hash})${count}\n`);
    return flags.strict === true && warnings.length > 0 ? EXIT_INVALID : EXIT_VALID;
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return EXIT_INVALID;
  }
}

export function registerCheckCommand(program: Command): void {
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
    .action((file: string, flags: CheckFlags) => {
      process.exitCode = check(file, flags);
    });
}
