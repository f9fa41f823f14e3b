// RegistryClient against real registries: Debian's docker-registry on loopback over plain HTTP and
// TLS, anonymous, with htpasswd basic auth and with token auth, plus a registry that is down, one
// that never answers and one that omits the digest header. Images are built with umoci and
// pushed with skopeo, so every digest checked is the one the registry stored.
import { RegistryClient, RegistryLookupError, RegistryTransport, type RegistryCredential, type TagReference } from '../../../src/registry';
import { createTestPki, type TestPki } from '../../support/pki';
import { startRegistryWithoutDigestHeader, startSilentServer, startTokenServer, type RunningPeer } from '../../support/registry-peers';
import { buildImageLayout, pushImage, requireRegistryTools, startRegistry, type RunningRegistry } from '../../support/registry';

const LOGIN = { username: 'ci-robot', password: 'pull-secret-1' };
const WRONG_LOGIN = { username: 'ci-robot', password: 'not-the-pull-secret' };
// A lookup at the local registry takes milliseconds; the generous deadline is for a loaded machine.
const TIMEOUT_MS = 10_000;
const SLOW_TIMEOUT_MS = 300;
const REPOSITORY = 'team/app';

let pki: TestPki;
let layout: { layout: string; remove(): void };
let plain: RunningRegistry;
let secure: RunningRegistry;
let basic: RunningRegistry;
let tokenRegistry: RunningRegistry;
let tlsTokenRegistry: RunningRegistry;
let tokenServer: RunningPeer;
let anonymousTokenServer: RunningPeer;
let anonymousTokenRegistry: RunningRegistry;
let silent: RunningPeer;
let noDigestHeader: RunningPeer & { digest: string };
let downHost: string;
const pushed = new Map<RunningRegistry, string>();
const transports: RegistryTransport[] = [];

beforeAll(async () => {
  await requireRegistryTools();
  pki = await createTestPki();
  layout = await buildImageLayout(['v1']);
  const tls = { certPath: pki.server.certPath, keyPath: pki.server.keyPath };
  const tokenSettings = { service: 'test-registry', issuer: 'test-token-issuer', certificate: pki.server.certificate, privateKey: pki.server.privateKey };
  tokenServer = await startTokenServer({ ...tokenSettings, login: LOGIN });
  anonymousTokenServer = await startTokenServer(tokenSettings);
  const tokenAuth = (realm: string) => ({ realm, service: tokenSettings.service, issuer: tokenSettings.issuer, rootCertBundlePath: pki.ca.certPath });
  [plain, secure, basic, tokenRegistry, anonymousTokenRegistry, tlsTokenRegistry] = await Promise.all([
    startRegistry(),
    startRegistry({ tls }),
    startRegistry({ tls, basic: LOGIN }),
    startRegistry({ token: tokenAuth(tokenServer.url) }),
    startRegistry({ token: tokenAuth(anonymousTokenServer.url) }),
    startRegistry({ tls, token: tokenAuth(tokenServer.url) }),
  ]);
  for (const registry of [plain, secure, basic, tokenRegistry, anonymousTokenRegistry]) {
    const login = registry === basic || registry === tokenRegistry ? { login: LOGIN } : {};
    pushed.set(registry, await pushImage(registry, layout.layout, 'v1', `${REPOSITORY}:v1`, login));
  }
  silent = await startSilentServer();
  noDigestHeader = await startRegistryWithoutDigestHeader('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
  const stopped = await startRegistry();
  downHost = stopped.host;
  await stopped.stop();
});

afterAll(async () => {
  for (const transport of transports) transport.close();
  await Promise.all([plain, secure, basic, tokenRegistry, anonymousTokenRegistry, tlsTokenRegistry].map((registry) => registry?.stop()));
  await Promise.all([tokenServer, anonymousTokenServer, silent, noDigestHeader].map((peer) => peer?.stop()));
  layout?.remove();
  pki?.remove();
});

interface ClientSetup {
  readonly credentials?: Readonly<Record<string, RegistryCredential>>;
  readonly ca?: boolean;
  readonly plainHttp: readonly string[];
  readonly timeoutMs?: number;
}

function createClient(setup: ClientSetup): RegistryClient {
  const transport = new RegistryTransport(setup.ca === true ? pki.ca.certificate : undefined);
  transports.push(transport);
  return new RegistryClient({
    timeoutMs: setup.timeoutMs ?? TIMEOUT_MS,
    credentials: new Map(Object.entries(setup.credentials ?? {})),
    plainHttpRegistries: new Set(setup.plainHttp),
    transport,
  });
}

function tagOn(host: string, tag = 'v1', repository = REPOSITORY): TagReference {
  return { registry: host, repository, tag };
}

async function lookUp(client: RegistryClient, reference: TagReference): Promise<{ digest?: string; kind?: string; message?: string }> {
  try {
    return { digest: await client.fetchDigest(reference) };
  } catch (error) {
    if (!(error instanceof RegistryLookupError)) throw error;
    return { kind: error.kind, message: error.message };
  }
}

describe('tag resolution against docker-registry', () => {
  test.each([
    { name: 'plain HTTP, anonymous', registry: () => plain, setup: () => ({ plainHttp: [plain.host] }) },
    { name: 'TLS with the private CA (caFile)', registry: () => secure, setup: () => ({ plainHttp: [], ca: true }) },
    { name: 'TLS with basic auth', registry: () => basic, setup: () => ({ plainHttp: [], ca: true, credentials: { [basic.host]: LOGIN } }) },
    { name: 'token auth with a login', registry: () => tokenRegistry, setup: () => ({ plainHttp: [tokenRegistry.host], credentials: { [tokenRegistry.host]: LOGIN } }) },
    { name: 'token auth, anonymous pull', registry: () => anonymousTokenRegistry, setup: () => ({ plainHttp: [anonymousTokenRegistry.host] }) },
  ])('$name: the digest skopeo pushed', async ({ registry, setup }) => {
    const client = createClient(setup());
    expect(await lookUp(client, tagOn(registry().host))).toEqual({ digest: pushed.get(registry()) });
  });

  test.each([
    { name: 'unknown tag', reference: () => tagOn(plain.host, 'v9'), setup: () => ({ plainHttp: [plain.host] }), kind: 'not-found', message: /tag v9 not found \(HTTP 404\)/ },
    { name: 'unknown repository', reference: () => tagOn(plain.host, 'v1', 'team/other'), setup: () => ({ plainHttp: [plain.host] }), kind: 'not-found', message: /HTTP 404/ },
    {
      name: 'TLS registry without its CA',
      reference: () => tagOn(secure.host),
      setup: () => ({ plainHttp: [] }),
      kind: 'unreachable',
      message: /^registry 127\.0\.0\.1:\d+: TLS with 127\.0\.0\.1:\d+ failed: .*resolveTags\.caFile/,
    },
    {
      name: 'HTTPS spoken to a plain-HTTP registry',
      reference: () => tagOn(plain.host),
      setup: () => ({ plainHttp: [], ca: true }),
      kind: 'unreachable',
      message: /^registry 127\.0\.0\.1:\d+: TLS with 127\.0\.0\.1:\d+ failed: it does not speak TLS \(plain-HTTP registries go in resolveTags\.plainHttpRegistries\)$/,
    },
    {
      name: 'basic auth, no credentials for the host',
      reference: () => tagOn(basic.host),
      setup: () => ({ plainHttp: [], ca: true, credentials: { 'other.example.com': LOGIN } }),
      kind: 'unauthorized',
      message: /login required and the credentials file has no entry for it/,
    },
    {
      name: 'basic auth, wrong password',
      reference: () => tagOn(basic.host),
      setup: () => ({ plainHttp: [], ca: true, credentials: { [basic.host]: WRONG_LOGIN } }),
      kind: 'unauthorized',
      message: /credentials refused \(HTTP 401\)/,
    },
    {
      name: 'token auth, wrong password',
      reference: () => tagOn(tokenRegistry.host),
      setup: () => ({ plainHttp: [tokenRegistry.host], credentials: { [tokenRegistry.host]: WRONG_LOGIN } }),
      kind: 'unauthorized',
      message: /token server 127\.0\.0\.1:\d+ refused the credentials \(HTTP 401\)/,
    },
    {
      name: 'token auth, no login where one is required',
      reference: () => tagOn(tokenRegistry.host),
      setup: () => ({ plainHttp: [tokenRegistry.host] }),
      kind: 'unauthorized',
      message: /refused anonymous access/,
    },
    {
      name: 'token realm over plain HTTP for an HTTPS registry is refused (credentials would travel in clear)',
      reference: () => tagOn(tlsTokenRegistry.host),
      setup: () => ({ plainHttp: [], ca: true, credentials: { [tlsTokenRegistry.host]: LOGIN } }),
      kind: 'configuration',
      message: /token realm http:\/\/127\.0\.0\.1:\d+ is not HTTPS$/,
    },
    { name: 'registry down', reference: () => tagOn(downHost), setup: () => ({ plainHttp: [downHost] }), kind: 'unreachable', message: /^registry 127\.0\.0\.1:\d+: cannot reach 127\.0\.0\.1:\d+: connect ECONNREFUSED/ },
    {
      name: 'registry that never answers',
      reference: () => tagOn(new URL(silent.url).host),
      setup: () => ({ plainHttp: [new URL(silent.url).host], timeoutMs: SLOW_TIMEOUT_MS }),
      kind: 'timeout',
      message: new RegExp(`no answer within ${SLOW_TIMEOUT_MS} ms`),
    },
  ])('$name', async ({ reference, setup, kind, message }) => {
    const result = await lookUp(createClient(setup()), reference());
    expect(result).toEqual({ kind, message: expect.stringMatching(message) });
    expect(result.message).not.toContain(LOGIN.password);
    expect(result.message).not.toContain(WRONG_LOGIN.password);
  });

  test('a registry that omits Docker-Content-Digest: the digest of the manifest bytes', async () => {
    const host = new URL(noDigestHeader.url).host;
    expect(await lookUp(createClient({ plainHttp: [host] }), tagOn(host))).toEqual({ digest: noDigestHeader.digest });
  });

  test.each([
    { name: 'an empty HTML page', body: '', contentType: 'text/html', fault: /GET manifest answered content type "text\/html", not a manifest/ },
    { name: 'a JSON error document served as a manifest', body: '{"errors":[]}', contentType: 'application/vnd.oci.image.manifest.v1+json', fault: /JSON without schemaVersion 2, not a manifest/ },
    { name: 'a manifest media type over garbage', body: '<html>', contentType: 'application/vnd.docker.distribution.manifest.v2+json; charset=utf-8', fault: /a body that is not JSON, not a manifest/ },
  ])('a registry without Docker-Content-Digest that answers $name: no digest is invented from it', async ({ body, contentType, fault }) => {
    const peer = await startRegistryWithoutDigestHeader(body, contentType);
    try {
      const host = new URL(peer.url).host;
      expect(await lookUp(createClient({ plainHttp: [host] }), tagOn(host))).toEqual({ kind: 'protocol', message: expect.stringMatching(fault) });
    } finally {
      await peer.stop();
    }
  });

  test('a bearer token is reused: the second lookup needs no challenge and no token request', async () => {
    const client = createClient({ plainHttp: [tokenRegistry.host], credentials: { [tokenRegistry.host]: LOGIN } });
    const path = `/v2/${REPOSITORY}/manifests/v1`;
    const headsBefore = await tokenRegistry.countRequests('HEAD', path);
    const tokensBefore = tokenServer.requests();
    await client.fetchDigest(tagOn(tokenRegistry.host));
    expect(await tokenRegistry.countRequests('HEAD', path)).toBe(headsBefore + 2);
    expect(tokenServer.requests()).toBe(tokensBefore + 1);
    await client.fetchDigest(tagOn(tokenRegistry.host));
    expect(await tokenRegistry.countRequests('HEAD', path)).toBe(headsBefore + 3);
    expect(tokenServer.requests()).toBe(tokensBefore + 1);
  });

  test('basic credentials are sent up front once the registry asked for them', async () => {
    const client = createClient({ plainHttp: [], ca: true, credentials: { [basic.host]: LOGIN } });
    const path = `/v2/${REPOSITORY}/manifests/v1`;
    const before = await basic.countRequests('HEAD', path);
    await client.fetchDigest(tagOn(basic.host));
    await client.fetchDigest(tagOn(basic.host));
    expect(await basic.countRequests('HEAD', path)).toBe(before + 3);
  });
});
