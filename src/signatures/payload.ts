// The cosign "simple signing" payload (application/vnd.dev.cosign.simplesigning.v1+json), the
// document a cosign signature covers:
//   {"critical":{"identity":{"docker-reference":R},"image":{"docker-manifest-digest":D},
//    "type":"cosign container image signature"},"optional":null}
// Built byte-for-byte as cosign writes it (Go's encoding/json, fields in that order, no spaces)
// and read strictly: exact keys, no extra or duplicate ones, a registered digest.
import { validateDigest } from '../reference';
import { parseStrictJson } from './strict-json';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
/** cosign's payloads are about 250 bytes; `-a` annotations add a little. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export interface SimpleSigningPayload {
  /** As the signer wrote it: cosign writes `index.docker.io/library/nginx`, `registry.example.com/app`. */
  readonly dockerReference: string;
  readonly digest: string;
  /** cosign's `-a key=value` annotations; null when there are none. */
  readonly optional: Readonly<Record<string, unknown>> | null;
}

export type ParsedPayload = { ok: true; payload: SimpleSigningPayload } | { ok: false; fault: string };

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Undefined when `value` is an object with exactly `keys`; otherwise what is wrong with it. */
function checkKeys(value: unknown, where: string, keys: readonly string[]): string | undefined {
  if (!isObject(value)) return `${where} is not an object`;
  const extra = Object.keys(value).find((key) => !keys.includes(key));
  if (extra !== undefined) return `${where} has the unexpected key ${JSON.stringify(extra.slice(0, 40))}`;
  const missing = keys.find((key) => !Object.hasOwn(value, key));
  return missing === undefined ? undefined : `${where} has no "${missing}"`;
}

/** Go's encoding/json escapes these for HTML safety; JSON.stringify does not. */
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

/**
 * The exact bytes cosign signs for `dockerReference` at `digest`; `annotations` are cosign's
 * `-a key=value` pairs (Go writes map keys sorted).
 */
export function buildSimpleSigningPayload(dockerReference: string, digest: string, annotations: Readonly<Record<string, string>> = {}): Buffer {
  const keys = Object.keys(annotations).sort();
  const optional = keys.length === 0 ? null : Object.fromEntries(keys.map((key) => [key, annotations[key]]));
  const document = {
    critical: { identity: { 'docker-reference': dockerReference }, image: { 'docker-manifest-digest': digest }, type: COSIGN_SIGNATURE_TYPE },
    optional,
  };
  const text = JSON.stringify(document).replace(GO_ESCAPED, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.from(text, 'utf8');
}

/** Reads a payload from the bytes that were signed; never throws. */
export function parseSimpleSigningPayload(bytes: Uint8Array): ParsedPayload {
  if (bytes.length > MAX_PAYLOAD_BYTES) return { ok: false, fault: `payload is ${bytes.length} bytes, more than ${MAX_PAYLOAD_BYTES}` };
  const parsed = parseStrictJson(bytes);
  if (!parsed.ok) return { ok: false, fault: `payload ${parsed.fault}` };
  const root = parsed.value;
  const fault =
    checkKeys(root, 'payload', ['critical', 'optional']) ??
    checkKeys((root as Record<string, unknown>)['critical'], 'critical', ['identity', 'image', 'type']);
  if (fault !== undefined) return { ok: false, fault };
  const document = root as { critical: Record<string, unknown>; optional: unknown };
  const { identity, image, type } = document.critical;
  const shapeFault = checkKeys(identity, 'critical.identity', ['docker-reference']) ?? checkKeys(image, 'critical.image', ['docker-manifest-digest']);
  if (shapeFault !== undefined) return { ok: false, fault: shapeFault };
  if (type !== COSIGN_SIGNATURE_TYPE) return { ok: false, fault: `critical.type is ${JSON.stringify(String(type).slice(0, 60))}, not "${COSIGN_SIGNATURE_TYPE}"` };
  const dockerReference = (identity as Record<string, unknown>)['docker-reference'];
  const digest = (image as Record<string, unknown>)['docker-manifest-digest'];
  if (typeof dockerReference !== 'string') return { ok: false, fault: 'critical.identity.docker-reference is not a string' };
  if (typeof digest !== 'string') return { ok: false, fault: 'critical.image.docker-manifest-digest is not a string' };
  const digestFault = validateDigest(digest);
  if (digestFault !== undefined) return { ok: false, fault: `critical.image.docker-manifest-digest: ${digestFault}` };
  const { optional } = document;
  if (optional !== null && !isObject(optional)) return { ok: false, fault: 'optional is neither null nor an object' };
  return { ok: true, payload: { dockerReference, digest, optional } };
}
