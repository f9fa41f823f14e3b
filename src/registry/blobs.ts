// Blobs by digest: GET (following the registry's redirect to its storage), size-capped and hash
// checked; upload as one POST that opens an upload and one PUT that closes it with the digest,
// skipped when the repository already has the blob.
import type { RegistryClient } from './client';
import { RegistryLookupError } from './errors';
import { type RepositoryTarget, checkContent, describe, digestOf, isDigest, readHeader, statusError, withinDeadline } from './repository';

function checkDigest(target: RepositoryTarget, digest: string): void {
  if (!isDigest(digest)) throw new RegistryLookupError('configuration', `registry ${target.registry}: ${JSON.stringify(digest.slice(0, 80))} is not a digest`);
}

/** The blob's bytes; more than `maxBytes` is a 'protocol' fault, so is content that does not hash to `digest`. */
export async function fetchBlob(client: RegistryClient, target: RepositoryTarget, digest: string, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  checkDigest(target, digest);
  return withinDeadline(target, signal, async () => {
    const response = await client.sendToRepository(
      { ...target, method: 'GET', target: `/v2/${target.repository}/blobs/${digest}`, maxBodyBytes: maxBytes, followRedirects: true },
      signal,
    );
    if (response.status !== 200) throw statusError(target, `blob ${describe(target)}@${digest}`, response);
    if (response.body.length > maxBytes) throw new RegistryLookupError('protocol', `registry ${target.registry}: blob ${digest} is larger than ${maxBytes} bytes`);
    checkContent(target, 'blob', response.body, digest);
    return response.body;
  });
}

/** Uploads `bytes` unless the repository has them; returns their sha256 digest. */
export async function pushBlob(client: RegistryClient, target: RepositoryTarget, bytes: Uint8Array, signal: AbortSignal): Promise<string> {
  return withinDeadline(target, signal, async () => {
    const digest = digestOf(bytes);
    const what = `blob upload ${describe(target)}@${digest}`;
    const existing = await client.sendToRepository({ ...target, method: 'HEAD', target: `/v2/${target.repository}/blobs/${digest}`, maxBodyBytes: 0, push: true }, signal);
    if (existing.status === 200) return digest;
    const opened = await client.sendToRepository({ ...target, method: 'POST', target: `/v2/${target.repository}/blobs/uploads/`, headers: { 'Content-Length': '0' }, maxBodyBytes: 0, push: true }, signal);
    const location = readHeader(opened, 'location');
    if (opened.status !== 202 || location === undefined) throw statusError(target, what, opened);
    const separator = location.includes('?') ? '&' : '?';
    const closed = await client.sendToRepository(
      {
        ...target,
        method: 'PUT',
        target: `${location}${separator}digest=${encodeURIComponent(digest)}`,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
        body: bytes,
        maxBodyBytes: 0,
        push: true,
      },
      signal,
    );
    if (closed.status !== 201) throw statusError(target, what, closed);
    return digest;
  });
}
