// The test signer: writes cosign's layout into a real registry with the production signing code
// (payload, signature, `sha256-<hex>.sig` manifest appended to), plus the ways a signature can be
// wrong that no honest signer produces: a payload for another digest or repository, a payload
// changed after signing, a signature changed after signing. Also serves signatures real signers
// made (tests/fixtures/cosign) in the layout cosign pushed them.
import { RegistryClient, RegistryTransport, pushBlob, pushManifest, writeCosignSignature, type RegistryCredential } from '../../src/registry';
import {
  SIGNATURE_ANNOTATION,
  buildSignatureImage,
  buildSimpleSigningPayload,
  describeSignatureLayer,
  signPayload,
  signatureTag,
  type SignatureMediaTypes,
  type SignedImage,
  type SigningKey,
} from '../../src/signatures';
import type { RunningRegistry } from './registry';

const DEADLINE_MS = 10_000;

export interface TestSignature {
  readonly key: SigningKey;
  /** What the payload names; the image's own repository when absent. */
  readonly dockerReference?: string;
  /** The digest the payload names; the image's own when absent. */
  readonly payloadDigest?: string;
  readonly mediaTypes?: SignatureMediaTypes;
  /** Change the payload or the signature after signing, as an attacker with push access would. */
  readonly tamper?: 'payload' | 'signature';
}

/** A client for a test registry (plain HTTP), with its transport to close. */
export function createTestClient(registry: RunningRegistry, credentials: Readonly<Record<string, RegistryCredential>> = {}): { client: RegistryClient; close(): void } {
  const transport = new RegistryTransport(undefined);
  const client = new RegistryClient({ timeoutMs: DEADLINE_MS, credentials: new Map(Object.entries(credentials)), plainHttpRegistries: new Set([registry.host]), transport });
  return { client, close: () => transport.close() };
}

function flipLastCharacter(text: string): string {
  const last = text.length - 5;
  return `${text.slice(0, last)}${text.charAt(last) === 'A' ? 'B' : 'A'}${text.slice(last + 1)}`;
}

/** Signs `image` as cosign does; returns the signature manifest's digest. */
export async function signInRegistry(client: RegistryClient, image: SignedImage, signature: TestSignature): Promise<string> {
  const payload = buildSimpleSigningPayload(signature.dockerReference ?? `${image.registry}/${image.repository}`, signature.payloadDigest ?? image.digest);
  const signed = signPayload(signature.key, payload);
  const written =
    signature.tamper === 'payload'
      ? { payload: buildSimpleSigningPayload(`${image.registry}/${image.repository}`, image.digest, { tampered: 'yes' }), signature: signed }
      : { payload, signature: signature.tamper === 'signature' ? flipLastCharacter(signed) : signed };
  return writeCosignSignature(client, image, written, signature.mediaTypes ?? 'oci', AbortSignal.timeout(DEADLINE_MS));
}

/**
 * Serves a signature some real signer made, in cosign's layout, for `repository@digest` on the
 * test registry: its payload blob, the config, and the signature manifest at the `.sig` tag. The
 * layer annotations are the signer's (the signature, and any bundle or certificate beside it).
 */
export async function pushRealSignature(client: RegistryClient, target: { registry: string; repository: string }, digest: string, payload: Buffer, annotations: Readonly<Record<string, string>>): Promise<string> {
  const { [SIGNATURE_ANNOTATION]: signature = '', ...rest } = annotations;
  const built = buildSignatureImage([describeSignatureLayer(payload, signature, rest)]);
  const signal = AbortSignal.timeout(DEADLINE_MS);
  await pushBlob(client, target, payload, signal);
  await pushBlob(client, target, built.config, signal);
  return pushManifest(client, target, signatureTag(digest) ?? '', built.manifest, built.manifestMediaType, signal);
}
