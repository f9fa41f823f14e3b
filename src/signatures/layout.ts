// cosign's layout in a registry: the signatures of `repo@sha256:<hex>` are an image tagged
// `sha256-<hex>.sig` in the same repository, one layer per signature. Each layer is a simple-
// signing payload with the base64 signature in an annotation; the config lists the payloads as
// `rootfs.diff_ids`. Built byte-for-byte as go-containerregistry marshals it for cosign (OCI media
// types by default, Docker ones under COSIGN_DOCKER_MEDIA_TYPES), so digests match cosign's.
import { createHash } from 'node:crypto';
import { ANCHORED_TAG, validateDigest } from '../reference';
import { SIMPLE_SIGNING_MEDIA_TYPE } from './payload';
import { parseStrictJson } from './strict-json';

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const SIGNATURE_TAG_SUFFIX = '.sig';
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG_MEDIA_TYPE = 'application/vnd.docker.container.image.v1+json';
/** Each `cosign sign` of one digest appends a layer; far more than that means something is wrong. */
export const MAX_SIGNATURE_LAYERS = 100;
const MAX_TAG_LENGTH = 128;
/** go-containerregistry's zero time, written for `created` in the config and its history. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export type SignatureMediaTypes = 'oci' | 'docker';

export interface LayerDescriptor {
  readonly mediaType: string;
  readonly size: number;
  readonly digest: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface SignatureImage {
  readonly manifest: Buffer;
  readonly manifestMediaType: string;
  readonly manifestDigest: string;
  readonly config: Buffer;
  readonly configDigest: string;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** `sha256:<hex>` -> `sha256-<hex>.sig`; undefined when the digest cannot be a tag (sha512 is too long). */
export function signatureTag(digest: string): string | undefined {
  if (validateDigest(digest) !== undefined) return undefined;
  const tag = `${digest.replace(':', '-')}${SIGNATURE_TAG_SUFFIX}`;
  return tag.length <= MAX_TAG_LENGTH && ANCHORED_TAG.test(tag) ? tag : undefined;
}

function sortedAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(annotations).sort().map((key) => [key, annotations[key] ?? '']));
}

/** The layer cosign writes for one signature over `payload`. */
export function describeSignatureLayer(payload: Uint8Array, signature: string, extraAnnotations: Readonly<Record<string, string>> = {}): LayerDescriptor {
  return { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, size: payload.length, digest: sha256Digest(payload), annotations: { ...extraAnnotations, [SIGNATURE_ANNOTATION]: signature } };
}

/** The config and manifest for these layers, in the order given. */
export function buildSignatureImage(layers: readonly LayerDescriptor[], mediaTypes: SignatureMediaTypes = 'oci'): SignatureImage {
  const configDocument = {
    architecture: '',
    created: ZERO_TIME,
    history: layers.map(() => ({ created: ZERO_TIME })),
    os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
    config: {},
  };
  const config = Buffer.from(JSON.stringify(configDocument), 'utf8');
  const manifestMediaType = mediaTypes === 'oci' ? OCI_MANIFEST_MEDIA_TYPE : DOCKER_MANIFEST_MEDIA_TYPE;
  const manifestDocument = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: { mediaType: mediaTypes === 'oci' ? OCI_CONFIG_MEDIA_TYPE : DOCKER_CONFIG_MEDIA_TYPE, size: config.length, digest: sha256Digest(config) },
    layers: layers.map((layer) => ({ mediaType: layer.mediaType, size: layer.size, digest: layer.digest, annotations: sortedAnnotations(layer.annotations) })),
  };
  const manifest = Buffer.from(JSON.stringify(manifestDocument), 'utf8');
  return { manifest, manifestMediaType, manifestDigest: sha256Digest(manifest), config, configDigest: sha256Digest(config) };
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readLayer(value: unknown, index: number): LayerDescriptor | string {
  const where = `layers[${index}]`;
  if (!isObject(value)) return `${where} is not an object`;
  const { mediaType, size, digest, annotations = {} } = value;
  if (typeof mediaType !== 'string') return `${where}.mediaType is not a string`;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return `${where}.size is not a non-negative integer`;
  if (typeof digest !== 'string' || validateDigest(digest) !== undefined) return `${where}.digest is not a digest`;
  if (!isObject(annotations) || !Object.values(annotations).every((annotation) => typeof annotation === 'string')) return `${where}.annotations is not a map of strings`;
  return { mediaType, size, digest, annotations: annotations as Readonly<Record<string, string>> };
}

/**
 * Reads a signature manifest from its bytes and the Content-Type it was served with (cosign 1.x
 * wrote no mediaType field). Only image manifests carry signatures: an index is a fault.
 */
export function parseSignatureManifest(bytes: Uint8Array, contentType: string | undefined): { ok: true; layers: LayerDescriptor[] } | { ok: false; fault: string } {
  const parsed = parseStrictJson(bytes);
  if (!parsed.ok) return { ok: false, fault: `manifest ${parsed.fault}` };
  const document = parsed.value;
  if (!isObject(document) || document['schemaVersion'] !== 2) return { ok: false, fault: 'manifest is not a schemaVersion 2 manifest' };
  const written = document['mediaType'];
  const mediaType = typeof written === 'string' ? written : contentType;
  if (written !== undefined && typeof written !== 'string') return { ok: false, fault: 'manifest mediaType is not a string' };
  if (mediaType !== OCI_MANIFEST_MEDIA_TYPE && mediaType !== DOCKER_MANIFEST_MEDIA_TYPE) {
    return { ok: false, fault: `manifest media type is ${JSON.stringify((mediaType ?? 'missing').slice(0, 80))}, not an image manifest` };
  }
  const layers = document['layers'];
  if (!Array.isArray(layers)) return { ok: false, fault: 'manifest has no layers array' };
  if (layers.length > MAX_SIGNATURE_LAYERS) return { ok: false, fault: `manifest has ${layers.length} layers, more than ${MAX_SIGNATURE_LAYERS}` };
  const read: LayerDescriptor[] = [];
  for (const [index, layer] of layers.entries()) {
    const descriptor = readLayer(layer, index);
    if (typeof descriptor === 'string') return { ok: false, fault: `manifest ${descriptor}` };
    read.push(descriptor);
  }
  return { ok: true, layers: read };
}
