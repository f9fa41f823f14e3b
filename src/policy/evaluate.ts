// evaluate: the whole decision for one review, shared by the HTTP handler and the CLI. Total and
// deterministic (kube-apiserver caches answers by the review's spec): no I/O, no clock, no
// throw; an image that does not parse is one more denied image.
import { type ImageReference, InvalidImageReferenceError, formatReference, parseImageReference } from '../reference';
import type { CompiledPolicy } from './compile';
import { BREAK_GLASS_ANNOTATION, type Decision, type ImageVerdict, type ReviewSubject } from './decision';
import { type CompiledPattern, type PatternSet, prepareSubject } from './matcher';
import { buildReason, describeDenial } from './reason';
import type { PolicyMode } from './schema';

export const NO_ALLOW_RULE = 'no allow pattern matches';
export const REQUIRE_DIGEST_RULE = 'requireDigest: not pinned by digest';
export const INVALID_REFERENCE_RULE = 'invalid reference';
const BREAK_GLASS_VALUE = 'true';

/** The policy as it applies in one namespace, after every matching overlay. */
interface NamespaceSettings {
  readonly mode: PolicyMode;
  readonly requireDigest: boolean;
  readonly breakGlass: boolean;
  readonly allow: readonly PatternSet[];
  readonly deny: readonly PatternSet[];
}

interface Judgement {
  readonly verdict: ImageVerdict;
  /** Set when denied: the words the reason uses for this image. */
  readonly denial?: string;
}

function resolveNamespace(policy: CompiledPolicy, namespace: string): NamespaceSettings {
  let { mode, requireDigest, breakGlass } = policy;
  const allow = [policy.allow];
  const deny = [policy.deny];
  for (const overlay of policy.namespaces) {
    if (!overlay.names.some((glob) => glob.matches(namespace))) continue;
    allow.push(overlay.allow);
    deny.push(overlay.deny);
    mode = overlay.mode ?? mode;
    requireDigest = overlay.requireDigest ?? requireDigest;
    breakGlass = overlay.breakGlass ?? breakGlass;
  }
  return { mode, requireDigest, breakGlass, allow, deny };
}

function deny(image: string, normalized: string | undefined, rule: string, why: string): Judgement {
  const verdict = normalized === undefined ? { image, allowed: false, rule } : { image, normalized, allowed: false, rule };
  return { verdict, denial: describeDenial(image, normalized, why) };
}

function judgeImage(written: string, settings: NamespaceSettings): Judgement {
  // Images come from decoded JSON: a non-string that slipped past the decoder is still denied, never thrown on.
  const image = typeof written === 'string' ? written : String(written);
  let reference: ImageReference;
  try {
    reference = parseImageReference(image);
  } catch (error) {
    const fault = error instanceof InvalidImageReferenceError ? error.fault : 'cannot be read as an image reference';
    return deny(image, undefined, `${INVALID_REFERENCE_RULE}: ${fault}`, `is not a valid image reference: ${fault}`);
  }
  const normalized = formatReference(reference);
  const subject = prepareSubject(reference);
  for (const set of settings.deny) {
    const match = set.findMatch(subject);
    if (match !== undefined) return deny(image, normalized, match.rule, `denied by ${match.rule}`);
  }
  let allowedBy: CompiledPattern | undefined;
  for (const set of settings.allow) {
    allowedBy = set.findMatch(subject);
    if (allowedBy !== undefined) break;
  }
  if (allowedBy === undefined) return deny(image, normalized, NO_ALLOW_RULE, 'matches no allow pattern');
  if (settings.requireDigest && reference.digest === undefined) {
    return deny(image, normalized, REQUIRE_DIGEST_RULE, 'is not pinned by digest (requireDigest)');
  }
  return { verdict: { image, normalized, allowed: true, rule: allowedBy.rule } };
}

export function evaluate(policy: CompiledPolicy, review: ReviewSubject): Decision {
  const settings = resolveNamespace(policy, review.namespace);
  const judgements = review.images.map((image) => judgeImage(image, settings));
  const enforcedAllowed = judgements.every((judgement) => judgement.verdict.allowed);
  const annotations = review.annotations;
  const requested = Object.hasOwn(annotations, BREAK_GLASS_ANNOTATION) && annotations[BREAK_GLASS_ANNOTATION] === BREAK_GLASS_VALUE;
  // Annotations are pod-author input: they count only where the policy opted in.
  const breakGlass = settings.breakGlass && requested;
  const denials = judgements.flatMap((judgement) => (judgement.denial === undefined ? [] : [judgement.denial]));
  return {
    allowed: enforcedAllowed || settings.mode === 'audit' || breakGlass,
    enforcedAllowed,
    mode: settings.mode,
    breakGlass,
    images: judgements.map((judgement) => judgement.verdict),
    ...(enforcedAllowed ? {} : { reason: buildReason(denials, policy.name) }),
    policy: { name: policy.name, hash: policy.hash },
  };
}
