// The cosign-made test data under tests/fixtures/cosign (sources in its README.md), read by name.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const COSIGN_FIXTURES = join(__dirname, '..', 'fixtures', 'cosign');

export function readFixture(relativePath: string): Buffer {
  return readFileSync(join(COSIGN_FIXTURES, relativePath));
}

export function readFixtureText(relativePath: string): string {
  return readFixture(relativePath).toString('utf8');
}

/** A signature some real signer made, with what it covers and the key that verifies it. */
export interface RealSignature {
  readonly name: string;
  readonly publicKeyPem: string;
  readonly payload: Buffer;
  readonly signature: string;
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
}

function publicKeyOfCertificate(certificatePem: string): string {
  // Keyless signatures are not supported; the certificate only supplies the signer's public key.
  return new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

interface ManifestFixture {
  readonly layers: readonly { readonly annotations: Readonly<Record<string, string>> }[];
}

/** The dangerzone signature manifest as the post printed it (jq-indented; the layout is cosign's). */
export const DANGERZONE_SIGNATURE_MANIFEST = JSON.parse(readFixtureText('dangerzone-rocks/signature-manifest.json')) as ManifestFixture;

export const REAL_COSIGN_SIGNATURES: readonly RealSignature[] = [
  {
    name: 'sigstore-rs: cosign sign --key of registry-testing.svc.lan/busybox',
    publicKeyPem: readFixtureText('sigstore-rs/busybox.pub'),
    payload: readFixture('sigstore-rs/busybox.payload'),
    signature: readFixtureText('sigstore-rs/busybox.sig').trim(),
    registry: 'registry-testing.svc.lan',
    repository: 'busybox',
    digest: 'sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b',
  },
  {
    name: 'sigstore-rs: keyless cosign signature of kubewarden/disallow-service-nodeport',
    publicKeyPem: publicKeyOfCertificate(readFixtureText('sigstore-rs/kubewarden-fulcio.crt')),
    payload: readFixture('sigstore-rs/kubewarden.payload'),
    signature: readFixtureText('sigstore-rs/kubewarden.sig').trim(),
    registry: 'registry-testing.svc.lan',
    repository: 'kubewarden/disallow-service-nodeport',
    digest: 'sha256:5f481572d088dc4023afb35fced9530ced3d9b03bf7299c6f492163cb9f0452e',
  },
  {
    name: 'dangerzone.rocks: cosign signature of ghcr.io/freedomofpress/dangerzone/v1',
    publicKeyPem: readFixtureText('dangerzone-rocks/signer.pub'),
    payload: readFixture('dangerzone-rocks/v1.payload'),
    signature: DANGERZONE_SIGNATURE_MANIFEST.layers[0]?.annotations['dev.cosignproject.cosign/signature'] ?? '',
    registry: 'ghcr.io',
    repository: 'freedomofpress/dangerzone/v1',
    digest: 'sha256:7396780b5862cf8b37527854a2a2331e5c746b6a71aa1f424258c3bfaf3a1bd7',
  },
];
