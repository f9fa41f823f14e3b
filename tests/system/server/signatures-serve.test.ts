// Signatures end to end, as operators run it: the real `serve` process over mutual TLS and the
// real `evaluate` command, against Debian's docker-registry serving signatures that real cosign
// made (tests/fixtures/cosign, in the layout cosign pushed them) and the test signer's. The
// decision, its reason, the audit annotation, the decision-log line and the metric agree, and a
// key file rotated while serving takes effect without a restart.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SIGNATURE_ANNOTATION, exportPublicKeyPem, generateSigningKey, parsePublicKey } from '../../../src/signatures';
import { runCli } from '../../support/cli';
import { DANGERZONE_SIGNATURE_MANIFEST, REAL_COSIGN_SIGNATURES, type RealSignature, readFixtureText } from '../../support/cosign-fixtures';
import { createTestClient, pushRealSignature, signInRegistry } from '../../support/cosign-signer';
import { eventually } from '../../support/eventually';
import { requestHttps } from '../../support/https-client';
import { sampleValue, scrapeMetrics } from '../../support/metrics-text';
import { createTestPki, type TestPki } from '../../support/pki';
import { buildImageLayout, pushImage, requireRegistryTools, startRegistry, type RunningRegistry } from '../../support/registry';
import { startServeProcess, type ServeProcess } from '../../support/serve-process';

jest.setTimeout(60_000);

const ci = generateSigningKey('ci');
const successor = generateSigningKey('successor');
/** Key names of the real signers, in REAL_COSIGN_SIGNATURES order. */
const REAL_KEYS = ['busybox', 'kubewarden', 'dangerzone'] as const;

let pki: TestPki;
let registry: RunningRegistry;
let layout: { layout: string; remove(): void };
let directory: string;
let webhook: ServeProcess;
const digests = new Map<string, string>();

function realImage(signature: RealSignature): string {
  return `${registry.host}/${signature.repository}@${signature.digest}`;
}

function ownImage(slug: string): string {
  return `${registry.host}/own/${slug}@${digests.get(slug) ?? ''}`;
}

function annotationsOf(signature: RealSignature): Readonly<Record<string, string>> {
  // The dangerzone layer carries its Rekor bundle beside the signature, as cosign pushed it.
  if (signature.repository === 'freedomofpress/dangerzone/v1') return DANGERZONE_SIGNATURE_MANIFEST.layers[0]?.annotations ?? {};
  return { [SIGNATURE_ANNOTATION]: signature.signature };
}

beforeAll(async () => {
  await requireRegistryTools();
  [pki, registry, layout] = await Promise.all([createTestPki(), startRegistry(), buildImageLayout(['signed', 'successor', 'unsigned'])]);
  directory = mkdtempSync(join(tmpdir(), 'ipw-signatures-serve-'));
  const { client, close } = createTestClient(registry);
  try {
    for (const signature of REAL_COSIGN_SIGNATURES) {
      await pushRealSignature(client, { registry: registry.host, repository: signature.repository }, signature.digest, signature.payload, annotationsOf(signature));
    }
    for (const slug of ['signed', 'successor', 'unsigned']) digests.set(slug, await pushImage(registry, layout.layout, slug, `own/${slug}:${slug}`));
    await signInRegistry(client, { registry: registry.host, repository: 'own/signed', digest: digests.get('signed') ?? '' }, { key: ci });
    await signInRegistry(client, { registry: registry.host, repository: 'own/successor', digest: digests.get('successor') ?? '' }, { key: successor });
  } finally {
    close();
  }
  REAL_COSIGN_SIGNATURES.forEach((signature, index) => writeFileSync(join(directory, `${REAL_KEYS[index]}.pub`), signature.publicKeyPem));
  writeFileSync(join(directory, 'other.pub'), readFixtureText('sigstore-rs/other.pub'));
  writeFileSync(join(directory, 'ci.pub'), exportPublicKeyPem(ci));
  const policy = {
    apiVersion: 'image-policy-webhook/v1',
    kind: 'ImagePolicy',
    metadata: { name: 'signed' },
    allow: [`${registry.host}/**`],
    resolveTags: { registries: [registry.host], plainHttpRegistries: [registry.host] },
    signatures: {
      keys: { busybox: 'busybox.pub', kubewarden: 'kubewarden.pub', dangerzone: 'dangerzone.pub', other: 'other.pub', ci: 'ci.pub' },
      require: [
        // The real signatures were made on other registries: served from this one, they name another repository.
        { images: [`${registry.host}/busybox`, `${registry.host}/kubewarden/**`, `${registry.host}/freedomofpress/**`], keys: [...REAL_KEYS], checkRepository: false },
        { images: [`${registry.host}/own/**`], keys: ['ci'] },
      ],
    },
    namespaces: [
      { names: ['strict'], signatures: { require: [{ images: [`${registry.host}/**`], keys: [...REAL_KEYS, 'ci'] }] } },
      { names: ['other-key'], signatures: { require: [{ images: [`${registry.host}/busybox`], keys: ['other'] }] } },
    ],
  };
  writeFileSync(join(directory, 'policy.yaml'), stringify(policy));
  webhook = await startServeProcess({
    policyFile: join(directory, 'policy.yaml'),
    tlsCert: pki.server.certPath,
    tlsKey: pki.server.keyPath,
    clientCa: pki.ca.certPath,
    extraArgs: ['--reload-interval', '1'],
  });
});

afterAll(async () => {
  await webhook?.stop();
  await registry?.stop();
  layout?.remove();
  pki?.remove();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

interface Status {
  readonly allowed: boolean;
  readonly reason?: string;
  readonly auditAnnotations: Record<string, string>;
}

async function review(images: readonly string[], namespace = 'default'): Promise<Status> {
  const body = JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: images.map((image) => ({ image })), namespace } });
  const response = await requestHttps(webhook.port, { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey }, body);
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as { status: Status }).status;
}

/** The last decision-log verdict for `image`; the line is written just after the answer, so it is waited for. */
function loggedVerdict(image: string, namespace = 'default'): Promise<Record<string, unknown>> {
  const find = (): Record<string, unknown> | undefined =>
    webhook
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"message":"review"'))
      .map((line) => JSON.parse(line) as { namespace: string; images: Array<Record<string, unknown>> })
      .filter((entry) => entry.namespace === namespace)
      .flatMap((entry) => entry.images)
      .filter((verdict) => verdict['image'] === image)
      .at(-1);
  return eventually(find, { describe: () => `a decision-log line for ${image}` });
}

describe('signatures real cosign made, through serve over mutual TLS', () => {
  test.each(REAL_COSIGN_SIGNATURES.map((signature, index) => ({ signature, key: REAL_KEYS[index] ?? 'missing', name: signature.name })))('$name: admitted, naming its key', async ({ signature, key }) => {
    const image = realImage(signature);
    const status = await review([image]);
    expect(status).toMatchObject({ allowed: true, auditAnnotations: { signatures: `${image}=${key}@${signature.digest}` } });
    const { fingerprint } = parsePublicKey(key, signature.publicKeyPem);
    expect((await loggedVerdict(image))['signature']).toEqual({ result: 'verified', digest: signature.digest, signatures: [{ rule: 'signatures.require[0]', key, fingerprint, checkRepository: false }] });
  });

  test.each(REAL_COSIGN_SIGNATURES.map((signature) => ({ signature, name: signature.name })))('$name: refused where the payload must name this repository', async ({ signature }) => {
    const image = realImage(signature);
    const status = await review([image], 'strict');
    expect(status.allowed).toBe(false);
    // The reason is cut at 200 characters; the decision log keeps the whole rule.
    expect(status.reason).toMatch(/failed namespaces\[0\]\.signatures\.require\[0\]: no valid signature by busybox, kubewarden, dangerz/);
    expect((await loggedVerdict(image, 'strict'))['rule']).toMatch(/^namespaces\[0\]\.signatures\.require\[0\]: no valid signature by busybox, kubewarden, dangerzone or ci: signature by \w+ names another repository \("(registry-testing\.svc\.lan|ghcr\.io)\//);
  });

  test('the busybox signature is refused for a rule that trusts only another key', async () => {
    const status = await review([realImage(REAL_COSIGN_SIGNATURES[0] as RealSignature)], 'other-key');
    expect(status).toMatchObject({ allowed: false, reason: expect.stringMatching(/failed namespaces\[1\]\.signatures\.require\[0\]: no valid signature by other: signed by another key/) });
  });

  test('a real signature does not vouch for another digest of the same repository', async () => {
    const image = `${registry.host}/busybox@${digests.get('unsigned') ?? ''}`;
    expect((await review([image])).allowed).toBe(false);
    expect((await loggedVerdict(image))['rule']).toBe('signatures.require[0]: no valid signature by busybox, kubewarden or dangerzone: the image has no cosign signature');
  });
});

describe('the test signer\'s signatures, the metric, and a key rotated while serving', () => {
  test('signed and unsigned images, and the verification metric counting both', async () => {
    const before = await scrapeMetrics(webhook.healthPort);
    const name = 'image_policy_webhook_signature_verifications_total';
    expect((await review([ownImage('signed')])).allowed).toBe(true);
    expect(await review([ownImage('unsigned')])).toMatchObject({ allowed: false, reason: expect.stringMatching(/failed signatures\.require\[1\]: no valid signature by ci: the image has no cosign signature/) });
    const after = await scrapeMetrics(webhook.healthPort);
    expect(sampleValue(after, name, { result: 'verified' }) - sampleValue(before, name, { result: 'verified' })).toBe(1);
    expect(sampleValue(after, name, { result: 'unsigned' }) - sampleValue(before, name, { result: 'unsigned' })).toBe(1);
  });

  test('a tag is resolved at the registry and its digest verified', async () => {
    const tag = `${registry.host}/own/signed:signed`;
    expect(await review([tag])).toMatchObject({ allowed: true, auditAnnotations: { 'resolved-digests': `${tag}=${digests.get('signed')}`, signatures: `${tag}=ci@${digests.get('signed')}` } });
  });

  test('the key file replaced by the successor key: the successor\'s signatures run, the old ones no longer do', async () => {
    expect((await review([ownImage('successor')])).allowed).toBe(false);
    writeFileSync(join(directory, 'ci.pub.next'), exportPublicKeyPem(successor));
    renameSync(join(directory, 'ci.pub.next'), join(directory, 'ci.pub'));
    await eventually(async () => (await review([ownImage('successor')])).allowed, { timeoutMs: 15_000, describe: () => `the successor key in force; webhook log:\n${webhook.output()}` });
    expect(await review([ownImage('signed')])).toMatchObject({ allowed: false, reason: expect.stringMatching(/no valid signature by ci: signed by another key/) });
    expect(webhook.output()).toMatch(/"message":"signature key reloaded".*"key":"ci"/);
  });
});

describe('evaluate reads the same signatures and decides the same way', () => {
  test.each([
    { name: 'a real cosign signature', image: () => realImage(REAL_COSIGN_SIGNATURES[2]!), code: 0, stdout: /^ALLOW\n {2}allow .*: allow\[0\] .*\[signed by dangerzone \(sha256:[0-9a-f]{12}\.\.\.\) for signatures\.require\[0\]\]/ },
    { name: 'an unsigned image', image: () => ownImage('unsigned'), code: 1, stdout: /^DENY image .* failed signatures\.require\[1\]: no valid signature by ci[\s\S]*\[signature unsigned\]/ },
  ])('$name', async ({ image, code, stdout }) => {
    const result = await runCli(['evaluate', '--policy', join(directory, 'policy.yaml'), image()]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(stdout);
    expect(result.code).toBe(code);
  });

  test('--output json carries the signatures audit annotation the server sends', async () => {
    const image = realImage(REAL_COSIGN_SIGNATURES[0]!);
    const result = await runCli(['evaluate', '--policy', join(directory, 'policy.yaml'), '--output', 'json', image]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: { allowed: true, auditAnnotations: { signatures: `${image}=busybox@${REAL_COSIGN_SIGNATURES[0]!.digest}` } } });
  });
});
