// Signature requirements for one image: which rules cover it in its namespace, which digest they
// are checked against (written, or resolved from its tag), and whether the context holds a valid
// signature by one of each rule's keys for that digest. The same plan tells the server what to
// fetch and evaluate what to decide, so the two cannot disagree about what was needed.
import type { ImageReference } from '../reference';
import type { CompiledPolicy } from './compile';
import { type EvaluationContext, type SignedDigest, type TagResolution, type VerificationSubject, formatDigestReference, formatVerificationKey } from './context';
import type { SignatureVerdict, VerifiedSignature } from './decision';
import { type ImageSubject, prepareSubject } from './matcher';
import type { SignatureRule } from './signature-rules';

export const SIGNATURE_LIMIT_RULE = 'signatures.maxImagesPerReview';
const DIGEST_UNKNOWN = 'cannot verify a signature: the digest is unknown (add the registry to resolveTags or pin the digest)';
const NOT_CHECKED = 'not verified: no signature check was made';

export type SignaturePlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'refused'; readonly verdict: Exclude<SignatureVerdict, { readonly result: 'verified' }> }
  | { readonly kind: 'verify'; readonly image: SignedDigest; readonly rules: readonly SignatureRule[] };

const NO_RULES: readonly SignatureRule[] = [];
const NONE: SignaturePlan = { kind: 'none' };

/** The rules in force in a namespace: the global ones, then those of every matching overlay. */
export function collectSignatureRules(policy: CompiledPolicy, namespace: string): readonly SignatureRule[] {
  if (policy.signatures === undefined) return NO_RULES;
  const rules = [...policy.signatures.rules];
  for (const overlay of policy.namespaces) {
    if (overlay.signatureRules.length > 0 && overlay.names.some((glob) => glob.matches(namespace))) rules.push(...overlay.signatureRules);
  }
  return rules;
}

/**
 * What checking `reference` takes; `resolution` is its tag's lookup, when the policy resolves it.
 * `subject` is the reference prepared for matching, when the caller has it already.
 */
export function planSignatureCheck(
  policy: CompiledPolicy,
  rules: readonly SignatureRule[],
  reference: ImageReference,
  resolution: TagResolution | undefined,
  subject: ImageSubject = prepareSubject(reference),
): SignaturePlan {
  if (rules.length === 0) return NONE;
  const matching = rules.filter((rule) => rule.images.findMatch(subject) !== undefined);
  const first = matching[0];
  if (first === undefined) return NONE;
  const digest = reference.digest ?? (resolution?.ok === true ? resolution.digest : undefined);
  if (digest === undefined) {
    const fault = resolution?.ok === false ? `cannot verify a signature: the tag could not be resolved to a digest (${resolution.fault})` : DIGEST_UNKNOWN;
    return { kind: 'refused', verdict: { result: 'digest-unknown', rule: first.origin, fault } };
  }
  const settings = policy.resolveTags;
  if (settings === undefined || !settings.registries.has(reference.registry)) {
    // Signatures are fetched only from registries the operator listed; a pod author never picks the host.
    const fault = settings === undefined ? 'resolveTags is disabled, so no signature is fetched' : `${reference.registry} is not in resolveTags.registries`;
    return { kind: 'refused', verdict: { result: 'not-verified', rule: first.origin, fault, digest } };
  }
  return { kind: 'verify', image: { registry: reference.registry, repository: reference.repository, digest }, rules: matching };
}

export interface SignatureWork {
  /** Distinct checks, keyed by formatVerificationKey; empty when the review is over the limit. */
  readonly subjects: ReadonlyMap<string, VerificationSubject>;
  /** Set when the review names more distinct digests to verify than the policy allows. */
  readonly limitFault: string | undefined;
}

/**
 * The checks a review needs, given each image's parsed reference and tag lookup (undefined for an
 * image that does not parse). A review naming more distinct digests than the limit gets none: its
 * covered images are denied by the limit, so a pod author cannot queue checks without bound.
 */
export function listSignatureWork(policy: CompiledPolicy, namespace: string, images: readonly { reference: ImageReference; resolution: TagResolution | undefined }[]): SignatureWork {
  const rules = collectSignatureRules(policy, namespace);
  const subjects = new Map<string, VerificationSubject>();
  const digests = new Set<string>();
  if (rules.length === 0 || policy.signatures === undefined) return { subjects, limitFault: undefined };
  for (const { reference, resolution } of images) {
    const plan = planSignatureCheck(policy, rules, reference, resolution);
    if (plan.kind !== 'verify') continue;
    digests.add(formatDigestReference(plan.image));
    for (const rule of plan.rules) {
      const subject = { image: plan.image, keys: rule.keys, checkRepository: rule.checkRepository };
      subjects.set(formatVerificationKey(subject, rule.keySet), subject);
    }
  }
  const limit = policy.signatures.maxImagesPerReview;
  if (digests.size <= limit) return { subjects, limitFault: undefined };
  return { subjects: new Map(), limitFault: `${digests.size} digests to verify, more than ${limit}` };
}

/**
 * The verdict for a planned check: verified when, for every rule, the context holds a valid
 * signature by one of its keys; otherwise the first rule that is not met, with why.
 */
export function judgeSignatures(plan: SignaturePlan, context: EvaluationContext, limitFault: string | undefined): SignatureVerdict | undefined {
  if (plan.kind === 'none') return undefined;
  if (plan.kind === 'refused') return plan.verdict;
  const { image, rules } = plan;
  const { digest } = image;
  if (limitFault !== undefined) return { result: 'limited', rule: SIGNATURE_LIMIT_RULE, fault: limitFault, digest };
  const signatures: VerifiedSignature[] = [];
  for (const rule of rules) {
    const outcome = context.verifications?.get(formatVerificationKey({ image, keys: rule.keys, checkRepository: rule.checkRepository }, rule.keySet));
    if (outcome === undefined) return { result: 'not-verified', rule: rule.origin, fault: NOT_CHECKED, digest };
    if (!outcome.verified) return { result: outcome.failure, rule: rule.origin, fault: outcome.fault, digest };
    signatures.push({ rule: rule.origin, key: outcome.key, fingerprint: outcome.fingerprint, checkRepository: rule.checkRepository });
  }
  return { result: 'verified', digest, signatures };
}
