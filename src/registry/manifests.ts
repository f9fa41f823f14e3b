// Manifests by tag or digest: GET with the media types asked for, size-capped, the bytes checked
// against the digest when fetched by digest; PUT of manifest bytes under a tag or digest.
import type { RegistryClient } from './client';
import { RegistryLookupError } from './errors';
import { type RepositoryTarget, checkContent, checkManifestReference, describe, digestOf, isDigest, readHeader, readMediaType, statusError, withinDeadline } from './repository';

/** The distribution spec's manifest size limit. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface FetchedManifest {
  readonly bytes: Buffer;
  /** The Content-Type it was served with, without parameters; undefined when absent. */
  readonly mediaType: string | undefined;
  /** Computed from the bytes, never taken from a header. */
  readonly digest: string;
}

/** GETs `reference` (a tag or a digest); a 404 is RegistryLookupError 'not-found'. */
export async function fetchManifest(client: RegistryClient, target: RepositoryTarget, reference: string, accept: readonly string[], signal: AbortSignal): Promise<FetchedManifest> {
  checkManifestReference(target, reference);
  return withinDeadline(target, signal, async () => {
    const what = `manifest ${describe(target)}:${reference}`;
    const response = await client.sendToRepository(
      { ...target, method: 'GET', target: `/v2/${target.repository}/manifests/${reference}`, headers: { Accept: accept.join(', ') }, maxBodyBytes: MAX_MANIFEST_BYTES },
      signal,
    );
    if (response.status !== 200) throw statusError(target, what, response);
    if (isDigest(reference)) checkContent(target, 'manifest', response.body, reference);
    return { bytes: response.body, mediaType: readMediaType(response), digest: digestOf(response.body, isDigest(reference) ? reference : undefined) };
  });
}

/** PUTs manifest bytes under `reference`; returns their digest, checked against what the registry says. */
export async function pushManifest(client: RegistryClient, target: RepositoryTarget, reference: string, bytes: Uint8Array, mediaType: string, signal: AbortSignal): Promise<string> {
  checkManifestReference(target, reference);
  if (bytes.length > MAX_MANIFEST_BYTES) throw new RegistryLookupError('configuration', `manifest is ${bytes.length} bytes, more than ${MAX_MANIFEST_BYTES}`);
  return withinDeadline(target, signal, async () => {
    const digest = digestOf(bytes);
    const response = await client.sendToRepository(
      {
        ...target,
        method: 'PUT',
        target: `/v2/${target.repository}/manifests/${reference}`,
        headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) },
        body: bytes,
        maxBodyBytes: 0,
        push: true,
      },
      signal,
    );
    if (response.status !== 201) throw statusError(target, `manifest push ${describe(target)}:${reference}`, response);
    const stored = readHeader(response, 'docker-content-digest');
    if (stored !== undefined && stored !== digest) throw new RegistryLookupError('protocol', `registry ${target.registry}: stored manifest as ${stored}, but its bytes hash to ${digest}`);
    return digest;
  });
}
