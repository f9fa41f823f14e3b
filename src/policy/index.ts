// Public face of the policy engine: load and compile a policy file once, then evaluate reviews
// against it. Pure: text and objects in, values out; the only import from Node is the hash.
export { type CompiledOverlay, type CompiledPolicy, POLICY_HASH_LENGTH } from './compile';
export { type EvaluationContext, type TagResolution, type TagToResolve, formatTagKey, listTagsToResolve } from './context';
export { BREAK_GLASS_ANNOTATION, type Decision, type ImageVerdict, type ReviewSubject } from './decision';
export { PolicyError, type PolicyIssue, formatPolicyIssue } from './errors';
export { INVALID_REFERENCE_RULE, NO_ALLOW_RULE, REQUIRE_DIGEST_RULE, RESOLVE_TAGS_RULE, evaluate } from './evaluate';
export { loadPolicy } from './load';
export { CompiledPattern, PatternSet } from './matcher';
export { MAX_REASON_LENGTH } from './reason';
export { type CompiledVulnerabilities, NOT_RESOLVED_FAULT, type ResolveErrorAction, type ResolveTagsSettings } from './scanning';
export { POLICY_API_VERSION, POLICY_KIND, type PolicyMode, RESOLVE_ERROR_ACTIONS, policyJsonSchema } from './schema';
