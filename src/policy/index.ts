// Public face of the policy engine: load and compile a policy file once, then evaluate reviews
// against it. Pure: text and objects in, values out; the only import from Node is the hash.
export { type CompiledOverlay, type CompiledPolicy, POLICY_HASH_LENGTH } from './compile';
export {
  type EvaluationContext,
  SIGNATURE_FAILURES,
  type SignatureFailure,
  type SignatureVerification,
  type SignedDigest,
  type TagResolution,
  type TagToResolve,
  type VerificationSubject,
  formatDigestReference,
  formatKeySet,
  formatTagKey,
  formatVerificationKey,
  listTagsToResolve,
} from './context';
export {
  BREAK_GLASS_ANNOTATION,
  type Decision,
  type ImageVerdict,
  type ReviewSubject,
  SIGNATURE_RESULTS,
  type SignatureResult,
  type SignatureVerdict,
  type VerifiedSignature,
} from './decision';
export { PolicyError, type PolicyIssue, formatPolicyIssue } from './errors';
export { INVALID_REFERENCE_RULE, NO_ALLOW_RULE, REQUIRE_DIGEST_RULE, RESOLVE_TAGS_RULE, evaluate } from './evaluate';
export { loadPolicy, locatePolicyIssue } from './load';
export { CompiledPattern, PatternSet } from './matcher';
export { MAX_REASON_LENGTH } from './reason';
export { type CompiledVulnerabilities, NOT_RESOLVED_FAULT, type ResolveErrorAction, type ResolveTagsSettings } from './scanning';
export { SIGNATURE_LIMIT_RULE, type SignatureWork, collectSignatureRules, listSignatureWork, planSignatureCheck } from './signature-gate';
export { type RecordedKey, type RecordedSignatures, expandRecordedSignatures } from './signature-records';
export { type CompiledSignatures, type SignatureKeyEntry, type SignatureRule } from './signature-rules';
export { POLICY_API_VERSION, POLICY_KIND, type PolicyMode, RESOLVE_ERROR_ACTIONS, policyJsonSchema } from './schema';
