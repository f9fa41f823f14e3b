// Signature checks recorded earlier (a case file's `verifications`, a decision log's verdicts)
// turned into the evaluation context of a policy, so that `test` and `replay` decide without a
// registry. A record names keys by fingerprint, so it counts for whatever name the policy gives
// the same key, and never for a key the policy now points at other material.
import { type ImageReference, parseImageReference } from '../reference';
import type { CompiledPolicy } from './compile';
import { type SignatureFailure, type SignatureVerification, type SignedDigest, formatVerificationKey } from './context';
import type { SignatureRule } from './signature-rules';

export interface RecordedKey {
  readonly fingerprint: string;
  /** False when the signature was accepted without checking the repository it names. */
  readonly checkRepository: boolean;
}

/** What a record says about one digest: the keys whose signatures verified it, or why none did. */
export type RecordedSignatures = { readonly verifiedBy: readonly RecordedKey[] } | { readonly failure: SignatureFailure; readonly fault: string };

function listAllRules(policy: CompiledPolicy): SignatureRule[] {
  return [...(policy.signatures?.rules ?? []), ...policy.namespaces.flatMap((overlay) => overlay.signatureRules)];
}

function readDigestReference(text: string): SignedDigest | undefined {
  let reference: ImageReference;
  try {
    reference = parseImageReference(text);
  } catch {
    return undefined;
  }
  return reference.digest === undefined ? undefined : { registry: reference.registry, repository: reference.repository, digest: reference.digest };
}

function judgeRecord(rule: SignatureRule, record: RecordedSignatures, fingerprints: ReadonlyMap<string, string>): SignatureVerification {
  if ('verifiedBy' in record) {
    for (const key of rule.keys) {
      const fingerprint = fingerprints.get(key);
      const found = record.verifiedBy.find((entry) => entry.fingerprint === fingerprint && (entry.checkRepository || !rule.checkRepository));
      if (fingerprint !== undefined && found !== undefined) return { verified: true, key, fingerprint };
    }
  } else if (record.failure !== 'invalid') {
    // No signature at all, a registry or a limit that failed: true whichever keys are asked about.
    return { verified: false, failure: record.failure, fault: record.fault };
  }
  return { verified: false, failure: 'invalid', fault: `not verified: no recorded signature by ${rule.keys.join(' or ')}` };
}

/**
 * The context entries for every rule of `policy` and every recorded digest (`registry/repo@digest`).
 * `fingerprints` maps the policy's key names to the fingerprints of the keys loaded for it.
 */
export function expandRecordedSignatures(
  policy: CompiledPolicy,
  fingerprints: ReadonlyMap<string, string>,
  records: ReadonlyMap<string, RecordedSignatures>,
): Map<string, SignatureVerification> {
  const verifications = new Map<string, SignatureVerification>();
  const rules = listAllRules(policy);
  for (const [written, record] of records) {
    const image = readDigestReference(written);
    if (image === undefined) continue;
    for (const rule of rules) {
      verifications.set(formatVerificationKey({ image, keys: rule.keys, checkRepository: rule.checkRepository }), judgeRecord(rule, record, fingerprints));
    }
  }
  return verifications;
}
