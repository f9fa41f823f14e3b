// What evaluate answers: one verdict per image and one decision per review. The server, the
// CLI and audit logging all read these shapes, so they carry both the answer for kube-apiserver
// and what enforce mode would have said.
import { SIGNATURE_FAILURES } from './context';
import type { PolicyMode } from './schema';

/** The pod annotation that asks for break-glass; honoured only where the policy enables it. */
export const BREAK_GLASS_ANNOTATION = 'alpha.image-policy.k8s.io/break-glass';

/** The part of an ImageReview a decision may depend on (kube-apiserver caches by exactly this). */
export interface ReviewSubject {
  readonly images: readonly string[];
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * How a signature requirement ended for one image: verified, one of the check's failures, no
 * digest to check (a tag nobody resolved), or no check made (its registry is never asked).
 */
export const SIGNATURE_RESULTS = ['verified', ...SIGNATURE_FAILURES, 'digest-unknown', 'not-verified'] as const;
export type SignatureResult = (typeof SIGNATURE_RESULTS)[number];

/** One rule's requirement met: which key's signature covered the digest. */
export interface VerifiedSignature {
  /** The rule, e.g. `signatures.require[0]`. */
  readonly rule: string;
  readonly key: string;
  /** `sha256:<hex>` of the key's SubjectPublicKeyInfo, so a log names the key material, not only its name. */
  readonly fingerprint: string;
  readonly checkRepository: boolean;
}

export type SignatureVerdict =
  | { readonly result: 'verified'; readonly digest: string; readonly signatures: readonly VerifiedSignature[] }
  | { readonly result: Exclude<SignatureResult, 'verified'>; readonly rule: string; readonly fault: string; readonly digest?: string };

export interface ImageVerdict {
  /** The image string as written in the pod. */
  readonly image: string;
  /** The normalized reference, when the image parsed. */
  readonly normalized?: string;
  readonly allowed: boolean;
  /** What decided it: `allow[2] registry.k8s.io/**`, `deny[0] **:latest`, `no allow pattern matches`, ... */
  readonly rule: string;
  /** The manifest digest the tag resolved to at the registry (resolveTags). */
  readonly digest?: string;
  /** The file of the scan report the image was judged by (vulnerabilities). */
  readonly report?: string;
  /** Why the tag could not be resolved (resolveTags); with onError allow-with-audit the image was judged as written. */
  readonly resolveError?: string;
  /** The lookup was stopped by the webhook's own limits, which is a denial whatever onError says. */
  readonly resolveLimited?: true;
  /** The signature requirement, for an image a signatures rule covers that got that far. */
  readonly signature?: SignatureVerdict;
}

export interface Decision {
  /** The answer for kube-apiserver; audit mode and break-glass make it true. */
  readonly allowed: boolean;
  /** What enforce mode would have answered; false in audit mode marks a would-be denial. */
  readonly enforcedAllowed: boolean;
  /** The effective mode for the namespace. */
  readonly mode: PolicyMode;
  /** True when break-glass is enabled for the namespace and the pod asked for it. */
  readonly breakGlass: boolean;
  /** One verdict per image, in review order, duplicates kept. */
  readonly images: readonly ImageVerdict[];
  /** One line of at most MAX_REASON_LENGTH characters, set whenever enforcedAllowed is false. */
  readonly reason?: string;
  readonly policy: { readonly name: string; readonly hash: string };
}
