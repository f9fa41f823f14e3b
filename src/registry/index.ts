// Public face of the registry client: tag resolution (HEAD manifests, basic and bearer auth,
// private CA) behind a bounded expiring cache with request coalescing, plus manifest and blob
// reads and writes and cosign's signature layout. All network I/O is asynchronous: a lookup
// never blocks the event loop, and its deadline covers every request in it.
export { fetchBlob, pushBlob } from './blobs';
export { type Clock, ExpiringLruCache } from './cache';
export { type Challenge, MAX_CHALLENGE_LENGTH, parseChallenges } from './challenge';
export { DOCKER_HUB_API_HOST, MANIFEST_MEDIA_TYPES, RegistryClient, type RegistryClientOptions, type RepositoryRequest, type TagReference, USER_AGENT } from './client';
export { type FetchedSignatures, type NewSignature, fetchCosignSignatures, writeCosignSignature } from './cosign-signatures';
export { type RegistryCredential, normalizeCredentialKey, parseCredentialsFile } from './credentials';
export { CredentialsFileError, LOOKUP_FAULT_KINDS, type LookupFaultKind, RegistryLookupError } from './errors';
export { LookupLimiter, type Slot } from './limiter';
export { type FetchedManifest, MAX_MANIFEST_BYTES, fetchManifest, pushManifest } from './manifests';
export { type RepositoryTarget } from './repository';
export { type DigestSource, MAX_WAITING_LOOKUPS, TagResolver, type TagResolverOptions } from './resolver';
export { MAX_SOCKETS_PER_HOST, RegistryTransport } from './transport';
