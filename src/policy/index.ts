// Public face of the policy engine: load and compile a policy file once, then evaluate reviews
// against it. Pure: text and objects in, values out; the only import from Node is the hash.
export { type CompiledOverlay, type CompiledPolicy, POLICY_HASH_LENGTH } from './compile';
export { BREAK_GLASS_ANNOTATION, type Decision, type ImageVerdict, type ReviewSubject } from './decision';
export { PolicyError, type PolicyIssue, formatPolicyIssue } from './errors';
export { INVALID_REFERENCE_RULE, NO_ALLOW_RULE, REQUIRE_DIGEST_RULE, evaluate } from './evaluate';
export { loadPolicy } from './load';
export { CompiledPattern, PatternSet } from './matcher';
export { MAX_REASON_LENGTH } from './reason';
export { POLICY_API_VERSION, POLICY_KIND, type PolicyMode, policyJsonSchema } from './schema';
