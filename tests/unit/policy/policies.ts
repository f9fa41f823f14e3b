// Builds small policies and reviews for the policy tests, through the real loader.
import { stringify } from 'yaml';
import { type CompiledPolicy, type ReviewSubject, loadPolicy } from '../../../src/policy';

export const POLICY_FILE = 'policy.yaml';
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;

/** Loads a policy named `test` with the given top-level fields (allow, deny, namespaces, ...). */
export function buildPolicy(fields: Readonly<Record<string, unknown>>, name = 'test'): CompiledPolicy {
  const text = stringify({ apiVersion: 'image-policy-webhook/v1', kind: 'ImagePolicy', metadata: { name }, ...fields });
  return loadPolicy(text, POLICY_FILE);
}

export function buildReview(images: readonly string[], namespace = 'default', annotations: Record<string, string> = {}): ReviewSubject {
  return { images, namespace, annotations };
}
