// Builds the ImageReview answers kube-apiserver reads. Every decision, including a request that is
// not an ImageReview, becomes a 200 body built here; audit annotation keys are returned without a
// prefix because kube-apiserver adds `imagepolicywebhook.image-policy.k8s.io/` itself.
import type { Decision } from '../policy';
import { IMAGE_REVIEW_API_VERSION, IMAGE_REVIEW_KIND, type ImageReviewResponse } from './types';

/** Audit annotation keys; each is a valid single-segment qualified name and never `failed-open`. */
export const AUDIT_ANNOTATION = {
  decision: 'decision',
  mode: 'mode',
  policy: 'policy',
  policyHash: 'policy-hash',
  deniedImages: 'denied-images',
  reason: 'reason',
  breakGlass: 'break-glass',
  resolvedDigests: 'resolved-digests',
  scanReports: 'scan-reports',
  resolveErrors: 'resolve-errors',
  signatures: 'signatures',
} as const;

/** `allow`, `deny`, `audit-deny` (audit mode let a would-be denial through) or `break-glass`. */
export type DecisionLabel = 'allow' | 'deny' | 'audit-deny' | 'break-glass';

// Audit annotations land in every audit event: keep them bounded however many images a pod has.
const MAX_ANNOTATION_VALUE_LENGTH = 1024;

function truncate(value: string, limit: number): string {
  return value.length <= limit ? value : `${value.slice(0, limit - 1)}…`;
}

export function labelDecision(decision: Decision): DecisionLabel {
  if (decision.enforcedAllowed) return 'allow';
  if (!decision.allowed) return 'deny';
  return decision.breakGlass ? 'break-glass' : 'audit-deny';
}

function listDeniedImages(decision: Decision): string {
  const denied = new Set<string>();
  for (const verdict of decision.images) {
    if (!verdict.allowed) denied.add(verdict.normalized ?? verdict.image);
  }
  return [...denied].join(',');
}

/** `name=value` per distinct image that has the field, e.g. `registry.example.com/app:1=sha256:...`. */
function listImageFacts(decision: Decision, pick: (verdict: Decision['images'][number]) => string | undefined, separator: string): string | undefined {
  const facts = new Set<string>();
  for (const verdict of decision.images) {
    const fact = pick(verdict);
    if (fact !== undefined) facts.add(`${verdict.normalized ?? verdict.image}=${fact}`);
  }
  return facts.size === 0 ? undefined : truncate([...facts].join(separator), MAX_ANNOTATION_VALUE_LENGTH);
}

/** `ci@sha256:...` (`ci+vendor@...` when two rules applied): which keys' signatures covered which digest. */
function describeSignature(verdict: Decision['images'][number]): string | undefined {
  const signature = verdict.signature;
  if (signature?.result !== 'verified') return undefined;
  return `${[...new Set(signature.signatures.map((signed) => signed.key))].join('+')}@${signature.digest}`;
}

/** The audit trail of scanning and signatures: digests resolved, reports used, lookups failed, signatures verified. */
function addScanningAnnotations(decision: Decision, auditAnnotations: Record<string, string>): void {
  // Most policies neither resolve tags nor gate on reports nor verify signatures: their answers skip this entirely.
  if (!decision.images.some((verdict) => verdict.digest !== undefined || verdict.report !== undefined || verdict.resolveError !== undefined || verdict.signature !== undefined)) return;
  const digests = listImageFacts(decision, (verdict) => verdict.digest, ',');
  const reports = listImageFacts(decision, (verdict) => verdict.report, ',');
  const errors = listImageFacts(decision, (verdict) => verdict.resolveError, '; ');
  const signatures = listImageFacts(decision, describeSignature, ',');
  if (digests !== undefined) auditAnnotations[AUDIT_ANNOTATION.resolvedDigests] = digests;
  if (reports !== undefined) auditAnnotations[AUDIT_ANNOTATION.scanReports] = reports;
  if (errors !== undefined) auditAnnotations[AUDIT_ANNOTATION.resolveErrors] = errors;
  if (signatures !== undefined) auditAnnotations[AUDIT_ANNOTATION.signatures] = signatures;
}

export function buildImageReviewResponse(decision: Decision): ImageReviewResponse {
  const label = labelDecision(decision);
  const auditAnnotations: Record<string, string> = {
    [AUDIT_ANNOTATION.decision]: label,
    [AUDIT_ANNOTATION.mode]: decision.mode,
    [AUDIT_ANNOTATION.policy]: decision.policy.name,
    [AUDIT_ANNOTATION.policyHash]: decision.policy.hash,
  };
  if (!decision.enforcedAllowed) {
    // A review refused as a whole (over limits.maxImagesPerReview) has no image verdicts to list.
    const denied = listDeniedImages(decision);
    if (denied !== '') auditAnnotations[AUDIT_ANNOTATION.deniedImages] = truncate(denied, MAX_ANNOTATION_VALUE_LENGTH);
    if (decision.reason !== undefined) auditAnnotations[AUDIT_ANNOTATION.reason] = decision.reason;
  }
  if (decision.breakGlass) auditAnnotations[AUDIT_ANNOTATION.breakGlass] = 'true';
  addScanningAnnotations(decision, auditAnnotations);

  // kube-apiserver shows `reason` only on a denial; an allowed answer leaves it out.
  const status = decision.allowed
    ? { allowed: true, auditAnnotations }
    : { allowed: false, reason: decision.reason ?? 'denied by image policy', auditAnnotations };
  return { apiVersion: IMAGE_REVIEW_API_VERSION, kind: IMAGE_REVIEW_KIND, status } satisfies ImageReviewResponse;
}

/** What the pod's creator is told when judging the review threw; the details stay in the webhook log. */
export const INTERNAL_ERROR_REASON = 'image-policy-webhook: internal error while judging this review, so it is refused; the webhook log has the details';

/**
 * Whatever throws while a review is judged is a bug; the answer is still a 200 deny, because a 5xx
 * would let kube-apiserver's defaultAllow decide, and "denied" must never stand in for a crash
 * anywhere else (the CLI exits 2 instead).
 */
export function buildInternalErrorResponse(policy: Decision['policy']): ImageReviewResponse {
  return buildInvalidRequestResponse(INTERNAL_ERROR_REASON, policy);
}

/** A JSON body that is not an ImageReview: a 200 deny, so no `defaultAllow: true` can admit it. */
export function buildInvalidRequestResponse(fault: string, policy: Decision['policy']): ImageReviewResponse {
  return {
    apiVersion: IMAGE_REVIEW_API_VERSION,
    kind: IMAGE_REVIEW_KIND,
    status: {
      allowed: false,
      reason: fault,
      auditAnnotations: {
        [AUDIT_ANNOTATION.decision]: 'deny',
        [AUDIT_ANNOTATION.policy]: policy.name,
        [AUDIT_ANNOTATION.policyHash]: policy.hash,
        [AUDIT_ANNOTATION.reason]: fault,
      },
    },
  } satisfies ImageReviewResponse;
}
