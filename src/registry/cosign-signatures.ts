// cosign signatures in a registry: read the manifest at `sha256-<hex>.sig` beside the image and
// each signature layer's payload, and write one more signature there the way `cosign sign` does
// (appending to the layers already present). A missing `.sig` tag means an unsigned image.
//
// The OCI 1.1 referrers API (`GET /v2/<name>/referrers/<digest>`, cosign's newer experimental
// mode) is not read yet: Debian's docker-registry (distribution 2.8) has no such route and answers
// 404, so nothing here could be tested against a real registry, and `cosign sign` still writes the
// `.sig` tag unless told otherwise.
import {
  DOCKER_MANIFEST_MEDIA_TYPE,
  MAX_PAYLOAD_BYTES,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  type LayerDescriptor,
  type SignatureCandidate,
  type SignatureMediaTypes,
  type SignedImage,
  buildSignatureImage,
  describeSignatureLayer,
  parseSignatureManifest,
  signatureTag,
} from '../signatures';
import { fetchBlob, pushBlob } from './blobs';
import { MANIFEST_MEDIA_TYPES, type RegistryClient } from './client';
import { RegistryLookupError } from './errors';
import { type FetchedManifest, fetchManifest, pushManifest } from './manifests';
import { type RepositoryTarget, describe } from './repository';

/**
 * Image manifests carry signatures; indexes are accepted too so that a registry serves whatever is
 * at the tag (distribution answers 404 for an index the client does not accept) and the parser
 * can refuse it by name instead of the image looking unsigned.
 */
const SIGNATURE_MANIFEST_MEDIA_TYPES: readonly string[] = [OCI_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE, ...MANIFEST_MEDIA_TYPES];

export interface FetchedSignatures {
  readonly tag: string;
  /** Digest of the signature manifest; undefined when the image has none. */
  readonly manifestDigest: string | undefined;
  readonly candidates: readonly SignatureCandidate[];
}

export interface NewSignature {
  /** The exact payload bytes that were signed. */
  readonly payload: Uint8Array;
  /** Base64 signature, the annotation value. */
  readonly signature: string;
}

function tagFor(image: SignedImage): string {
  const tag = signatureTag(image.digest);
  if (tag === undefined) throw new RegistryLookupError('configuration', `registry ${image.registry}: ${image.digest} cannot be written as a signature tag`);
  return tag;
}

async function fetchExisting(client: RegistryClient, target: RepositoryTarget, tag: string, signal: AbortSignal): Promise<FetchedManifest | undefined> {
  try {
    return await fetchManifest(client, target, tag, SIGNATURE_MANIFEST_MEDIA_TYPES, signal);
  } catch (error) {
    if (error instanceof RegistryLookupError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

function readLayers(target: RepositoryTarget, tag: string, manifest: FetchedManifest): LayerDescriptor[] {
  const parsed = parseSignatureManifest(manifest.bytes, manifest.mediaType);
  if (!parsed.ok) throw new RegistryLookupError('protocol', `registry ${target.registry}: ${describe(target)}:${tag} is not a cosign signature manifest: ${parsed.fault}`);
  return parsed.layers;
}

/** Fetches a layer's payload only when it can be a signature: other layers are judged unread. */
async function toCandidate(client: RegistryClient, target: RepositoryTarget, layer: LayerDescriptor, signal: AbortSignal): Promise<SignatureCandidate> {
  const readable = layer.mediaType === SIMPLE_SIGNING_MEDIA_TYPE && layer.size <= MAX_PAYLOAD_BYTES;
  const payload = readable ? await fetchBlob(client, target, layer.digest, MAX_PAYLOAD_BYTES, signal) : undefined;
  return { layerDigest: layer.digest, mediaType: layer.mediaType, size: layer.size, signature: layer.annotations[SIGNATURE_ANNOTATION], payload };
}

/** Every signature layer beside `image`; throws RegistryLookupError when the registry cannot answer. */
export async function fetchCosignSignatures(client: RegistryClient, image: SignedImage, signal: AbortSignal): Promise<FetchedSignatures> {
  const tag = tagFor(image);
  const manifest = await fetchExisting(client, image, tag, signal);
  if (manifest === undefined) return { tag, manifestDigest: undefined, candidates: [] };
  const layers = readLayers(image, tag, manifest);
  const candidates = await Promise.all(layers.map((layer) => toCandidate(client, image, layer, signal)));
  return { tag, manifestDigest: manifest.digest, candidates };
}

/**
 * Adds `signature` to the image's signature manifest, as `cosign sign` does: existing layers are
 * kept, an identical layer is not added twice. Returns the signature manifest's digest.
 */
export async function writeCosignSignature(client: RegistryClient, image: SignedImage, signature: NewSignature, mediaTypes: SignatureMediaTypes, signal: AbortSignal): Promise<string> {
  const tag = tagFor(image);
  const existing = await fetchExisting(client, image, tag, signal);
  const layers = existing === undefined ? [] : readLayers(image, tag, existing);
  const layer = describeSignatureLayer(signature.payload, signature.signature);
  const duplicate = layers.some((present) => present.digest === layer.digest && present.annotations[SIGNATURE_ANNOTATION] === signature.signature);
  if (existing !== undefined && duplicate) return existing.digest;
  const built = buildSignatureImage([...layers, layer], mediaTypes);
  await pushBlob(client, image, signature.payload, signal);
  await pushBlob(client, image, built.config, signal);
  return pushManifest(client, image, tag, built.manifest, built.manifestMediaType, signal);
}
