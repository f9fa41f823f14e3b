// What the manifest, blob and signature readers and writers share: the repository they address,
// one mapping from an unexpected HTTP status to a typed error, content checked against its digest,
// and an aborted deadline reported as a timeout rather than as a bare AbortError.
import { createHash } from 'node:crypto';
import { ANCHORED_TAG, validateDigest } from '../reference';
import { RegistryLookupError } from './errors';
import type { TransportResponse } from './transport';

export interface RepositoryTarget {
  /** As normalized by the reference module: `docker.io`, `registry.example.com:5000`. */
  readonly registry: string;
  readonly repository: string;
}

/** Hash functions node:crypto names the way go-digest names its algorithms. */
const DIGEST_HASHES: ReadonlySet<string> = new Set(['sha256', 'sha384', 'sha512']);
const MAX_TAG_LENGTH = 128;

export function describe(target: RepositoryTarget): string {
  return `${target.registry}/${target.repository}`;
}

export function isDigest(reference: string): boolean {
  return validateDigest(reference) === undefined;
}

/** A tag or digest safe to put in a URL path; anything else is a caller's mistake. */
export function checkManifestReference(target: RepositoryTarget, reference: string): void {
  const isTag = reference.length <= MAX_TAG_LENGTH && ANCHORED_TAG.test(reference);
  if (!isTag && !isDigest(reference)) {
    throw new RegistryLookupError('configuration', `registry ${target.registry}: ${JSON.stringify(reference.slice(0, 80))} is neither a tag nor a digest`);
  }
}

/** `algorithm:hex` of `bytes` with the algorithm of `like` (sha256 when `like` is a tag). */
export function digestOf(bytes: Uint8Array, like = 'sha256:'): string {
  const algorithm = like.slice(0, like.indexOf(':'));
  const name = DIGEST_HASHES.has(algorithm) ? algorithm : 'sha256';
  return `${name}:${createHash(name).update(bytes).digest('hex')}`;
}

/** Throws unless `bytes` hash to `digest`: a registry (or a proxy) must not swap content. */
export function checkContent(target: RepositoryTarget, what: string, bytes: Uint8Array, digest: string): void {
  const actual = digestOf(bytes, digest);
  if (actual !== digest) throw new RegistryLookupError('protocol', `registry ${target.registry}: ${what} ${digest} arrived with content hashing to ${actual}`);
}

/** The one mapping from an unexpected status to a typed error; `what` names the object. */
export function statusError(target: RepositoryTarget, what: string, response: TransportResponse): RegistryLookupError {
  const { status } = response;
  const where = `registry ${target.registry}`;
  if (status === 401) return new RegistryLookupError('unauthorized', `${where}: credentials refused for ${what} (HTTP 401)`);
  if (status === 403) return new RegistryLookupError('unauthorized', `${where}: no access to ${what} (HTTP 403)`);
  if (status === 404) return new RegistryLookupError('not-found', `${where}: ${what} not found (HTTP 404)`);
  return new RegistryLookupError('protocol', `${where}: ${what} answered HTTP ${status}`);
}

export function readHeader(response: TransportResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Content-Type without parameters, lower-cased; undefined when absent. */
export function readMediaType(response: TransportResponse): string | undefined {
  const header = readHeader(response, 'content-type');
  return header === undefined ? undefined : (header.split(';')[0] ?? '').trim().toLowerCase();
}

/** Runs `operation`, turning an abort of `signal` into a timeout that names the registry. */
export async function withinDeadline<T>(target: RepositoryTarget, signal: AbortSignal, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (signal.aborted && !(error instanceof RegistryLookupError)) {
      throw new RegistryLookupError('timeout', `registry ${target.registry}: no answer before the deadline`);
    }
    throw error;
  }
}
