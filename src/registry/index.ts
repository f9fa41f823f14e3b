// Public face of tag resolution: an OCI distribution client (HEAD manifests, basic and bearer
// auth, private CA) behind a bounded expiring cache with request coalescing. All network I/O is
// asynchronous: a lookup never blocks the event loop, and its deadline covers every request in it.
export { type Clock, ExpiringLruCache } from './cache';
export { type Challenge, MAX_CHALLENGE_LENGTH, parseChallenges } from './challenge';
export { DOCKER_HUB_API_HOST, MANIFEST_MEDIA_TYPES, RegistryClient, type RegistryClientOptions, type TagReference, USER_AGENT } from './client';
export { type RegistryCredential, normalizeCredentialKey, parseCredentialsFile } from './credentials';
export { CredentialsFileError, LOOKUP_FAULT_KINDS, type LookupFaultKind, RegistryLookupError } from './errors';
export { type DigestSource, TagResolver, type TagResolverOptions } from './resolver';
export { MAX_SOCKETS_PER_HOST, RegistryTransport } from './transport';
