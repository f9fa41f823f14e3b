// Verifies cosign signatures for one image digest against the keys a rule accepts. Each signature
// is checked in cosign's order: the signature over the exact payload bytes first, and only then
// what the (now authenticated) payload says: its type, its digest, its repository. One valid
// signature by an accepted key suffices; otherwise every signature's fault is kept and the reason
// names the keys and the most telling fault.
import { quoteForMessage } from '../reference';
import { findVerifyingScheme, type SignatureScheme } from './algorithms';
import { findRepositoryMismatch, type ImageRepository } from './identity';
import { MAX_PAYLOAD_BYTES, SIMPLE_SIGNING_MEDIA_TYPE, parseSimpleSigningPayload } from './payload';
import type { VerificationKey } from './public-key';
import { decodeSignature } from './signature-encoding';

export interface SignedImage extends ImageRepository {
  /** The manifest digest the runtime will pull. */
  readonly digest: string;
}

/** One layer of a signature manifest, with its payload when it was fetched. */
export interface SignatureCandidate {
  readonly layerDigest: string;
  readonly mediaType: string;
  readonly size: number;
  /** The `dev.cosignproject.cosign/signature` annotation, undefined when the layer has none. */
  readonly signature: string | undefined;
  /** The layer's bytes; undefined when they were not fetched (wrong media type, too large). */
  readonly payload: Uint8Array | undefined;
}

export interface VerifyOptions {
  /** False relaxes the check that the payload names the image's repository (mirrors, promotions). */
  readonly checkRepository: boolean;
}

/** Faults in the order that makes one the best explanation: a signature by an accepted key first. */
export const SIGNATURE_FAULTS = [
  'other-digest',
  'other-repository',
  'not-cosign-payload',
  'no-accepted-key',
  'bad-signature-encoding',
  'no-signature-annotation',
  'payload-too-large',
  'wrong-media-type',
] as const;
export type SignatureFault = (typeof SIGNATURE_FAULTS)[number];

export type SignatureCheck =
  | { readonly ok: true; readonly layerDigest: string; readonly key: string; readonly fingerprint: string; readonly scheme: SignatureScheme }
  | { readonly ok: false; readonly layerDigest: string; readonly fault: SignatureFault; readonly detail: string };

export type VerificationResult =
  | { readonly verified: true; readonly digest: string; readonly key: string; readonly fingerprint: string; readonly layerDigest: string; readonly checks: readonly SignatureCheck[] }
  | { readonly verified: false; readonly digest: string; readonly reason: string; readonly checks: readonly SignatureCheck[] };

/** A digest shortened for a reason: `sha256:0123456789ab`. */
function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.slice(0, colon + 13);
}

function check(image: SignedImage, candidate: SignatureCandidate, keys: readonly VerificationKey[], options: VerifyOptions): SignatureCheck {
  const fail = (fault: SignatureFault, detail: string): SignatureCheck => ({ ok: false, layerDigest: candidate.layerDigest, fault, detail });
  if (candidate.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) return fail('wrong-media-type', `layer media type is ${quoteForMessage(candidate.mediaType, 60)}, not ${SIMPLE_SIGNING_MEDIA_TYPE}`);
  if (candidate.size > MAX_PAYLOAD_BYTES || (candidate.payload?.length ?? 0) > MAX_PAYLOAD_BYTES) return fail('payload-too-large', `payload is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  if (candidate.signature === undefined || candidate.payload === undefined) return fail('no-signature-annotation', 'layer carries no signature annotation');
  const signature = decodeSignature(candidate.signature);
  if ('fault' in signature) return fail('bad-signature-encoding', signature.fault);
  const { payload } = candidate;
  const signer = keys.map((key) => ({ key, scheme: findVerifyingScheme(key.algorithm, key.publicKey, payload, signature.bytes) })).find((found) => found.scheme !== undefined);
  if (signer?.scheme === undefined) return fail('no-accepted-key', 'signed by another key');
  const by = `signature by ${signer.key.name}`;
  const parsed = parseSimpleSigningPayload(payload);
  if (!parsed.ok) return fail('not-cosign-payload', `${by} covers a payload that is not a cosign signature: ${parsed.fault}`);
  if (parsed.payload.digest !== image.digest) return fail('other-digest', `${by} is for another digest (${shortDigest(parsed.payload.digest)}...)`);
  const mismatch = options.checkRepository ? findRepositoryMismatch(parsed.payload.dockerReference, image) : undefined;
  if (mismatch !== undefined) return fail('other-repository', `${by} ${mismatch}`);
  return { ok: true, layerDigest: candidate.layerDigest, key: signer.key.name, fingerprint: signer.key.fingerprint, scheme: signer.scheme };
}

/** "ci", "ci or vendor", "ci, vendor or release". */
function listKeys(keys: readonly VerificationKey[]): string {
  const names = keys.map((key) => key.name);
  if (names.length <= 1) return names[0] ?? '(no key)';
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function explain(keys: readonly VerificationKey[], checks: readonly SignatureCheck[]): string {
  const prefix = `no valid signature by ${listKeys(keys)}`;
  if (checks.length === 0) return `${prefix}: the image has no cosign signature`;
  const rank = (item: SignatureCheck): number => (item.ok ? -1 : SIGNATURE_FAULTS.indexOf(item.fault));
  const best = [...checks].sort((a, b) => rank(a) - rank(b))[0];
  const detail = best === undefined || best.ok ? '' : best.detail;
  const count = checks.length === 1 ? '' : ` (${checks.length} signatures checked)`;
  return `${prefix}: ${detail}${count}`;
}

/** Checks every candidate until one is valid; never throws on hostile candidates. */
export function verifyCosignSignatures(image: SignedImage, candidates: readonly SignatureCandidate[], keys: readonly VerificationKey[], options: VerifyOptions): VerificationResult {
  const checks: SignatureCheck[] = [];
  for (const candidate of candidates) {
    const outcome = check(image, candidate, keys, options);
    checks.push(outcome);
    if (outcome.ok) return { verified: true, digest: image.digest, key: outcome.key, fingerprint: outcome.fingerprint, layerDigest: outcome.layerDigest, checks };
  }
  return { verified: false, digest: image.digest, reason: explain(keys, checks), checks };
}
