// Signature verification through the review endpoint, against Debian's docker-registry holding
// umoci-built images signed by the test signer in cosign's layout: every way a signature can be
// wrong decided with its reason, a tag resolved then verified, the cache (and its expiry, by moving
// the clock), a registry that is down, a registry the operator did not list never contacted,
// overlays, the webhook's own limit, and keys rotated (and broken) while serving.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { parseDecisionLog } from '../../../src/decision-log';
import { type CompiledPolicy, evaluate, loadPolicy } from '../../../src/policy';
import { LookupLimiter, type RegistryClient } from '../../../src/registry';
import { replayDecisions } from '../../../src/replay';
import { KeyRing, ReviewContextSource, ScanningSetupError, SignatureChecks } from '../../../src/review-context';
import { createApp } from '../../../src/server';
import { exportPublicKeyPem, generateSigningKey, signatureTag, type SigningKey } from '../../../src/signatures';
import { createTestClient, signInRegistry, type TestSignature } from '../../support/cosign-signer';
import { eventually } from '../../support/eventually';
import { createMemoryLogger, type MemoryLogger } from '../../support/memory-logger';
import { buildImageLayout, deleteImage, pushImage, requireRegistryTools, startRegistry, type RunningRegistry } from '../../support/registry';

const ci = generateSigningKey('ci');
const vendor = generateSigningKey('vendor');
const release = generateSigningKey('release');
const OTHER_DIGEST = `sha256:${'9'.repeat(64)}`;
const CACHE_TTL_SECONDS = 60;

interface Row {
  readonly name: string;
  /** Repository and tag of the row's own image. */
  readonly slug: string;
  readonly signatures: readonly TestSignature[];
  readonly allowed: boolean;
  /** The deciding rule as the log records it (the reason is cut at 200 characters). */
  readonly rule?: RegExp;
}

const ROWS: readonly Row[] = [
  { name: 'a signed digest is admitted', slug: 'signed', signatures: [{ key: ci }], allowed: true },
  { name: 'unsigned', slug: 'unsigned', signatures: [], allowed: false, rule: /^signatures\.require\[0\]: no valid signature by ci: the image has no cosign signature$/ },
  { name: 'signed by another key', slug: 'other-key', signatures: [{ key: vendor }], allowed: false, rule: /: no valid signature by ci: signed by another key$/ },
  { name: 'a signature for another digest', slug: 'other-digest', signatures: [{ key: ci, payloadDigest: OTHER_DIGEST }], allowed: false, rule: /: signature by ci is for another digest \(sha256:999999999999\.\.\.\)$/ },
  { name: 'a payload naming another repository', slug: 'other-repo', signatures: [{ key: ci, dockerReference: 'registry.example.com/team/app' }], allowed: false, rule: /: signature by ci names another repository/ },
  { name: 'a payload changed after signing', slug: 'bad-payload', signatures: [{ key: ci, tamper: 'payload' }], allowed: false, rule: /: no valid signature by ci: signed by another key$/ },
  { name: 'a signature changed after signing', slug: 'bad-sig', signatures: [{ key: ci, tamper: 'signature' }], allowed: false, rule: /: no valid signature by ci: signed by another key$/ },
  { name: 'several signatures, one of them valid', slug: 'one-valid', signatures: [{ key: ci, tamper: 'payload' }, { key: vendor }, { key: ci, payloadDigest: OTHER_DIGEST }, { key: ci }], allowed: true },
  { name: 'signed in Docker media types (COSIGN_DOCKER_MEDIA_TYPES)', slug: 'docker-types', signatures: [{ key: ci, mediaTypes: 'docker' }], allowed: true },
];
const EXTRA_IMAGES = ['cached', 'late', 'both', 'rotated-old', 'rotated-new', 'elsewhere'];

let registry: RunningRegistry;
let unlisted: RunningRegistry;
let client: RegistryClient;
let closeClient: () => void;
let layout: { layout: string; remove(): void };
let directory: string;
const digests = new Map<string, string>();
const sources: ReviewContextSource[] = [];
let clock = Date.now();

function digestOf(slug: string): string {
  const digest = digests.get(slug);
  if (digest === undefined) throw new Error(`no image ${slug}`);
  return digest;
}

function image(slug: string): string {
  return `${registry.host}/r/${slug}@${digestOf(slug)}`;
}

async function sign(slug: string, signature: TestSignature, on: RunningRegistry = registry): Promise<void> {
  const { client: signer, close } = on === registry ? { client, close: () => undefined } : createTestClient(on);
  try {
    await signInRegistry(signer, { registry: on.host, repository: `r/${slug}`, digest: digestOf(slug) }, signature);
  } finally {
    close();
  }
}

function writeKey(name: string, key: SigningKey): void {
  writeFileSync(join(directory, `${name}.pub`), exportPublicKeyPem(key));
}

function writePolicy(name: string, fields: Record<string, unknown>): CompiledPolicy {
  const text = stringify({ apiVersion: 'image-policy-webhook/v1', kind: 'ImagePolicy', metadata: { name: 'signed' }, ...fields });
  const file = join(directory, name);
  writeFileSync(file, text);
  return loadPolicy(text, file);
}

/** The policy most tests use: every image on the test registry must be signed by ci. */
function signedPolicy(extra: Record<string, unknown> = {}): CompiledPolicy {
  return writePolicy('policy.yaml', {
    allow: [`${registry.host}/**`, `${unlisted.host}/**`],
    resolveTags: { registries: [registry.host], plainHttpRegistries: [registry.host], timeoutMs: 3_000 },
    signatures: { cacheTTLSeconds: CACHE_TTL_SECONDS, keys: { ci: 'ci.pub', vendor: 'vendor.pub', release: 'release.pub' }, require: [{ images: ['**'], keys: ['ci'] }] },
    ...extra,
  });
}

beforeAll(async () => {
  await requireRegistryTools();
  [registry, unlisted, layout] = await Promise.all([startRegistry(), startRegistry(), buildImageLayout([...ROWS.map((row) => row.slug), ...EXTRA_IMAGES])]);
  ({ client, close: closeClient } = createTestClient(registry));
  directory = mkdtempSync(join(tmpdir(), 'ipw-signatures-'));
  for (const slug of [...ROWS.map((row) => row.slug), ...EXTRA_IMAGES]) digests.set(slug, await pushImage(registry, layout.layout, slug, `r/${slug}:${slug}`));
  await pushImage(unlisted, layout.layout, 'elsewhere', 'r/elsewhere:elsewhere');
  for (const row of ROWS) for (const signature of row.signatures) await sign(row.slug, signature);
  for (const slug of ['cached', 'both', 'rotated-old']) await sign(slug, { key: ci });
  await sign('both', { key: release });
  await sign('rotated-new', { key: vendor });
  await sign('elsewhere', { key: ci }, unlisted);
  writeKey('ci', ci);
  writeKey('vendor', vendor);
  writeKey('release', release);
});

afterAll(async () => {
  for (const source of sources) source.close();
  closeClient?.();
  await Promise.all([registry?.stop(), unlisted?.stop()]);
  layout?.remove();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

function startApp(policy: CompiledPolicy, watch = false): { app: ReturnType<typeof createApp>; memory: MemoryLogger; source: ReviewContextSource } {
  const memory = createMemoryLogger();
  const source = new ReviewContextSource({ logger: memory.logger, watch, debounceMs: 20, pollIntervalMs: watch ? 100 : 0, now: () => clock });
  sources.push(source);
  source.follow(policy, true);
  const app = createApp({ currentPolicy: () => policy, logger: memory.logger, isDraining: () => false, reviewContext: (current, review) => source.prepare(current, review) });
  return { app, memory, source };
}

interface Status {
  readonly allowed: boolean;
  readonly reason?: string;
  readonly auditAnnotations: Record<string, string>;
}

async function post(app: ReturnType<typeof createApp>, images: readonly string[], namespace = 'default'): Promise<Status> {
  const body = JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: images.map((name) => ({ image: name })), namespace } });
  const response = await request(app).post('/imagepolicy').set('Content-Type', 'application/json').send(body);
  expect(response.status).toBe(200);
  return response.body.status;
}

function loggedImages(memory: MemoryLogger): Array<Record<string, unknown>> {
  const lines = memory.find('review');
  return (lines[lines.length - 1]?.['images'] as Array<Record<string, unknown>>) ?? [];
}

describe('every way a signature can be wrong, decided with its reason', () => {
  test.each(ROWS)('$name', async ({ slug, allowed, rule }) => {
    const { app, memory } = startApp(signedPolicy());
    const status = await post(app, [image(slug)]);
    expect(status.allowed).toBe(allowed);
    const [logged] = loggedImages(memory);
    if (allowed) {
      expect(status.auditAnnotations['signatures']).toBe(`${image(slug)}=ci@${digestOf(slug)}`);
      expect(logged?.['signature']).toEqual({ result: 'verified', digest: digestOf(slug), signatures: [{ rule: 'signatures.require[0]', key: 'ci', fingerprint: ci.publicKey.fingerprint, checkRepository: true }] });
      return;
    }
    expect(status.reason).toMatch(new RegExp(`^image ".*" \\(\\d+ characters\\) failed signatures\\.require\\[0\\]: `));
    expect(logged?.['rule']).toMatch(rule ?? /./);
    expect(status.auditAnnotations['signatures']).toBeUndefined();
  });
});

test('a tag is resolved, then the digest it points to is verified; both are recorded', async () => {
  const { app, memory } = startApp(signedPolicy());
  const tag = `${registry.host}/r/signed:signed`;
  const status = await post(app, [tag]);
  expect(status).toMatchObject({ allowed: true, auditAnnotations: { 'resolved-digests': `${tag}=${digestOf('signed')}`, signatures: `${tag}=ci@${digestOf('signed')}` } });
  expect(loggedImages(memory)[0]).toMatchObject({ digest: digestOf('signed'), signature: { result: 'verified', digest: digestOf('signed') } });
  expect(await post(app, [`${registry.host}/r/unsigned:unsigned`])).toMatchObject({ allowed: false, reason: expect.stringMatching(/failed signatures\.require\[0\]: no valid signature by ci/) });
});

test('a verified result is cached: later reviews ask the registry nothing, until the entry expires', async () => {
  const { app } = startApp(signedPolicy());
  const path = `/v2/r/cached/manifests/${signatureTag(digestOf('cached'))}`;
  const before = await registry.countRequests('GET', path);
  expect((await post(app, [image('cached')])).allowed).toBe(true);
  expect(await registry.countRequests('GET', path)).toBe(before + 1);
  expect((await Promise.all([1, 2, 3].map(() => post(app, [image('cached')])))).every((status) => status.allowed)).toBe(true);
  expect(await registry.countRequests('GET', path)).toBe(before + 1);
  // The signature is withdrawn: the cache still vouches for it until its time is up.
  await deleteImage(registry, `r/cached:${signatureTag(digestOf('cached'))}`);
  // skopeo reads the manifest it deletes: count from here.
  const afterDelete = await registry.countRequests('GET', path);
  expect((await post(app, [image('cached')])).allowed).toBe(true);
  expect(await registry.countRequests('GET', path)).toBe(afterDelete);
  clock += (CACHE_TTL_SECONDS + 1) * 1000;
  expect(await post(app, [image('cached')])).toMatchObject({ allowed: false, reason: expect.stringMatching(/no valid signature by ci: the image has no cosign signature/) });
  expect(await registry.countRequests('GET', path)).toBe(afterDelete + 1);
});

test('a refusal is not cached: an image signed after a denial is admitted on the next review', async () => {
  const { app } = startApp(signedPolicy());
  expect((await post(app, [image('late')])).allowed).toBe(false);
  await sign('late', { key: ci });
  expect((await post(app, [image('late')])).allowed).toBe(true);
});

test('a sha512 digest, which cosign\'s tag layout cannot name, is a denial that says why', async () => {
  const { app, memory } = startApp(signedPolicy());
  const pinned = `${registry.host}/r/signed@sha512:${'a'.repeat(128)}`;
  expect((await post(app, [pinned])).allowed).toBe(false);
  expect(loggedImages(memory)[0]).toMatchObject({ rule: expect.stringMatching(/cannot read signatures: registry 127\.0\.0\.1:\d+: sha512:a+ cannot be written as a signature tag$/), signature: { result: 'unavailable' } });
});

test('a registry that is down is a denial that says so', async () => {
  const down = await startRegistry();
  const host = down.host;
  await down.stop();
  const policy = writePolicy('down.yaml', {
    allow: ['**'],
    resolveTags: { registries: [host], plainHttpRegistries: [host], timeoutMs: 1_000 },
    signatures: { keys: { ci: 'ci.pub' }, require: [{ images: [`${host}/**`], keys: ['ci'] }] },
  });
  const { app, memory } = startApp(policy);
  const status = await post(app, [`${host}/r/app@${digestOf('signed')}`]);
  expect(status.allowed).toBe(false);
  expect(loggedImages(memory)[0]?.['rule']).toMatch(new RegExp(`^signatures\\.require\\[0\\]: cannot read signatures: registry ${host.replace(/\./g, '\\.')}: cannot reach .*ECONNREFUSED`));
  expect(loggedImages(memory)[0]?.['signature']).toMatchObject({ result: 'unavailable' });
});

test('a registry the operator did not list in resolveTags is never contacted, whatever the pod names', async () => {
  const { app, memory } = startApp(signedPolicy());
  const pinned = `${unlisted.host}/r/elsewhere@${digestOf('elsewhere')}`;
  const signaturePath = `/v2/r/elsewhere/manifests/${signatureTag(digestOf('elsewhere'))}`;
  // Signing it there read the signature tag once; the webhook must add nothing to that.
  const [signatureReads, tagReads] = [await unlisted.countRequests('GET', signaturePath), await unlisted.countRequests('HEAD', '/v2/r/elsewhere/manifests/elsewhere')];
  const status = await post(app, [pinned, `${unlisted.host}/r/elsewhere:elsewhere`]);
  expect(status.allowed).toBe(false);
  expect(loggedImages(memory).map((entry) => entry['rule'])).toEqual([
    `signatures.require[0]: ${unlisted.host} is not in resolveTags.registries`,
    'signatures.require[0]: cannot verify a signature: the digest is unknown (add the registry to resolveTags or pin the digest)',
  ]);
  expect(await unlisted.countRequests('GET', signaturePath)).toBe(signatureReads);
  expect(await unlisted.countRequests('HEAD', '/v2/r/elsewhere/manifests/elsewhere')).toBe(tagReads);
});

test('a namespace overlay adds a rule: there, ci alone is not enough', async () => {
  const policy = signedPolicy({ namespaces: [{ names: ['payments'], signatures: { require: [{ images: [`${registry.host}/r/*`], keys: ['release'] }] } }] });
  const { app, memory } = startApp(policy);
  expect((await post(app, [image('signed')], 'payments')).allowed).toBe(false);
  expect(loggedImages(memory)[0]?.['rule']).toMatch(/^namespaces\[0\]\.signatures\.require\[0\]: no valid signature by release: signed by another key$/);
  const both = await post(app, [image('both')], 'payments');
  expect(both).toMatchObject({ allowed: true, auditAnnotations: { signatures: `${image('both')}=ci+release@${digestOf('both')}` } });
  expect((await post(app, [image('signed')], 'default')).allowed).toBe(true);
});

test('the decision log replays without a registry: the same keys change nothing, another key material refuses', async () => {
  const { app, memory } = startApp(signedPolicy());
  await post(app, [image('signed')]);
  await post(app, [image('unsigned')]);
  const text = memory.entries().map((entry) => JSON.stringify(entry)).join('\n');
  const { records } = parseDecisionLog(text);
  const policy = signedPolicy();
  expect(replayDecisions(policy, records, undefined, new Map([['ci', ci.publicKey.fingerprint]])).unchanged).toBe(2);
  const rotated = replayDecisions(policy, records, undefined, new Map([['ci', vendor.publicKey.fingerprint]]));
  expect(rotated.changed['allowed-to-denied']).toBe(1);
  expect(rotated.groups['allowed-to-denied'][0]?.verdicts[0]?.rule).toMatch(/no recorded signature by ci/);
});

test('a review that names more digests than signatures.maxImagesPerReview is denied without asking the registry', async () => {
  const { app, memory } = startApp(signedPolicy({ signatures: { keys: { ci: 'ci.pub' }, maxImagesPerReview: 2, require: [{ images: ['**'], keys: ['ci'] }] } }));
  const path = `/v2/r/one-valid/manifests/${signatureTag(digestOf('one-valid'))}`;
  const before = await registry.countRequests('GET', path);
  const status = await post(app, [image('signed'), image('other-key'), image('one-valid')]);
  expect(status.allowed).toBe(false);
  expect(loggedImages(memory).map((entry) => entry['rule'])).toEqual(Array(3).fill('signatures.maxImagesPerReview: 3 digests to verify, more than 2'));
  expect(await registry.countRequests('GET', path)).toBe(before);
});

test('a check the lookup limiter refuses is a denial naming the limit, and the registry is not asked', async () => {
  const policy = signedPolicy();
  const memory = createMemoryLogger();
  const keys = new KeyRing(policy.signatures?.keys.values() ?? [], directory, { logger: memory.logger, watch: false }, true);
  // One slot, no queue: with the slot held, every further check is refused at once.
  const limiter = new LookupLimiter(1, 0, 1_000);
  const checks = new SignatureChecks({ cacheTtlMs: 60_000, cacheSize: 10, keys, registry: () => ({ client, limiter, timeoutMs: 3_000 }) });
  const held = await limiter.acquire();
  const path = `/v2/r/docker-types/manifests/${signatureTag(digestOf('docker-types'))}`;
  const before = await registry.countRequests('GET', path);
  try {
    const verifications = await checks.check(policy, { images: [image('docker-types')], namespace: 'default', annotations: {} }, undefined);
    expect([...verifications.values()]).toEqual([{ verified: false, failure: 'limited', fault: `registry ${registry.host}: lookup refused: 0 lookups are already waiting for one of 1 slots` }]);
    const decision = evaluate(policy, { images: [image('docker-types')], namespace: 'default', annotations: {} }, { verifications });
    expect(decision.images[0]).toMatchObject({ allowed: false, signature: { result: 'limited' } });
  } finally {
    if (held.ok) held.release();
    keys.close();
  }
  expect(await registry.countRequests('GET', path)).toBe(before);
});

describe('keys while serving', () => {
  test('a key file replaced by another key takes effect; one replaced by garbage is refused and the last good key stays', async () => {
    const rotating = join(directory, 'rotating');
    mkdirSync(rotating, { recursive: true });
    writeFileSync(join(rotating, 'ci.pub'), exportPublicKeyPem(ci));
    const text = stringify({
      apiVersion: 'image-policy-webhook/v1',
      kind: 'ImagePolicy',
      metadata: { name: 'rotating' },
      allow: ['**'],
      resolveTags: { registries: [registry.host], plainHttpRegistries: [registry.host] },
      signatures: { keys: { ci: 'ci.pub' }, require: [{ images: ['**'], keys: ['ci'] }] },
    });
    writeFileSync(join(rotating, 'policy.yaml'), text);
    const policy = loadPolicy(text, join(rotating, 'policy.yaml'));
    const { app, memory } = startApp(policy, true);
    expect((await post(app, [image('rotated-old')])).allowed).toBe(true);
    expect((await post(app, [image('rotated-new')])).allowed).toBe(false);

    writeFileSync(join(rotating, 'ci.pub.tmp'), exportPublicKeyPem(vendor));
    renameSync(join(rotating, 'ci.pub.tmp'), join(rotating, 'ci.pub'));
    await eventually(async () => (await post(app, [image('rotated-new')])).allowed, { describe: () => 'the rotated key to verify the new signature' });
    expect((await post(app, [image('rotated-old')])).allowed).toBe(false);
    expect(memory.find('signature key reloaded')).toHaveLength(1);

    writeFileSync(join(rotating, 'ci.pub'), '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n');
    const refusal = await memory.waitFor('signature key file refused');
    expect(refusal['issue']).toMatch(/ci\.pub: key "ci": PEM block is "ENCRYPTED SIGSTORE PRIVATE KEY": this is a cosign private key; give the public key \(cosign\.pub\)/);
    expect((await post(app, [image('rotated-new')])).allowed).toBe(true);
  });

  test('at startup, a key file that cannot be used stops the webhook', () => {
    const policy = writePolicy('missing-key.yaml', {
      allow: ['**'],
      resolveTags: { registries: [registry.host] },
      signatures: { keys: { ci: 'nowhere.pub' }, require: [{ images: ['**'], keys: ['ci'] }] },
    });
    const source = new ReviewContextSource({ logger: createMemoryLogger().logger, watch: false });
    sources.push(source);
    expect(() => source.follow(policy, true)).toThrow(ScanningSetupError);
    expect(() => new ReviewContextSource({ logger: createMemoryLogger().logger, watch: false }).follow(policy, true)).toThrow(/^signatures\.keys\.ci: .*nowhere\.pub: cannot read/);
  });
});
