// What evaluate may know beyond the policy and the review: scan reports, the digests tags
// resolved to and which keys' signatures cover which digests. The server and the CLI gather these (files, registry lookups) before calling
// evaluate, so evaluate itself stays synchronous, pure and deterministic for a given context.
import { type ImageReference, parseImageReference } from '../reference';
import type { ReportIndex } from '../vulnerabilities';
import type { CompiledPolicy } from './compile';

/**
 * A tag lookup's outcome; the fault is quoted in the reason when the image is denied. `limited`
 * marks a lookup the webhook's own limits stopped (too many tags, lookups queued too long): such
 * a failure is a denial whatever `onError` says, or a pod author could fill the queue to get the
 * tag judged as written.
 */
export type TagResolution =
  | { readonly ok: true; readonly digest: string }
  | { readonly ok: false; readonly fault: string; readonly limited?: true };

/**
 * Why a signature check did not verify: the image has no signature, none of its signatures is
 * valid for the rule's keys, the registry (or a key file) could not be used, or the webhook's own
 * limits stopped the check. Every one of them is a denial.
 */
export const SIGNATURE_FAILURES = ['unsigned', 'invalid', 'unavailable', 'limited'] as const;
export type SignatureFailure = (typeof SIGNATURE_FAILURES)[number];

/** The outcome of checking one digest against one rule's keys; the fault is quoted in the reason. */
export type SignatureVerification =
  | { readonly verified: true; readonly key: string; readonly fingerprint: string }
  | { readonly verified: false; readonly failure: SignatureFailure; readonly fault: string };

export interface EvaluationContext {
  /** Scan reports for a policy with a vulnerabilities section; none means no image has a report. */
  readonly reports?: ReportIndex;
  /** Keyed by formatTagKey; a tag the policy resolves but that is missing here counts as failed. */
  readonly resolutions?: ReadonlyMap<string, TagResolution>;
  /** Keyed by formatVerificationKey; a check a rule needs but that is missing here is a denial. */
  readonly verifications?: ReadonlyMap<string, SignatureVerification>;
}

/** One image digest in one repository: what a signature covers. */
export interface SignedDigest {
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
}

/** What one check is about: a digest, the keys any one of which must have signed it, and how strictly. */
export interface VerificationSubject {
  readonly image: SignedDigest;
  readonly keys: readonly string[];
  readonly checkRepository: boolean;
}

/** `registry/repository@digest`, how signed digests are named in logs, case files and annotations. */
export function formatDigestReference(image: SignedDigest): string {
  return `${image.registry}/${image.repository}@${image.digest}`;
}

/** `ci,vendor` (plus ` any-repository`): the part of a check's key a rule decides, computed once per rule. */
export function formatKeySet(keys: readonly string[], checkRepository: boolean): string {
  return `${[...keys].sort().join(',')}${checkRepository ? '' : ' any-repository'}`;
}

/** `registry/repository@digest ci,vendor` (plus ` any-repository`): the key checks are stored and looked up by. */
export function formatVerificationKey(subject: VerificationSubject, keySet = formatKeySet(subject.keys, subject.checkRepository)): string {
  return `${formatDigestReference(subject.image)} ${keySet}`;
}

/** A tag on a registry the policy resolves. */
export interface TagToResolve {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
}

/** `registry/repository:tag`, the key resolutions are stored and looked up by. */
export function formatTagKey(reference: TagToResolve): string {
  return `${reference.registry}/${reference.repository}:${reference.tag}`;
}

function readReference(image: string): ImageReference | undefined {
  try {
    return parseImageReference(image);
  } catch {
    // evaluate denies an invalid reference with its own reason; there is nothing to look up.
    return undefined;
  }
}

/** The distinct tags in a review that the policy wants resolved; empty when resolveTags is off. */
export function listTagsToResolve(policy: CompiledPolicy, images: readonly string[]): TagToResolve[] {
  const settings = policy.resolveTags;
  if (settings === undefined) return [];
  const tags = new Map<string, TagToResolve>();
  for (const image of images) {
    const reference = readReference(image);
    if (reference === undefined || reference.digest !== undefined || reference.tag === undefined || !settings.registries.has(reference.registry)) continue;
    const tag = { registry: reference.registry, repository: reference.repository, tag: reference.tag };
    tags.set(formatTagKey(tag), tag);
  }
  return [...tags.values()];
}
