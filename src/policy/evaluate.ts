// evaluate: the whole decision for one review, shared by the HTTP handler and the CLI. Total and
// deterministic (kube-apiserver caches answers by the review's spec): no I/O, no clock, no
// throw; an image that does not parse is one more denied image.
import { type ImageReference, InvalidImageReferenceError, formatReference, parseImageReference } from '../reference';
import { ReportIndex, type VulnerabilityGate, gateReport } from '../vulnerabilities';
import type { CompiledPolicy } from './compile';
import { type EvaluationContext, type TagResolution, formatTagKey, listTagsToResolve } from './context';
import { BREAK_GLASS_ANNOTATION, type Decision, type ImageVerdict, type ReviewSubject } from './decision';
import { type CompiledPattern, type ImageSubject, type PatternSet, prepareSubject } from './matcher';
import { buildReason, describeDenial } from './reason';
import { type VulnerabilityOverlay, findResolution, mergeVulnerabilityGate } from './scanning';
import type { PolicyMode } from './schema';
import { collectSignatureRules, judgeSignatures, listSignatureWork, planSignatureCheck } from './signature-gate';
import type { SignatureRule } from './signature-rules';

export const NO_ALLOW_RULE = 'no allow pattern matches';
export const REQUIRE_DIGEST_RULE = 'requireDigest: not pinned by digest';
export const INVALID_REFERENCE_RULE = 'invalid reference';
export const RESOLVE_TAGS_RULE = 'resolveTags';
export const MAX_IMAGES_RULE = 'limits.maxImagesPerReview';
export const MAX_TAGS_RULE = 'resolveTags.maxTagsPerReview';
const BREAK_GLASS_VALUE = 'true';
const NO_CONTEXT: EvaluationContext = {};

/** The policy as it applies in one namespace, after every matching overlay. */
interface NamespaceSettings {
  readonly mode: PolicyMode;
  readonly requireDigest: boolean;
  readonly breakGlass: boolean;
  readonly allow: readonly PatternSet[];
  readonly deny: readonly PatternSet[];
  readonly gate: VulnerabilityGate | undefined;
  readonly signatureRules: readonly SignatureRule[];
}

/** What a verdict records beyond the rule: the resolved digest, the report used, a resolution fault, the signature check. */
type VerdictExtras = Pick<ImageVerdict, 'digest' | 'report' | 'resolveError' | 'resolveLimited' | 'signature'>;
const NO_EXTRAS: VerdictExtras = {};

interface Judgement {
  readonly verdict: ImageVerdict;
  /** Set when denied: the words the reason uses for this image. */
  readonly denial?: string;
}

function resolveNamespace(policy: CompiledPolicy, namespace: string): NamespaceSettings {
  let { mode, requireDigest, breakGlass } = policy;
  const allow = [policy.allow];
  const deny = [policy.deny];
  const vulnerabilityOverlays: VulnerabilityOverlay[] = [];
  for (const overlay of policy.namespaces) {
    if (!overlay.names.some((glob) => glob.matches(namespace))) continue;
    allow.push(overlay.allow);
    deny.push(overlay.deny);
    mode = overlay.mode ?? mode;
    requireDigest = overlay.requireDigest ?? requireDigest;
    breakGlass = overlay.breakGlass ?? breakGlass;
    if (overlay.vulnerabilities !== undefined) vulnerabilityOverlays.push(overlay.vulnerabilities);
  }
  const gate = mergeVulnerabilityGate(policy.vulnerabilities, vulnerabilityOverlays);
  return { mode, requireDigest, breakGlass, allow, deny, gate, signatureRules: collectSignatureRules(policy, namespace) };
}

function deny(image: string, normalized: string | undefined, rule: string, why: string, extras: VerdictExtras = NO_EXTRAS): Judgement {
  const verdict = normalized === undefined ? { image, allowed: false, rule } : { image, normalized, allowed: false, rule, ...extras };
  return { verdict, denial: describeDenial(image, normalized, why) };
}

/** The first pattern, in list order, that matches any of the forms an image is judged as. */
function findMatch(sets: readonly PatternSet[], subjects: readonly ImageSubject[]): CompiledPattern | undefined {
  for (const set of sets) {
    for (const subject of subjects) {
      const match = set.findMatch(subject);
      if (match !== undefined) return match;
    }
  }
  return undefined;
}

/** Set when the review names more distinct tags to resolve than the policy lets one review look up. */
function findTagLimitFault(policy: CompiledPolicy, images: readonly string[]): string | undefined {
  const settings = policy.resolveTags;
  if (settings === undefined) return undefined;
  const count = listTagsToResolve(policy, images).length;
  return count > settings.maxTagsPerReview ? `review names ${count} distinct tags to resolve, more than ${MAX_TAGS_RULE} (${settings.maxTagsPerReview})` : undefined;
}

/** Set when the review names more distinct digests to verify than the signatures section lets one review check. */
function findSignatureLimitFault(policy: CompiledPolicy, review: ReviewSubject, context: EvaluationContext, tagLimitFault: string | undefined): string | undefined {
  const images = review.images.flatMap((image) => {
    try {
      const reference = parseImageReference(image);
      return [{ reference, resolution: findResolution(policy.resolveTags, reference, context.resolutions, tagLimitFault) }];
    } catch {
      // An image that does not parse is denied for that; it has nothing to verify.
      return [];
    }
  });
  return listSignatureWork(policy, review.namespace, images).limitFault;
}

function describeResolution(resolution: TagResolution | undefined): VerdictExtras {
  if (resolution === undefined) return NO_EXTRAS;
  if (resolution.ok) return { digest: resolution.digest };
  return resolution.limited === true ? { resolveError: resolution.fault, resolveLimited: true } : { resolveError: resolution.fault };
}

/** True when a failed lookup may be judged as written: onError allows it and the webhook's own limits did not cause it. */
function mayJudgeAsWritten(resolution: TagResolution, policy: CompiledPolicy): boolean {
  return !resolution.ok && resolution.limited !== true && policy.resolveTags?.onError === 'allow-with-audit';
}

/**
 * Scan gating. A known digest (written, or resolved) is only vouched for by a report that names
 * it. A resolved tag is also held to the report of the tag itself, as it would be without
 * resolution: resolution may only add refusals, never remove one.
 */
function gateImage(reference: ImageReference, resolvedDigest: string | undefined, gate: VulnerabilityGate, context: EvaluationContext) {
  const reports = context.reports ?? ReportIndex.EMPTY;
  const tagKey = reference.tag === undefined ? undefined : formatTagKey({ registry: reference.registry, repository: reference.repository, tag: reference.tag });
  const digest = reference.digest ?? resolvedDigest;
  const report = reports.findReport(tagKey, digest);
  const gated = gateReport(report, gate);
  if (!gated.passed || resolvedDigest === undefined) return gated;
  const tagReport = reports.findTagReport(tagKey);
  if (tagReport === undefined || tagReport === report) return gated;
  const tagGated = gateReport(tagReport, { ...gate, requireReport: false });
  return tagGated.passed ? gated : tagGated;
}

interface ReviewLimits {
  readonly tags: string | undefined;
  readonly signatures: string | undefined;
}

function judgeImage(written: string, settings: NamespaceSettings, policy: CompiledPolicy, context: EvaluationContext, limits: ReviewLimits): Judgement {
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
  const resolution = findResolution(policy.resolveTags, reference, context.resolutions, limits.tags);
  const extras = describeResolution(resolution);
  // What the tag points to now: its digest is judged too, for deny entries and scan reports only.
  const resolvedDigest = resolution?.ok === true ? resolution.digest : undefined;
  const denySubjects = resolvedDigest === undefined ? [subject] : [subject, prepareSubject({ registry: reference.registry, repository: reference.repository, digest: resolvedDigest })];
  const deniedBy = findMatch(settings.deny, denySubjects);
  if (deniedBy !== undefined) return deny(image, normalized, deniedBy.rule, `denied by ${deniedBy.rule}`, extras);
  if (resolution?.ok === false && !mayJudgeAsWritten(resolution, policy)) {
    return deny(image, normalized, `${RESOLVE_TAGS_RULE}: ${resolution.fault}`, `could not be resolved to a digest: ${resolution.fault}`, extras);
  }
  // Allow entries see the image only as written: the runtime pulls the tag, which may move after
  // admission, so the digest it points to now cannot vouch for it.
  const allowedBy = findMatch(settings.allow, [subject]);
  if (allowedBy === undefined) return deny(image, normalized, NO_ALLOW_RULE, 'matches no allow pattern', extras);
  if (settings.requireDigest && reference.digest === undefined) {
    return deny(image, normalized, REQUIRE_DIGEST_RULE, 'is not pinned by digest (requireDigest)', extras);
  }
  let judged = extras;
  if (settings.gate !== undefined) {
    const gated = gateImage(reference, resolvedDigest, settings.gate, context);
    if (gated.report !== undefined) judged = { ...extras, report: gated.report.source };
    if (!gated.passed) return deny(image, normalized, gated.rule, gated.why, judged);
  }
  // Last: a signature only ever adds a refusal to what the rest of the policy admits.
  const signature = judgeSignatures(planSignatureCheck(policy, settings.signatureRules, reference, resolution, subject), context, limits.signatures);
  if (signature === undefined) return { verdict: { image, normalized, allowed: true, rule: allowedBy.rule, ...judged } };
  if (signature.result !== 'verified') {
    return deny(image, normalized, `${signature.rule}: ${signature.fault}`, `failed ${signature.rule}: ${signature.fault}`, { ...judged, signature });
  }
  return { verdict: { image, normalized, allowed: true, rule: allowedBy.rule, ...judged, signature } };
}

/**
 * `context` carries what only I/O can learn (scan reports, resolved tags); the caller gathers it
 * before calling, so evaluate stays synchronous and gives the same answer for the same inputs.
 */
export function evaluate(policy: CompiledPolicy, review: ReviewSubject, context: EvaluationContext = NO_CONTEXT): Decision {
  const settings = resolveNamespace(policy, review.namespace);
  const annotations = review.annotations;
  const requested = Object.hasOwn(annotations, BREAK_GLASS_ANNOTATION) && annotations[BREAK_GLASS_ANNOTATION] === BREAK_GLASS_VALUE;
  // Annotations are pod-author input: they count only where the policy opted in.
  const breakGlass = settings.breakGlass && requested;
  const decide = (enforcedAllowed: boolean, images: readonly ImageVerdict[], reason: string | undefined): Decision => ({
    allowed: enforcedAllowed || settings.mode === 'audit' || breakGlass,
    enforcedAllowed,
    mode: settings.mode,
    breakGlass,
    images,
    ...(reason === undefined ? {} : { reason }),
    policy: { name: policy.name, hash: policy.hash },
  });
  // No real pod comes near the cap; judging a flood of images would only stall other reviews.
  const limit = policy.limits.maxImagesPerReview;
  if (review.images.length > limit) {
    return decide(false, [], buildReason([`review has ${review.images.length} images, more than ${MAX_IMAGES_RULE} (${limit}); none was judged`], policy.name));
  }
  const tagLimitFault = findTagLimitFault(policy, review.images);
  // Fewer images than the limit cannot name more digests than it: most reviews skip the count.
  const countSignatures = settings.signatureRules.length > 0 && review.images.length > (policy.signatures?.maxImagesPerReview ?? Infinity);
  const limits = { tags: tagLimitFault, signatures: countSignatures ? findSignatureLimitFault(policy, review, context, tagLimitFault) : undefined };
  const judgements = review.images.map((image) => judgeImage(image, settings, policy, context, limits));
  const enforcedAllowed = judgements.every((judgement) => judgement.verdict.allowed);
  const denials = judgements.flatMap((judgement) => (judgement.denial === undefined ? [] : [judgement.denial]));
  return decide(enforcedAllowed, judgements.map((judgement) => judgement.verdict), enforcedAllowed ? undefined : buildReason(denials, policy.name));
}
