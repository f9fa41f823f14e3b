// Certificates are judged by openssl, not by our own parser: every key type must pass
// `openssl verify -x509_strict` and carry the extensions Go's crypto/tls and kube-apiserver need.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLOCK_SKEW_ALLOWANCE_MS,
  KEY_TYPES,
  generateCertificateAuthority,
  generateClientCertificate,
  generatePkiBundle,
  generateServingCertificate,
  inspectCertificate,
  privateKeyMatchesCertificate,
  type KeyType,
  type PkiBundle,
} from '../../../src/pki';
import { runOpenssl, verifyWithOpenssl } from '../../support/pki';

const MS_PER_DAY = 24 * 60 * 60 * 1000;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipw-pki-generate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writePem(name: string, pem: string): string {
  const file = join(dir, name);
  writeFileSync(file, pem);
  return file;
}

function certificateText(pem: string): string {
  const result = runOpenssl(['x509', '-noout', '-text'], pem);
  expect(result.code).toBe(0);
  return result.stdout;
}

/** The public key as openssl derives it from the private key and from the certificate. */
function opensslPublicKeys(certificatePem: string, privateKeyPem: string): [string, string] {
  return [runOpenssl(['pkey', '-pubout'], privateKeyPem).stdout, runOpenssl(['x509', '-noout', '-pubkey'], certificatePem).stdout];
}

const KEY_TYPE_EXPECTATIONS: Record<KeyType, { publicKey: RegExp; signature: RegExp; leafKeyUsage: string }> = {
  'ecdsa-p256': { publicKey: /Public-Key: \(256 bit\)[\s\S]*NIST CURVE: P-256/, signature: /ecdsa-with-SHA256/, leafKeyUsage: 'Digital Signature\n' },
  'rsa-2048': { publicKey: /Public-Key: \(2048 bit\)/, signature: /sha256WithRSAEncryption/, leafKeyUsage: 'Digital Signature, Key Encipherment\n' },
  'rsa-4096': { publicKey: /Public-Key: \(4096 bit\)/, signature: /sha256WithRSAEncryption/, leafKeyUsage: 'Digital Signature, Key Encipherment\n' },
};

describe.each(KEY_TYPES.map((keyType) => ({ keyType })))('$keyType bundle', ({ keyType }) => {
  let bundle: PkiBundle;
  const paths: Record<string, string> = {};
  const expected = KEY_TYPE_EXPECTATIONS[keyType];

  beforeAll(async () => {
    bundle = await generatePkiBundle({ keyType, subjectAltNames: ['localhost', '127.0.0.1', '::1', 'webhook.example.com'], apiserverClient: { organizations: ['ops'] } });
    paths.ca = writePem(`${keyType}-ca.crt`, bundle.ca.certificate);
    paths.server = writePem(`${keyType}-server.crt`, bundle.server.certificate);
    paths.client = writePem(`${keyType}-client.crt`, bundle.apiserverClient.certificate);
  });

  test.each([
    { name: 'server certificate', file: 'server' },
    { name: 'client certificate', file: 'client' },
  ])('openssl verify -x509_strict accepts the $name', ({ file }) => {
    const result = verifyWithOpenssl(paths.ca ?? '', paths[file] ?? '');
    expect(`${result.stdout}${result.stderr}`).toContain(': OK');
    expect(result.code).toBe(0);
  });

  test.each<{ name: string; credential: keyof PkiBundle; contains: string[]; lacks?: string[] }>([
    { name: 'CA is a critical CA:TRUE with pathlen 0', credential: 'ca', contains: ['X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0'] },
    { name: 'CA may sign certificates and CRLs only', credential: 'ca', contains: ['X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign\n'] },
    { name: 'CA has SKI and AKI', credential: 'ca', contains: ['X509v3 Subject Key Identifier', 'X509v3 Authority Key Identifier'], lacks: ['Extended Key Usage'] },
    { name: 'server is a critical CA:FALSE', credential: 'server', contains: ['X509v3 Basic Constraints: critical\n                CA:FALSE'] },
    { name: 'server EKU is TLS Web Server Authentication only', credential: 'server', contains: ['X509v3 Extended Key Usage: \n                TLS Web Server Authentication\n'] },
    {
      name: 'server SANs are DNS and IP entries',
      credential: 'server',
      contains: ['DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:webhook.example.com'],
    },
    { name: 'client EKU is TLS Web Client Authentication only', credential: 'apiserverClient', contains: ['TLS Web Client Authentication\n'], lacks: ['Server Authentication', 'Subject Alternative Name'] },
    { name: 'client subject carries O and CN', credential: 'apiserverClient', contains: ['Subject: O = ops, CN = kube-apiserver'] },
  ])('$name', ({ credential, contains, lacks = [] }) => {
    const text = certificateText(bundle[credential].certificate);
    for (const fragment of contains) expect(text).toContain(fragment);
    for (const fragment of lacks) expect(text).not.toContain(fragment);
  });

  test.each(['server', 'apiserverClient'] as const)('%s: leaf key usage fits the key type, AKI is the CA SKI', (credential) => {
    const text = certificateText(bundle[credential].certificate);
    expect(text).toContain(`X509v3 Key Usage: critical\n                ${expected.leafKeyUsage}`);
    const caKeyId = /Subject Key Identifier: *\n +([0-9A-F:]+)/.exec(certificateText(bundle.ca.certificate))?.[1];
    expect(caKeyId).toBeDefined();
    expect(text).toMatch(new RegExp(`Authority Key Identifier: *\\n +(keyid:)?${caKeyId}`));
  });

  test.each(['ca', 'server', 'apiserverClient'] as const)('%s: key type, signature, PKCS#8 key that matches', (credential) => {
    const { certificate, privateKey } = bundle[credential];
    const text = certificateText(certificate);
    expect(text).toMatch(expected.publicKey);
    expect(text).toMatch(expected.signature);
    expect(privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const [fromKey, fromCertificate] = opensslPublicKeys(certificate, privateKey);
    expect(fromKey).toContain('BEGIN PUBLIC KEY');
    expect(fromKey).toBe(fromCertificate);
    expect(privateKeyMatchesCertificate(certificate, privateKey)).toBe(true);
  });
});

test('serials are random and notBefore is back-dated for clock skew', async () => {
  const now = new Date();
  const ca = await generateCertificateAuthority({ now });
  const leaves = await Promise.all([1, 2, 3].map(() => generateClientCertificate(ca, { commonName: 'c', now })));
  const serials = new Set([ca, ...leaves].map(({ certificate }) => inspectCertificate(certificate).serialNumber));
  expect(serials.size).toBe(4);
  for (const serial of serials) expect(serial.length).toBeGreaterThanOrEqual(30);
  const summary = inspectCertificate(ca.certificate);
  expect(summary.notBefore.getTime()).toBe(Math.floor((now.getTime() - CLOCK_SKEW_ALLOWANCE_MS) / 1000) * 1000);
});

test('a key from another certificate does not match', async () => {
  const bundle = await generatePkiBundle();
  expect(privateKeyMatchesCertificate(bundle.server.certificate, bundle.apiserverClient.privateKey)).toBe(false);
  const [fromKey, fromCertificate] = opensslPublicKeys(bundle.server.certificate, bundle.apiserverClient.privateKey);
  expect(fromKey).not.toBe(fromCertificate);
});

describe('validity', () => {
  const now = new Date();
  const at = (days: number): Date => new Date(now.getTime() + days * MS_PER_DAY);

  test.each([
    { name: 'leaf default is 365 days', options: {}, notAfter: at(365) },
    { name: 'validityDays sets notAfter from now', options: { validityDays: 7 }, notAfter: at(7) },
    { name: 'explicit past window gives an expired certificate', options: { notBefore: at(-3), notAfter: at(-1) }, notAfter: at(-1) },
    { name: 'a leaf never outlives its CA (CA: 3650 days)', options: { validityDays: 20000 }, notAfter: at(3650) },
  ])('$name', async ({ options, notAfter }) => {
    const ca = await generateCertificateAuthority({ now });
    const leaf = await generateClientCertificate(ca, { commonName: 'c', now, ...options });
    expect(inspectCertificate(leaf.certificate).notAfter.getTime()).toBe(Math.floor(notAfter.getTime() / 1000) * 1000);
  });

  test('openssl rejects the expired certificate as expired', async () => {
    const ca = await generateCertificateAuthority();
    const expired = await generateClientCertificate(ca, { commonName: 'c', notBefore: at(-3), notAfter: at(-1) });
    const result = verifyWithOpenssl(writePem('expired-ca.crt', ca.certificate), writePem('expired.crt', expired.certificate));
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('certificate has expired');
  });

  test.each([
    { name: 'zero days', options: { validityDays: 0 }, error: /validityDays must be a whole number of days between 1 and 36500, got 0/ },
    { name: 'fractional days', options: { validityDays: 1.5 }, error: /got 1.5/ },
    { name: 'absurd days', options: { validityDays: 1e9 }, error: /between 1 and 36500/ },
    { name: 'notAfter before notBefore', options: { notBefore: at(1), notAfter: at(0) }, error: /notAfter must be later than notBefore/ },
    { name: 'invalid date', options: { notAfter: new Date('nope') }, error: /notAfter must be a valid date/ },
  ])('refuses $name', async ({ options, error }) => {
    await expect(generateCertificateAuthority({ now, ...options })).rejects.toThrow(error);
  });

  test('refuses to sign with a CA that has expired before the leaf starts', async () => {
    const ca = await generateCertificateAuthority({ notBefore: at(-10), notAfter: at(-5) });
    await expect(generateClientCertificate(ca, { commonName: 'c' })).rejects.toThrow(/expires .* before the new certificate's notBefore .*: renew the CA first/);
  });
});

describe('names', () => {
  test.each([
    { name: 'comma and equals stay inside one CN', commonName: 'a,O=evil', subject: 'Subject: CN = "a,O=evil"' },
    { name: 'colon in O (Kubernetes group names)', commonName: 'kube-apiserver', organizations: ['system:masters'], subject: 'Subject: O = system:masters, CN = kube-apiserver' },
    { name: 'non-ASCII CN is UTF-8', commonName: 'clé', subject: 'Subject: CN = cl\\C3\\A9' },
  ])('$name', async ({ commonName, organizations, subject }) => {
    const ca = await generateCertificateAuthority();
    const leaf = await generateClientCertificate(ca, { commonName, organizations });
    expect(certificateText(leaf.certificate)).toContain(subject);
  });

  test.each([
    { name: 'empty CN', commonName: '', error: /commonName must be 1 to 64 characters, got ""/ },
    { name: 'CN over 64 characters', commonName: 'a'.repeat(65), error: /commonName must be 1 to 64 characters/ },
    { name: 'newline in CN (log injection)', commonName: 'kube-apiserver\nadmin', error: /commonName must not contain control characters/ },
    { name: 'NUL in O', commonName: 'c', organizations: ['a\u0000b'], error: /organization must not contain control characters/ },
  ])('refuses $name', async ({ commonName, organizations, error }) => {
    const ca = await generateCertificateAuthority();
    await expect(generateClientCertificate(ca, { commonName, organizations })).rejects.toThrow(error);
  });

  test.each([
    { name: 'no SANs', subjectAltNames: [], error: /at least one DNS name or IP address/ },
    { name: 'bad SAN', subjectAltNames: ['localhost', 'bad name'], error: /subject alternative name "bad name"/ },
  ])('serving certificate refuses $name', async ({ subjectAltNames, error }) => {
    const ca = await generateCertificateAuthority();
    await expect(generateServingCertificate(ca, { subjectAltNames })).rejects.toThrow(error);
  });
});
