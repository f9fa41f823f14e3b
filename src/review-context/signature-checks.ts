// Fetches and verifies the cosign signatures a review needs, for the server and the CLI alike.
// The policy's plan says which digests and key sets (only on registries resolveTags lists, so a
// pod author never picks the host); the signatures are read through the tag resolver's client,
// credentials and CA, under its bound on lookups in flight. Verified results are cached by digest,
// key material and repository check, bounded and expiring; failures are shared by the callers
// waiting at that moment but not cached, so a registry that comes back is used at once.
import {
  type CompiledPolicy,
  type SignatureVerification,
  type SignedDigest,
  type TagResolution,
  type VerificationSubject,
  type ReviewSubject,
  formatDigestReference,
  formatTagKey,
  formatVerificationKey,
  listSignatureWork,
} from '../policy';
import { type Clock, ExpiringLruCache, type FetchedSignatures, RegistryLookupError, fetchCosignSignatures } from '../registry';
import { parseImageReference, type ImageReference } from '../reference';
import { type VerificationKey, verifyCosignSignatures } from '../signatures';
import type { KeyRing } from './key-ring';
import type { RegistryAccess } from './tag-resolution';

export interface SignatureCheckOptions {
  readonly cacheTtlMs: number;
  readonly cacheSize: number;
  readonly keys: KeyRing;
  /** The resolver's registry access in force now (its files may be reloaded). */
  readonly registry: () => RegistryAccess;
  readonly now?: Clock;
}

type Verifications = Map<string, SignatureVerification>;

function readReferences(policy: CompiledPolicy, images: readonly string[], resolutions: ReadonlyMap<string, TagResolution> | undefined) {
  return images.flatMap((image) => {
    let reference: ImageReference;
    try {
      reference = parseImageReference(image);
    } catch {
      // evaluate denies an invalid reference with its own reason; there is nothing to verify.
      return [];
    }
    const tag = reference.tag;
    const resolvable = reference.digest === undefined && tag !== undefined && policy.resolveTags?.registries.has(reference.registry) === true;
    const resolution = resolvable ? resolutions?.get(formatTagKey({ registry: reference.registry, repository: reference.repository, tag })) : undefined;
    return [{ reference, resolution }];
  });
}

export class SignatureChecks {
  /** Verified results only: the fingerprint of the key whose signature was valid. */
  private readonly verified: ExpiringLruCache<string, string>;
  private readonly inFlight = new Map<string, Promise<SignatureVerification>>();
  private readonly fetches = new Map<string, Promise<FetchedSignatures | SignatureVerification>>();

  constructor(private readonly options: SignatureCheckOptions) {
    this.verified = new ExpiringLruCache(options.cacheSize, options.now);
  }

  /** The checks `review` needs under `policy`: a value when every one is cached, a promise otherwise. */
  check(policy: CompiledPolicy, review: ReviewSubject, resolutions: ReadonlyMap<string, TagResolution> | undefined): Verifications | Promise<Verifications> {
    const work = listSignatureWork(policy, review.namespace, readReferences(policy, review.images, resolutions));
    const verifications: Verifications = new Map();
    const pending: Promise<unknown>[] = [];
    for (const [key, subject] of work.subjects) {
      const keys = this.findKeys(subject);
      if (!Array.isArray(keys)) {
        verifications.set(key, keys);
        continue;
      }
      const cached = this.peek(subject, keys);
      if (cached !== undefined) verifications.set(key, cached);
      else pending.push(this.verify(subject, keys).then((outcome) => verifications.set(key, outcome)));
    }
    return pending.length === 0 ? verifications : Promise.all(pending).then(() => verifications);
  }

  /** The loaded keys of a rule; a rule none of whose keys is loaded cannot verify anything. */
  private findKeys(subject: VerificationSubject): VerificationKey[] | SignatureVerification {
    const found = subject.keys.map((name) => this.options.keys.find(name));
    const keys = found.filter((key): key is VerificationKey => 'publicKey' in key);
    if (keys.length > 0) return keys;
    const faults = found.flatMap((key) => ('fault' in key ? [key.fault] : []));
    return { verified: false, failure: 'unavailable', fault: faults.join('; ') };
  }

  private cacheKey(image: SignedDigest, keys: readonly VerificationKey[], checkRepository: boolean): string {
    return formatVerificationKey({ image, keys: keys.map((key) => key.fingerprint), checkRepository });
  }

  private peek(subject: VerificationSubject, keys: readonly VerificationKey[]): SignatureVerification | undefined {
    const fingerprint = this.verified.get(this.cacheKey(subject.image, keys, subject.checkRepository));
    const key = keys.find((candidate) => candidate.fingerprint === fingerprint);
    return key === undefined ? undefined : { verified: true, key: key.name, fingerprint: key.fingerprint };
  }

  private verify(subject: VerificationSubject, keys: readonly VerificationKey[]): Promise<SignatureVerification> {
    const cacheKey = this.cacheKey(subject.image, keys, subject.checkRepository);
    const known = this.inFlight.get(cacheKey);
    if (known !== undefined) return known;
    const started = this.fetch(subject.image).then((fetched) => {
      if (!('candidates' in fetched)) return fetched;
      const result = verifyCosignSignatures(subject.image, fetched.candidates, keys, { checkRepository: subject.checkRepository });
      if (result.verified) {
        this.verified.set(cacheKey, result.fingerprint, this.options.cacheTtlMs);
        return { verified: true, key: result.key, fingerprint: result.fingerprint } satisfies SignatureVerification;
      }
      return { verified: false, failure: fetched.candidates.length === 0 ? 'unsigned' : 'invalid', fault: result.reason } satisfies SignatureVerification;
    });
    const tracked = started.finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, tracked);
    return tracked;
  }

  /** One registry read per digest at a time, whatever number of rules and reviews ask for it. */
  private fetch(image: SignedDigest): Promise<FetchedSignatures | SignatureVerification> {
    const name = formatDigestReference(image);
    const known = this.fetches.get(name);
    if (known !== undefined) return known;
    const started = this.read(image).finally(() => this.fetches.delete(name));
    this.fetches.set(name, started);
    return started;
  }

  private async read(image: SignedDigest): Promise<FetchedSignatures | SignatureVerification> {
    const access = this.options.registry();
    if ('fault' in access) return { verified: false, failure: 'unavailable', fault: `cannot read signatures: ${access.fault}` };
    const slot = await access.limiter.acquire();
    if (!slot.ok) return { verified: false, failure: 'limited', fault: `registry ${image.registry}: ${slot.fault}` };
    try {
      // The deadline starts once the slot is ours: waiting behind other lookups never eats it.
      return await fetchCosignSignatures(access.client, image, AbortSignal.timeout(access.timeoutMs));
    } catch (error) {
      const message = error instanceof RegistryLookupError ? error.message : `registry ${image.registry}: ${error instanceof Error ? error.message : String(error)}`;
      return { verified: false, failure: 'unavailable', fault: `cannot read signatures: ${message}` };
    } finally {
      slot.release();
    }
  }
}
