// Resolves one tag to the manifest digest a runtime would pull, with the OCI distribution API:
// `HEAD /v2/<name>/manifests/<tag>` and its Docker-Content-Digest header, answering a 401 with
// basic auth or a bearer token from the challenge's realm. One deadline covers the whole lookup.
import { createHash } from 'node:crypto';
import { validateDigest } from '../reference';
import { type Clock, ExpiringLruCache } from './cache';
import { parseChallenges, type Challenge } from './challenge';
import type { RegistryCredential } from './credentials';
import { RegistryLookupError } from './errors';
import type { RegistryTransport, TransportRequest, TransportResponse } from './transport';

/** What a runtime may pull for a tag: multi-platform indexes first, then single manifests. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
/** `docker.io` in an image reference is served from this host. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
export const USER_AGENT = 'image-policy-webhook';
/** Image manifests and indexes (OCI and Docker v2) all declare this schemaVersion. */
const MANIFEST_SCHEMA_VERSION = 2;
/** The distribution spec's manifest size limit; read only when a registry omits the digest header. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** The token spec's default when a token server gives no expires_in. */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;
/** A token is dropped this long before it expires, so it never expires in flight. */
const TOKEN_EXPIRY_MARGIN_MS = 5_000;
const MAX_CACHED_TOKENS = 1_000;
/** Visible ASCII only: a token goes into a header line. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

export interface TagReference {
  /** As normalized by the reference module: `docker.io`, `registry.example.com:5000`. */
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
}

/** One request to a repository's API for readers and writers other than tag resolution. */
export interface RepositoryRequest {
  readonly registry: string;
  readonly repository: string;
  readonly method: TransportRequest['method'];
  /** A `/v2/<repository>/...` path, or a URL the registry handed out (an upload's Location). */
  readonly target: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly maxBodyBytes: number;
  /** Writes need a `pull,push` token; reads ask for `pull` only. */
  readonly push?: boolean;
  /** Blob downloads: registries answer with a redirect to their storage host. */
  readonly followRedirects?: boolean;
}

/** Hops a blob download may take; registries use one (to their storage or CDN). */
const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export interface RegistryClientOptions {
  readonly timeoutMs: number;
  readonly credentials: ReadonlyMap<string, RegistryCredential>;
  /** Registries spoken to over plain HTTP (tests, loopback mirrors); every other one over HTTPS. */
  readonly plainHttpRegistries: ReadonlySet<string>;
  readonly transport: RegistryTransport;
  readonly now?: Clock;
}

function basicAuthorization(credential: RegistryCredential): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
}

function readHeader(response: TransportResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** What a manifest answer is instead, or undefined when it is one: a manifest media type and a JSON object with schemaVersion 2. */
function describeNotManifest(contentType: string | undefined, body: Buffer): string | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) return `content type ${JSON.stringify(mediaType.slice(0, 80))}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return 'a body that is not JSON';
  }
  const schemaVersion = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['schemaVersion'] : undefined;
  return schemaVersion === MANIFEST_SCHEMA_VERSION ? undefined : 'JSON without schemaVersion 2';
}

export class RegistryClient {
  private readonly tokens: ExpiringLruCache<string, string>;
  /** Registries that asked for basic auth once: later lookups send credentials up front. */
  private readonly basicRegistries = new Set<string>();

  constructor(private readonly options: RegistryClientOptions) {
    this.tokens = new ExpiringLruCache(MAX_CACHED_TOKENS, options.now);
  }

  /** The manifest digest the tag points to now; throws RegistryLookupError. */
  async fetchDigest(reference: TagReference): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      return await this.lookUp(reference, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) {
        throw new RegistryLookupError('timeout', `registry ${reference.registry}: no answer within ${this.options.timeoutMs} ms`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private baseUrl(registry: string): string {
    const host = registry === 'docker.io' ? DOCKER_HUB_API_HOST : registry;
    return `${this.options.plainHttpRegistries.has(registry) ? 'http' : 'https'}://${host}`;
  }

  private async lookUp(reference: TagReference, signal: AbortSignal): Promise<string> {
    const { registry } = reference;
    const url = new URL(`${this.baseUrl(registry)}/v2/${reference.repository}/manifests/${reference.tag}`);
    const scope = `repository:${reference.repository}:pull`;
    let authorization = this.knownAuthorization(registry, scope);
    let response = await this.request(url, 'HEAD', authorization, signal, 0);
    if (response.status === 401) {
      authorization = await this.answerChallenge(reference, scope, response, signal);
      response = await this.request(url, 'HEAD', authorization, signal, 0);
      if (response.status === 401) throw new RegistryLookupError('unauthorized', `registry ${registry}: credentials refused (HTTP 401)`);
    }
    if (response.status === 403) throw new RegistryLookupError('unauthorized', `registry ${registry}: no pull access to ${reference.repository} (HTTP 403)`);
    if (response.status === 404) throw new RegistryLookupError('not-found', `registry ${registry}: tag ${reference.tag} not found (HTTP 404)`);
    if (response.status !== 200) throw new RegistryLookupError('protocol', `registry ${registry}: HEAD manifest answered HTTP ${response.status}`);
    const header = readHeader(response, 'docker-content-digest');
    if (header !== undefined) return this.checkDigest(registry, header);
    // The spec only says SHOULD for this header: the digest of the manifest bytes is the same value.
    const manifest = await this.request(url, 'GET', authorization, signal, MAX_MANIFEST_BYTES);
    if (manifest.status !== 200) throw new RegistryLookupError('protocol', `registry ${registry}: GET manifest answered HTTP ${manifest.status}`);
    const fromGet = readHeader(manifest, 'docker-content-digest');
    if (fromGet !== undefined) return this.checkDigest(registry, fromGet);
    // Hashing whatever came back would turn an error page into a digest no deny entry names.
    const notManifest = describeNotManifest(readHeader(manifest, 'content-type'), manifest.body);
    if (notManifest !== undefined) throw new RegistryLookupError('protocol', `registry ${registry}: GET manifest answered ${notManifest}, not a manifest`);
    return `sha256:${createHash('sha256').update(manifest.body).digest('hex')}`;
  }

  private checkDigest(registry: string, digest: string): string {
    const fault = validateDigest(digest);
    if (fault !== undefined) throw new RegistryLookupError('protocol', `registry ${registry}: Docker-Content-Digest is not a digest: ${fault}`);
    return digest;
  }

  private request(url: URL, method: 'GET' | 'HEAD', authorization: string | undefined, signal: AbortSignal, maxBodyBytes: number): Promise<TransportResponse> {
    const headers: Record<string, string> = { Accept: MANIFEST_MEDIA_TYPES.join(', '), 'User-Agent': USER_AGENT };
    if (authorization !== undefined) headers['Authorization'] = authorization;
    // Error bodies are read (and dropped) so the connection can be kept alive.
    return this.send(url, { url, method, headers, signal, maxBodyBytes: Math.max(maxBodyBytes, MAX_ERROR_BODY_BYTES) });
  }

  /** Every fault names the registry first, whichever host (registry or token server) failed. */
  private async send(registryUrl: URL, request: TransportRequest): Promise<TransportResponse> {
    try {
      return await this.options.transport.send(request);
    } catch (error) {
      if (!(error instanceof RegistryLookupError)) throw error;
      const registry = registryUrl.host === DOCKER_HUB_API_HOST ? 'docker.io' : registryUrl.host;
      throw new RegistryLookupError(error.kind, `registry ${registry}: ${error.message}`);
    }
  }

  /**
   * Sends one request with this client's credentials, tokens, CA and plain-HTTP list, answering
   * a 401 once through its challenge. The caller's signal is the deadline. Only the registry's own
   * origin is ever sent credentials: a redirect elsewhere is followed without them, over HTTPS.
   */
  async sendToRepository(request: RepositoryRequest, signal: AbortSignal): Promise<TransportResponse> {
    const { registry } = request;
    const origin = new URL(this.baseUrl(registry));
    const url = new URL(request.target, origin);
    if (url.origin !== origin.origin) throw new RegistryLookupError('protocol', `registry ${registry}: refused to send ${request.method} to another host (${url.origin})`);
    const scope = `repository:${request.repository}:${request.push === true ? 'pull,push' : 'pull'}`;
    const maxBodyBytes = Math.max(request.maxBodyBytes, MAX_ERROR_BODY_BYTES);
    const send = (target: URL, authorization: string | undefined): Promise<TransportResponse> => {
      const headers: Record<string, string> = { ...request.headers, 'User-Agent': USER_AGENT };
      if (authorization !== undefined) headers['Authorization'] = authorization;
      return this.send(origin, { url: target, method: request.method, headers, signal, maxBodyBytes, ...(request.body === undefined ? {} : { body: request.body }) });
    };
    let authorization = this.knownAuthorization(registry, scope);
    let response = await send(url, authorization);
    if (response.status === 401) {
      authorization = await this.answerChallenge({ registry }, scope, response, signal);
      response = await send(url, authorization);
    }
    let current = url;
    for (let hops = 0; request.followRedirects === true && REDIRECT_STATUSES.has(response.status); hops += 1) {
      const location = readHeader(response, 'location');
      if (hops === MAX_REDIRECTS || location === undefined) throw new RegistryLookupError('protocol', `registry ${registry}: too many or empty redirects for ${url.pathname}`);
      current = new URL(location, current);
      const sameOrigin = current.origin === origin.origin;
      if (!sameOrigin && current.protocol !== 'https:') throw new RegistryLookupError('configuration', `registry ${registry}: redirect to ${current.origin} is not HTTPS`);
      response = await send(current, sameOrigin ? authorization : undefined);
    }
    return response;
  }

  private knownAuthorization(registry: string, scope: string): string | undefined {
    const token = this.tokens.get(`${registry} ${scope}`);
    if (token !== undefined) return `Bearer ${token}`;
    const credential = this.options.credentials.get(registry);
    return credential !== undefined && this.basicRegistries.has(registry) ? basicAuthorization(credential) : undefined;
  }

  private async answerChallenge(reference: Pick<TagReference, 'registry'>, scope: string, response: TransportResponse, signal: AbortSignal): Promise<string> {
    const { registry } = reference;
    const challenges = parseChallenges(readHeader(response, 'www-authenticate') ?? '') ?? [];
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    if (bearer !== undefined) return `Bearer ${await this.fetchToken(registry, scope, bearer, signal)}`;
    if (challenges.some((challenge) => challenge.scheme === 'basic')) {
      const credential = this.options.credentials.get(registry);
      if (credential === undefined) throw new RegistryLookupError('unauthorized', `registry ${registry}: login required and the credentials file has no entry for it`);
      this.basicRegistries.add(registry);
      return basicAuthorization(credential);
    }
    throw new RegistryLookupError('unauthorized', `registry ${registry}: HTTP 401 without a basic or bearer challenge`);
  }

  private async fetchToken(registry: string, scope: string, challenge: Challenge, signal: AbortSignal): Promise<string> {
    const realm = challenge.params.get('realm');
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new RegistryLookupError('protocol', `registry ${registry}: bearer challenge without a valid realm URL`);
    }
    // Credentials travel to the realm: never over plain HTTP unless the registry itself is plain HTTP.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.options.plainHttpRegistries.has(registry))) {
      throw new RegistryLookupError('configuration', `registry ${registry}: token realm ${url.origin} is not HTTPS`);
    }
    const service = challenge.params.get('service');
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const credential = this.options.credentials.get(registry);
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT };
    if (credential !== undefined) headers['Authorization'] = basicAuthorization(credential);
    const response = await this.send(new URL(this.baseUrl(registry)), { url, method: 'GET', headers, signal, maxBodyBytes: MAX_TOKEN_RESPONSE_BYTES });
    if (response.status === 401 || response.status === 403) {
      const who = credential === undefined ? 'anonymous access' : 'the credentials';
      throw new RegistryLookupError('unauthorized', `registry ${registry}: token server ${url.host} refused ${who} (HTTP ${response.status})`);
    }
    if (response.status !== 200) throw new RegistryLookupError('protocol', `registry ${registry}: token server ${url.host} answered HTTP ${response.status}`);
    const { token, lifetimeSeconds } = this.readToken(registry, response.body);
    this.tokens.set(`${registry} ${scope}`, token, Math.max(0, lifetimeSeconds * 1000 - TOKEN_EXPIRY_MARGIN_MS));
    return token;
  }

  private readToken(registry: string, body: Buffer): { token: string; lifetimeSeconds: number } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryLookupError('protocol', `registry ${registry}: token response is not JSON`);
    }
    const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    const token = record['token'] ?? record['access_token'];
    if (typeof token !== 'string' || !HEADER_SAFE.test(token)) throw new RegistryLookupError('protocol', `registry ${registry}: token response has no usable token`);
    const expiresIn = record['expires_in'];
    const lifetimeSeconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_TOKEN_LIFETIME_SECONDS;
    return { token, lifetimeSeconds };
  }
}
