// Judges one case through the same answerImageReview path the server uses and lists every way
// the answer differs from what the case expects.
import { answerImageReview, AUDIT_ANNOTATION, IMAGE_REVIEW_API_VERSION, IMAGE_REVIEW_KIND, type ImageReviewResponse } from '../imagereview';
import { type CompiledPolicy, type EvaluationContext, type RecordedSignatures, expandRecordedSignatures } from '../policy';
import type { CaseVerification, PolicyCase } from './format';

export interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
  readonly response: ImageReviewResponse;
}

/** The request kube-apiserver would send for a case written with `images`. */
export function buildCaseRequest(testCase: PolicyCase): unknown {
  const hasAnnotations = Object.keys(testCase.annotations).length > 0;
  return {
    kind: IMAGE_REVIEW_KIND,
    apiVersion: IMAGE_REVIEW_API_VERSION,
    metadata: {},
    spec: {
      containers: (testCase.images ?? []).map((image) => ({ image })),
      ...(hasAnnotations ? { annotations: testCase.annotations } : {}),
      namespace: testCase.namespace,
    },
    status: { allowed: false },
  };
}

/** Compares an answer (from evaluate or from the HTTP app) with what the case expects. */
export function checkCaseResponse(testCase: PolicyCase, response: ImageReviewResponse): CaseResult {
  const failures: string[] = [];
  const { status } = response;
  const allowed = status.allowed;
  if (allowed !== (testCase.expect === 'allow')) {
    failures.push(`expected ${testCase.expect}, got ${allowed ? 'allow' : 'deny'}${status.reason ? ` (${status.reason})` : ''}`);
  }
  const label = status.auditAnnotations?.[AUDIT_ANNOTATION.decision];
  if (testCase.decision !== undefined && label !== testCase.decision) {
    failures.push(`expected decision ${testCase.decision}, got ${label ?? 'none'}`);
  }
  const reason = status.reason ?? status.auditAnnotations?.[AUDIT_ANNOTATION.reason] ?? '';
  for (const fragment of testCase.reasonIncludes) {
    if (!reason.includes(fragment)) failures.push(`reason ${JSON.stringify(reason)} does not include ${JSON.stringify(fragment)}`);
  }
  return { name: testCase.name, passed: failures.length === 0, failures, response };
}

/** A case's check as a record: verified (with the repository checked) by the named keys' material, or unavailable. */
function toRecord(verification: CaseVerification, keyFingerprints: ReadonlyMap<string, string>): RecordedSignatures {
  if ('error' in verification) return { failure: 'unavailable', fault: verification.error };
  return { verifiedBy: verification.keys.flatMap((name) => {
    const fingerprint = keyFingerprints.get(name);
    return fingerprint === undefined ? [] : [{ fingerprint, checkRepository: true }];
  }) };
}

export interface CaseKeys {
  readonly policy: CompiledPolicy;
  /** The policy's key names and the fingerprints of the files they name. */
  readonly fingerprints: ReadonlyMap<string, string>;
}

/** The context a case is judged in: the scan reports the policy names, the case's tag resolutions and signature checks. */
export function buildCaseContext(testCase: PolicyCase, reports: EvaluationContext['reports'], keys?: CaseKeys): EvaluationContext {
  const records = new Map([...testCase.verifications].map(([image, verification]) => [image, toRecord(verification, keys?.fingerprints ?? new Map<string, string>())]));
  const verifications = keys === undefined || records.size === 0 ? undefined : expandRecordedSignatures(keys.policy, keys.fingerprints, records);
  return { ...(reports === undefined ? {} : { reports }), resolutions: testCase.resolutions, ...(verifications === undefined ? {} : { verifications }) };
}

export function runCase(policy: CompiledPolicy, testCase: PolicyCase, reviewBody: unknown, context: EvaluationContext): CaseResult {
  return checkCaseResponse(testCase, answerImageReview(policy, reviewBody, context).response);
}
