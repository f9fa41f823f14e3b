// `evaluate`: judges images (or a whole ImageReview file) exactly as the server would, through the
// same answerImageReview path. Exit 0 allowed, 1 denied, 2 usage or policy error.
import path from 'node:path';
import { Command, Option } from 'commander';
import { describeError } from '../errors';
import { answerImageReviewWith, IMAGE_REVIEW_API_VERSION, IMAGE_REVIEW_KIND, type Answer } from '../imagereview';
import { createTextLogger } from '../logger';
import { loadPolicy, PolicyError, type CompiledPolicy, type ImageVerdict } from '../policy';
import { readPolicyKeys } from '../reload';
import { ReviewContextSource, ScanningSetupError } from '../review-context';
import { type CommandContext, type CommandIo, EXIT_NEGATIVE, EXIT_SUCCESS, InputError, UsageError, collect, readInputFile } from './kit';

interface EvaluateFlags {
  readonly policy: string;
  readonly review?: string;
  readonly namespace: string;
  readonly annotation: readonly string[];
  readonly output: 'text' | 'json';
}

function parseAnnotations(pairs: readonly string[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) throw new UsageError(`--annotation must be KEY=VALUE, got ${JSON.stringify(pair)}`);
    annotations[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return annotations;
}

/** Builds the request body kube-apiserver would send for these images. */
function buildRequestBody(images: readonly string[], flags: EvaluateFlags): unknown {
  const annotations = parseAnnotations(flags.annotation);
  return {
    kind: IMAGE_REVIEW_KIND,
    apiVersion: IMAGE_REVIEW_API_VERSION,
    spec: {
      containers: images.map((image) => ({ image })),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      namespace: flags.namespace,
    },
  };
}

function readReviewBody(io: CommandIo, file: string): unknown {
  const text = readInputFile(io, '--review', file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`--review ${file} is not JSON: ${describeError(error)}`);
  }
}

/** Which key's signature met which rule, or how the signature check ended. */
function describeSignature(verdict: ImageVerdict): string | undefined {
  const signature = verdict.signature;
  if (signature === undefined) return undefined;
  if (signature.result !== 'verified') return `signature ${signature.result}`;
  return signature.signatures.map((signed) => `signed by ${signed.key} (${signed.fingerprint.slice(0, 19)}...) for ${signed.rule}`).join('; ');
}

/** The resolved digest, the report used, a lookup failure and the signature check, as the audit annotations record them. */
function describeScanning(verdict: ImageVerdict): string {
  const facts = [
    verdict.digest === undefined ? undefined : `digest ${verdict.digest}`,
    verdict.report === undefined ? undefined : `report ${verdict.report}`,
    verdict.resolveError === undefined ? undefined : `resolve error: ${verdict.resolveError}`,
    describeSignature(verdict),
  ].filter((fact) => fact !== undefined);
  return facts.length === 0 ? '' : ` [${facts.join('; ')}]`;
}

function describeAnswer(answer: Answer): string {
  if (answer.kind === 'invalid-request') return `DENY ${answer.fault}\n`;
  const { decision } = answer;
  const lines = decision.images.map(
    (verdict) =>
      `  ${verdict.allowed ? 'allow' : 'deny '} ${verdict.image}${verdict.normalized && verdict.normalized !== verdict.image ? ` (${verdict.normalized})` : ''}: ${verdict.rule}${describeScanning(verdict)}`,
  );
  const headline = decision.allowed
    ? decision.enforcedAllowed
      ? 'ALLOW'
      : `ALLOW (${decision.breakGlass ? 'break-glass' : 'audit mode'}; enforce would deny: ${decision.reason ?? ''})`
    : `DENY ${decision.reason ?? ''}`;
  return `${headline}\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}policy ${decision.policy.name} (${decision.policy.hash}), mode ${decision.mode}\n`;
}

/** A policy that does not load, or names reports, registry or key files that cannot be used, is input the command cannot use. */
function loadEvaluatedPolicy(io: CommandIo, file: string): CompiledPolicy {
  const text = readInputFile(io, '--policy', file);
  try {
    const policy = loadPolicy(text, file);
    readPolicyKeys(policy, text, path.dirname(file));
    return policy;
  } catch (error) {
    if (error instanceof PolicyError) throw new InputError(error.message);
    throw error;
  }
}

async function runEvaluate(io: CommandIo, images: readonly string[], flags: EvaluateFlags): Promise<number> {
  if (flags.review !== undefined && images.length > 0) throw new UsageError('give either IMAGE arguments or --review FILE, not both');
  if (flags.review === undefined && images.length === 0) throw new UsageError('give at least one IMAGE, or --review FILE');
  const body = flags.review === undefined ? buildRequestBody(images, flags) : readReviewBody(io, flags.review);
  const policy = loadEvaluatedPolicy(io, flags.policy);
  // The same reports and registry lookups the server would use, read once (nothing is watched).
  // Refused report files and lookup problems go to stderr as one line each; stdout stays the answer.
  const logger = createTextLogger({ prefix: 'evaluate', level: 'warn', write: (text) => io.stderr.write(text) });
  const context = new ReviewContextSource({ logger, watch: false });
  try {
    try {
      context.follow(policy, true);
    } catch (error) {
      if (error instanceof ScanningSetupError) throw new InputError(error.message);
      throw error;
    }
    const prepared = answerImageReviewWith(policy, body, (review) => context.prepare(policy, review));
    const answer = prepared instanceof Promise ? await prepared : prepared;
    io.stdout.write(flags.output === 'json' ? `${JSON.stringify(answer.response, null, 2)}\n` : describeAnswer(answer));
    return answer.response.status.allowed ? EXIT_SUCCESS : EXIT_NEGATIVE;
  } finally {
    context.close();
  }
}

export function registerEvaluateCommand(program: Command, context: CommandContext): void {
  program
    .command('evaluate')
    .description(
      'Judge images, or an ImageReview file, against a policy exactly as the server would (reading the same scan reports and asking the same registries when the policy says so). Exit 0 allowed, 1 denied, 2 usage or policy error.',
    )
    .argument('[image...]', 'image references as written in a pod spec')
    .requiredOption('--policy <file>', 'policy file')
    .option('--review <file>', 'an ImageReview request (JSON) instead of IMAGE arguments')
    .option('--namespace <ns>', 'namespace of the pod', 'default')
    .option('--annotation <key=value>', 'pod annotation (repeatable), e.g. alpha.image-policy.k8s.io/break-glass=true', collect, [])
    .addOption(new Option('--output <format>', 'text, or json for the ImageReview response the server would send').choices(['text', 'json']).default('text'))
    .action((images: string[], flags: EvaluateFlags) => context.run('evaluate', () => runEvaluate(context.io, images, flags)));
}
