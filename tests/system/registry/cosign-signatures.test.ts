// Signatures read from and written to Debian's docker-registry in cosign's layout: real cosign
// signatures served as cosign pushed them, the test signer's signatures on umoci-built images
// decided with their reasons, skopeo carrying the attachment to another repository unchanged, and
// a registry that is down or serves something else at the signature tag.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RegistryLookupError, fetchCosignSignatures, pushManifest, writeCosignSignature, type RegistryClient } from '../../../src/registry';
import {
  SIGNATURE_ANNOTATION,
  generateSigningKey,
  parsePublicKey,
  signatureTag,
  verifyCosignSignatures,
  type SignedImage,
} from '../../../src/signatures';
import { DANGERZONE_SIGNATURE_MANIFEST, REAL_COSIGN_SIGNATURES, readFixture, readFixtureText } from '../../support/cosign-fixtures';
import { createTestClient, pushRealSignature, signInRegistry, type TestSignature } from '../../support/cosign-signer';
import { buildImageLayout, pushImage, requireRegistryTools, startRegistry, type RunningRegistry } from '../../support/registry';

const run = promisify(execFile);
const DEADLINE_MS = 10_000;
const ci = generateSigningKey('ci');
const vendor = generateSigningKey('vendor');
const OTHER_DIGEST = `sha256:${'9'.repeat(64)}`;

interface Row {
  readonly name: string;
  readonly signatures: readonly Omit<TestSignature, 'key'>[];
  readonly keys: readonly ('ci' | 'vendor')[];
  readonly verified?: true;
  readonly reason?: RegExp;
}

const ROWS: readonly Row[] = [
  { name: 'a signed digest', signatures: [{}], keys: ['ci'], verified: true },
  { name: 'unsigned', signatures: [], keys: ['ci'], reason: /^no valid signature by ci: the image has no cosign signature$/ },
  { name: 'signed by another key', signatures: [{}], keys: ['vendor'], reason: /^no valid signature by vendor: signed by another key$/ },
  { name: 'signature for another digest', signatures: [{ payloadDigest: OTHER_DIGEST }], keys: ['ci'], reason: /signature by ci is for another digest \(sha256:999999999999\.\.\.\)$/ },
  { name: 'payload naming another repository', signatures: [{ dockerReference: 'registry.example.com/team/app' }], keys: ['ci'], reason: /signature by ci names another repository \("registry.example.com\/team\/app"\)$/ },
  { name: 'tampered payload', signatures: [{ tamper: 'payload' }], keys: ['ci'], reason: /^no valid signature by ci: signed by another key$/ },
  { name: 'tampered signature', signatures: [{ tamper: 'signature' }], keys: ['ci'], reason: /^no valid signature by ci: signed by another key$/ },
  { name: 'several signatures of which one is valid', signatures: [{ tamper: 'payload' }, { payloadDigest: OTHER_DIGEST }, {}], keys: ['ci'], verified: true },
  { name: 'Docker media types (COSIGN_DOCKER_MEDIA_TYPES)', signatures: [{ mediaTypes: 'docker' }], keys: ['ci'], verified: true },
];

let registry: RunningRegistry;
let client: RegistryClient;
let closeClient: () => void;
let layout: { layout: string; remove(): void };
const images = new Map<string, SignedImage>();
let workDirectory: string;

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

beforeAll(async () => {
  await requireRegistryTools();
  workDirectory = mkdtempSync(join(tmpdir(), 'ipw-cosign-'));
  registry = await startRegistry();
  ({ client, close: closeClient } = createTestClient(registry));
  const tags = [...ROWS.map((row) => slug(row.name)), 'copied', 'idempotent', 'garbage'];
  layout = await buildImageLayout(tags);
  for (const tag of tags) {
    const repository = `rows/${tag}`;
    const digest = await pushImage(registry, layout.layout, tag, `${repository}:${tag}`);
    images.set(tag, { registry: registry.host, repository, digest });
  }
});

afterAll(async () => {
  closeClient?.();
  await registry?.stop();
  layout?.remove();
  if (workDirectory !== undefined) rmSync(workDirectory, { recursive: true, force: true });
});

function imageFor(tag: string): SignedImage {
  const image = images.get(tag);
  if (image === undefined) throw new Error(`no image ${tag}`);
  return image;
}

describe('the test signer on umoci-built images, decided with their reasons', () => {
  test.each(ROWS)('$name', async ({ name, signatures, keys, verified, reason }) => {
    const image = imageFor(slug(name));
    for (const signature of signatures) await signInRegistry(client, image, { key: ci, ...signature });
    const fetched = await fetchCosignSignatures(client, image, AbortSignal.timeout(DEADLINE_MS));
    expect(fetched.candidates).toHaveLength(signatures.length);
    const result = verifyCosignSignatures(image, fetched.candidates, keys.map((key) => (key === 'ci' ? ci : vendor).publicKey), { checkRepository: true });
    if (verified === true) expect(result).toMatchObject({ verified: true, key: 'ci', digest: image.digest, fingerprint: ci.publicKey.fingerprint });
    else if (!result.verified) expect(result.reason).toMatch(reason ?? /./);
    else throw new Error(`expected a denial, got ${JSON.stringify(result)}`);
  });

  test('skopeo reads the signature manifest back byte for byte, in the media type written', async () => {
    const image = imageFor(slug('Docker media types (COSIGN_DOCKER_MEDIA_TYPES)'));
    const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/${image.repository}:${signatureTag(image.digest)}`]);
    const fetched = await fetchCosignSignatures(client, image, AbortSignal.timeout(DEADLINE_MS));
    expect(JSON.parse(stdout)).toMatchObject({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json' }] });
    expect(`sha256:${createHash('sha256').update(stdout).digest('hex')}`).toBe(fetched.manifestDigest);
  });

  test('writing the same signature twice leaves the signature manifest as it was', async () => {
    const image = imageFor('idempotent');
    const payload = Buffer.from('{"critical":{}}');
    const signature = { payload, signature: Buffer.from('sig').toString('base64') };
    const first = await writeCosignSignature(client, image, signature, 'oci', AbortSignal.timeout(DEADLINE_MS));
    expect(await writeCosignSignature(client, image, signature, 'oci', AbortSignal.timeout(DEADLINE_MS))).toBe(first);
    expect((await fetchCosignSignatures(client, image, AbortSignal.timeout(DEADLINE_MS))).candidates).toHaveLength(1);
  });
});

describe('signatures real cosign made, served in the layout cosign pushed them', () => {
  function serve(repository: string, digest: string, payload: Buffer, annotations: Readonly<Record<string, string>>): Promise<string> {
    return pushRealSignature(client, { registry: registry.host, repository }, digest, payload, annotations);
  }

  test.each(REAL_COSIGN_SIGNATURES)('$name verifies through the registry reader', async ({ publicKeyPem, payload, signature, registry: signedRegistry, repository, digest }) => {
    const annotations = repository === 'freedomofpress/dangerzone/v1' ? (DANGERZONE_SIGNATURE_MANIFEST.layers[0]?.annotations ?? {}) : { [SIGNATURE_ANNOTATION]: signature };
    const manifestDigest = await serve(repository, digest, payload, annotations);
    const mirror: SignedImage = { registry: registry.host, repository, digest };
    const fetched = await fetchCosignSignatures(client, mirror, AbortSignal.timeout(DEADLINE_MS));
    expect(fetched.manifestDigest).toBe(manifestDigest);
    const key = parsePublicKey('publisher', publicKeyPem);
    // Served from a mirror: the payload names the registry cosign signed on, not this one.
    expect(verifyCosignSignatures(mirror, fetched.candidates, [key], { checkRepository: true })).toMatchObject({ verified: false, reason: expect.stringMatching(/names another repository/) });
    expect(verifyCosignSignatures(mirror, fetched.candidates, [key], { checkRepository: false })).toMatchObject({ verified: true, key: 'publisher' });
    expect(verifyCosignSignatures({ registry: signedRegistry, repository, digest }, fetched.candidates, [key], { checkRepository: true }).verified).toBe(true);
  });

  test('the dangerzone manifest pushed is the one the post shows, in Go\'s compact form', async () => {
    const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/freedomofpress/dangerzone/v1:${signatureTag('sha256:7396780b5862cf8b37527854a2a2331e5c746b6a71aa1f424258c3bfaf3a1bd7')}`]);
    expect(stdout).toBe(JSON.stringify(DANGERZONE_SIGNATURE_MANIFEST));
    expect(readFixture('dangerzone-rocks/v1.payload')).toHaveLength(252);
    expect(parsePublicKey('publisher', readFixtureText('dangerzone-rocks/signer.pub')).algorithm).toBe('ecdsa-p256');
  });
});

// containers/image rewrites the signature manifest as it copies it (its own config, descriptor
// fields in another order), so the manifest digest changes; the signature layers must not.
test('skopeo copy with use-sigstore-attachments carries the signatures to another repository unchanged', async () => {
  const image = imageFor('copied');
  await signInRegistry(client, image, { key: ci });
  const original = await fetchCosignSignatures(client, image, AbortSignal.timeout(DEADLINE_MS));
  const registriesD = join(workDirectory, 'registries.d');
  mkdirSync(registriesD, { recursive: true });
  writeFileSync(join(registriesD, 'attachments.yaml'), `docker:\n  ${registry.host}:\n    use-sigstore-attachments: true\n`);
  await run('skopeo', ['copy', '--insecure-policy', '--src-tls-verify=false', '--dest-tls-verify=false', '--registries.d', registriesD, `docker://${registry.host}/${image.repository}@${image.digest}`, `docker://${registry.host}/copies/app:v1`]);
  const copy: SignedImage = { ...image, repository: 'copies/app' };
  const copied = await fetchCosignSignatures(client, copy, AbortSignal.timeout(DEADLINE_MS));
  expect(copied.candidates).toEqual(original.candidates);
  expect(copied.manifestDigest).not.toBe(original.manifestDigest);
  expect(verifyCosignSignatures(copy, copied.candidates, [ci.publicKey], { checkRepository: false })).toMatchObject({ verified: true, key: 'ci' });
  expect(verifyCosignSignatures(copy, copied.candidates, [ci.publicKey], { checkRepository: true })).toMatchObject({ verified: false, reason: expect.stringMatching(/names another repository \(".*\/rows\/copied"\)/) });
});

test('something other than a signature manifest at the signature tag is a registry fault, never "unsigned"', async () => {
  const image = imageFor('garbage');
  const index = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}');
  await pushManifest(client, image, signatureTag(image.digest) ?? '', index, 'application/vnd.oci.image.index.v1+json', AbortSignal.timeout(DEADLINE_MS));
  const attempt = fetchCosignSignatures(client, image, AbortSignal.timeout(DEADLINE_MS));
  await expect(attempt).rejects.toBeInstanceOf(RegistryLookupError);
  await expect(attempt).rejects.toMatchObject({ kind: 'protocol', message: expect.stringMatching(/is not a cosign signature manifest: manifest media type is "application\/vnd.oci.image.index.v1\+json"/) });
});

test('a registry that is down is a fault that names it', async () => {
  const stopped = await startRegistry();
  const { client: downClient, close } = createTestClient(stopped);
  await stopped.stop();
  try {
    await expect(fetchCosignSignatures(downClient, { registry: stopped.host, repository: 'team/app', digest: OTHER_DIGEST }, AbortSignal.timeout(DEADLINE_MS))).rejects.toMatchObject({
      kind: 'unreachable',
      message: expect.stringMatching(new RegExp(`^registry ${stopped.host.replace(/\./g, '\\.')}: cannot reach`)),
    });
  } finally {
    close();
  }
});

test('docker-registry 2.8 has no OCI 1.1 referrers API, which is why signatures are read from the .sig tag only', async () => {
  const image = imageFor(slug('a signed digest'));
  const response = await client.sendToRepository({ ...image, method: 'GET', target: `/v2/${image.repository}/referrers/${image.digest}`, maxBodyBytes: 4096 }, AbortSignal.timeout(DEADLINE_MS));
  expect(response.status).toBe(404);
});
