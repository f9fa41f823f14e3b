// evaluate: the whole decision for one review, shared by the HTTP handler and the CLI. Total and
// deterministic (kube-apiserver caches answers by the review's spec): no I/O, no clock, no
// throw; an image that does not parse is one more denied image.
import { type ImageReference, InvalidImageReferenceError, formatReference, parseImageReference } from '../reference';
import { ReportIndex, type VulnerabilityGate, gateReport } from '../vulnerabilities';
import type { CompiledPolicy } from './compile';
import { type EvaluationContext, type TagResolution, formatTagKey } from './context';
import { BREAK_GLASS_ANNOTATION, type Decision, type ImageVerdict, type ReviewSubject } from './decision';
import { type CompiledPattern, type ImageSubject, type PatternSet, prepareSubject } from './matcher';
import { buildReason, describeDenial } from './reason';
import { type VulnerabilityOverlay, findResolution, mergeVulnerabilityGate } from './scanning';
import type { PolicyMode } from './schema';

export const NO_ALLOW_RULE = 'no allow pattern matches';
export const REQUIRE_DIGEST_RULE = 'requireDigest: not pinned by digest';
export const INVALID_REFERENCE_RULE = 'invalid reference';
export const RESOLVE_TAGS_RULE = 'resolveTags';
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
}

/** What a verdict records beyond the rule: the resolved digest, the report used, a resolution fault. */
type VerdictExtras = Pick<ImageVerdict, 'digest' | 'report' | 'resolveError'>;
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
  return { mode, requireDigest, breakGlass, allow, deny, gate: mergeVulnerabilityGate(policy.vulnerabilities, vulnerabilityOverlays) };
}

function deny(image: string, normalized: string | undefined, rule: string, why: string, extras: VerdictExtras = NO_EXTRAS): Judgement {
  const verdict = normalized === undefined ? { image, allowed: false, rule } : { image, normalized, allowed: false, rule, ...extras };
  return { verdict, denial: describeDenial(image, normalized, why) };
}

/** The first pattern, in list order, that matches the image as written or as resolved to a digest. */
function findMatch(sets: readonly PatternSet[], subject: ImageSubject, resolved: ImageSubject | undefined): CompiledPattern | undefined {
  for (const set of sets) {
    const match = set.findMatch(subject) ?? (resolved === undefined ? undefined : set.findMatch(resolved));
    if (match !== undefined) return match;
  }
  return undefined;
}

function describeResolution(resolution: TagResolution | undefined): VerdictExtras {
  if (resolution === undefined) return NO_EXTRAS;
  return resolution.ok ? { digest: resolution.digest } : { resolveError: resolution.fault };
}

function judgeImage(written: string, settings: NamespaceSettings, policy: CompiledPolicy, context: EvaluationContext): Judgement {
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
  const resolution = findResolution(policy.resolveTags, reference, context.resolutions);
  // A resolved tag is judged as both: digest-pinned deny and allow entries then apply to it too.
  const resolved = resolution?.ok === true ? { ...subject, digest: resolution.digest } : undefined;
  let extras = describeResolution(resolution);
  const deniedBy = findMatch(settings.deny, subject, resolved);
  if (deniedBy !== undefined) return deny(image, normalized, deniedBy.rule, `denied by ${deniedBy.rule}`, extras);
  if (resolution?.ok === false && policy.resolveTags?.onError === 'deny') {
    return deny(image, normalized, `${RESOLVE_TAGS_RULE}: ${resolution.fault}`, `could not be resolved to a digest: ${resolution.fault}`, extras);
  }
  const allowedBy = findMatch(settings.allow, subject, resolved);
  if (allowedBy === undefined) return deny(image, normalized, NO_ALLOW_RULE, 'matches no allow pattern', extras);
  // Resolution does not pin: the runtime still pulls the tag, which may move after admission.
  if (settings.requireDigest && reference.digest === undefined) {
    return deny(image, normalized, REQUIRE_DIGEST_RULE, 'is not pinned by digest (requireDigest)', extras);
  }
  if (settings.gate !== undefined) {
    const tag = reference.tag === undefined ? undefined : formatTagKey({ registry: reference.registry, repository: reference.repository, tag: reference.tag });
    const report = (context.reports ?? ReportIndex.EMPTY).findReport(tag, reference.digest ?? resolved?.digest);
    if (report !== undefined) extras = { ...extras, report: report.source };
    const gated = gateReport(report, settings.gate);
    if (!gated.passed) return deny(image, normalized, gated.rule, gated.why, extras);
  }
  return { verdict: { image, normalized, allowed: true, rule: allowedBy.rule, ...extras } };
}

/**
 * `context` carries what only I/O can learn (scan reports, resolved tags); the caller gathers it
 * before calling, so evaluate stays synchronous and gives the same answer for the same inputs.
 */
export function evaluate(policy: CompiledPolicy, review: ReviewSubject, context: EvaluationContext = NO_CONTEXT): Decision {
  const settings = resolveNamespace(policy, review.namespace);
  const judgements = review.images.map((image) => judgeImage(image, settings, policy, context));
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
