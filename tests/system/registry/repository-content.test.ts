// Manifest and blob reads and writes: against Debian's docker-registry behind basic auth (pushes
// need credentials, reads are hash-checked), and against small servers that misbehave in the ways
// a real registry cannot be made to: content that does not match its digest, redirects to storage
// (followed without credentials, only over HTTPS when leaving the registry), oversized bodies and
// silence past the deadline.
import { createHash } from 'node:crypto';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryClient, RegistryLookupError, RegistryTransport, fetchBlob, fetchManifest, pushBlob, pushManifest, type RepositoryTarget } from '../../../src/registry';
import { OCI_MANIFEST_MEDIA_TYPE, buildSignatureImage, describeSignatureLayer } from '../../../src/signatures';
import { startSilentServer, type RunningPeer } from '../../support/registry-peers';
import { requireRegistryTools, startRegistry, type RunningRegistry } from '../../support/registry';

const LOGIN = { username: 'ci-robot', password: 'push-secret-1' };
const DEADLINE_MS = 5_000;
const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const transports: RegistryTransport[] = [];

function clientFor(host: string, withLogin: boolean, timeoutMs = DEADLINE_MS): RegistryClient {
  const transport = new RegistryTransport(undefined);
  transports.push(transport);
  const credentials = new Map(withLogin ? [[host, LOGIN]] : []);
  return new RegistryClient({ timeoutMs, credentials, plainHttpRegistries: new Set([host]), transport });
}

let registry: RunningRegistry;
let misbehaving: Server;
let storage: Server;
let silent: RunningPeer;
let misbehavingHost: string;
const PAYLOAD = Buffer.from('{"critical":{"note":"payload"}}');
const LIE = Buffer.from('not the manifest you asked for');
const requests: { url: string; authorization: string | undefined }[] = [];

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  await requireRegistryTools();
  registry = await startRegistry({ basic: LOGIN });
  storage = http.createServer((_request, response) => response.end(PAYLOAD));
  const storageHost = await listen(storage);
  misbehaving = http.createServer((request, response) => {
    const url = request.url ?? '';
    requests.push({ url, authorization: request.headers.authorization });
    if (url.startsWith('/v2/team/app/manifests/')) return void response.end(LIE);
    if (url === `/v2/team/app/blobs/${digestOf(PAYLOAD)}`) return void response.writeHead(307, { Location: '/storage/payload' }).end();
    if (url === '/storage/payload') return void response.end(PAYLOAD);
    if (url === `/v2/team/elsewhere/blobs/${digestOf(PAYLOAD)}`) return void response.writeHead(307, { Location: `http://${storageHost}/payload` }).end();
    if (url === `/v2/team/huge/blobs/${digestOf(PAYLOAD)}`) return void response.end(Buffer.alloc(1024 * 1024));
    response.writeHead(404).end();
  });
  misbehavingHost = await listen(misbehaving);
  silent = await startSilentServer();
});

afterAll(async () => {
  for (const transport of transports) transport.close();
  await registry?.stop();
  await silent?.stop();
  await Promise.all([misbehaving, storage].map((server) => new Promise((resolve) => server?.close(resolve))));
});

describe('docker-registry behind basic auth', () => {
  test('pushes need the login; what was pushed reads back by tag and by digest, hash-checked', async () => {
    const target: RepositoryTarget = { registry: registry.host, repository: 'team/signed' };
    const anonymous = clientFor(registry.host, false);
    await expect(pushBlob(anonymous, target, PAYLOAD, AbortSignal.timeout(DEADLINE_MS))).rejects.toMatchObject({ kind: 'unauthorized' });
    const client = clientFor(registry.host, true);
    const built = buildSignatureImage([describeSignatureLayer(PAYLOAD, 'c2ln')]);
    expect(await pushBlob(client, target, PAYLOAD, AbortSignal.timeout(DEADLINE_MS))).toBe(digestOf(PAYLOAD));
    await pushBlob(client, target, built.config, AbortSignal.timeout(DEADLINE_MS));
    // A second push of the same blob is skipped (HEAD finds it) and still answers its digest.
    expect(await pushBlob(client, target, PAYLOAD, AbortSignal.timeout(DEADLINE_MS))).toBe(digestOf(PAYLOAD));
    expect(await pushManifest(client, target, 'v1', built.manifest, OCI_MANIFEST_MEDIA_TYPE, AbortSignal.timeout(DEADLINE_MS))).toBe(built.manifestDigest);
    const byTag = await fetchManifest(client, target, 'v1', [OCI_MANIFEST_MEDIA_TYPE], AbortSignal.timeout(DEADLINE_MS));
    expect(byTag).toMatchObject({ digest: built.manifestDigest, mediaType: OCI_MANIFEST_MEDIA_TYPE });
    expect(byTag.bytes.equals(built.manifest)).toBe(true);
    expect((await fetchManifest(client, target, built.manifestDigest, [OCI_MANIFEST_MEDIA_TYPE], AbortSignal.timeout(DEADLINE_MS))).digest).toBe(built.manifestDigest);
    expect((await fetchBlob(client, target, digestOf(PAYLOAD), 1024, AbortSignal.timeout(DEADLINE_MS))).equals(PAYLOAD)).toBe(true);
    await expect(fetchManifest(client, target, 'v2', [OCI_MANIFEST_MEDIA_TYPE], AbortSignal.timeout(DEADLINE_MS))).rejects.toMatchObject({ kind: 'not-found' });
    await expect(fetchBlob(client, target, `sha256:${'0'.repeat(64)}`, 1024, AbortSignal.timeout(DEADLINE_MS))).rejects.toMatchObject({ kind: 'not-found' });
  });
});

describe('registries that misbehave', () => {
  const target = (repository: string): RepositoryTarget => ({ registry: misbehavingHost, repository });
  test.each<{ name: string; attempt: (client: RegistryClient) => Promise<unknown>; kind: string; message: RegExp }>([
    { name: 'a manifest by digest whose bytes hash elsewhere', attempt: (client) => fetchManifest(client, target('team/app'), digestOf(PAYLOAD), [OCI_MANIFEST_MEDIA_TYPE], AbortSignal.timeout(DEADLINE_MS)), kind: 'protocol', message: /manifest sha256:\w+ arrived with content hashing to sha256:/ },
    { name: 'a redirect to another host over plain HTTP', attempt: (client) => fetchBlob(client, target('team/elsewhere'), digestOf(PAYLOAD), 1024, AbortSignal.timeout(DEADLINE_MS)), kind: 'configuration', message: /redirect to http:\/\/127\.0\.0\.1:\d+ is not HTTPS/ },
    { name: 'a blob larger than asked for', attempt: (client) => fetchBlob(client, target('team/huge'), digestOf(PAYLOAD), 1024, AbortSignal.timeout(DEADLINE_MS)), kind: 'protocol', message: /sent more than 65536 bytes/ },
    { name: 'a reference that would walk the URL path', attempt: (client) => fetchManifest(client, target('team/app'), '../../v2/_catalog', [], AbortSignal.timeout(DEADLINE_MS)), kind: 'configuration', message: /is neither a tag nor a digest/ },
    { name: 'an upload Location on another host', attempt: (client) => client.sendToRepository({ ...target('team/app'), method: 'PUT', target: 'http://127.0.0.2:1/upload', maxBodyBytes: 0, push: true }, AbortSignal.timeout(DEADLINE_MS)), kind: 'protocol', message: /refused to send PUT to another host \(http:\/\/127\.0\.0\.2:1\)/ },
  ])('$name: $kind', async ({ attempt, kind, message }) => {
    const outcome = attempt(clientFor(misbehavingHost, true));
    await expect(outcome).rejects.toBeInstanceOf(RegistryLookupError);
    await expect(outcome).rejects.toMatchObject({ kind, message: expect.stringMatching(message) });
  });

  test('a redirect within the registry is followed and the content checked', async () => {
    requests.length = 0;
    const bytes = await fetchBlob(clientFor(misbehavingHost, false), target('team/app'), digestOf(PAYLOAD), 1024, AbortSignal.timeout(DEADLINE_MS));
    expect(bytes.equals(PAYLOAD)).toBe(true);
    expect(requests.map((request) => request.url)).toEqual([`/v2/team/app/blobs/${digestOf(PAYLOAD)}`, '/storage/payload']);
  });

  test('a registry that never answers is a timeout at the deadline', async () => {
    const host = new URL(silent.url).host;
    const outcome = fetchManifest(clientFor(host, false), { registry: host, repository: 'team/app' }, 'v1', [OCI_MANIFEST_MEDIA_TYPE], AbortSignal.timeout(300));
    await expect(outcome).rejects.toMatchObject({ kind: 'timeout', message: `registry ${host}: no answer before the deadline` });
  });
});
