// Shared test PKI for the TLS, kubectl and end-to-end tests: one call generates a CA with a
// serving certificate and kube-apiserver's client certificate (the same file names `pki` writes),
// plus the hostile cases: another client name, a client from a foreign CA, an expired client.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateCertificateAuthority,
  generateClientCertificate,
  generateServingCertificate,
  type CertificateAndKey,
} from '../../src/pki';

export const TEST_SERVER_SUBJECT_ALT_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];
export const TEST_APISERVER_CLIENT_NAME = 'kube-apiserver';
export const TEST_INTRUDER_CLIENT_NAME = 'intruder';
export const TEST_FOREIGN_CLIENT_NAME = 'kube-apiserver';
const MS_PER_DAY = 24 * 60 * 60 * 1000;
const KEY_FILE_MODE = 0o600;
const CERTIFICATE_FILE_MODE = 0o644;

/** A certificate and key, as PEM and as the files they were written to. */
export interface TestCredential extends CertificateAndKey {
  certPath: string;
  keyPath: string;
}

export interface TestPki {
  dir: string;
  /** The CA that signs server, apiserverClient, intruderClient and expiredClient (`ca.crt`). */
  ca: TestCredential;
  /** serverAuth, SANs localhost, 127.0.0.1, ::1 (`server.crt`). */
  server: TestCredential;
  /** clientAuth, CN kube-apiserver (`apiserver-client.crt`). */
  apiserverClient: TestCredential;
  /** clientAuth, CN intruder, same CA: passes the CA check, must fail a client-name check. */
  intruderClient: TestCredential;
  /** A second, unrelated CA (`foreign-ca.crt`). */
  foreignCa: TestCredential;
  /** clientAuth, CN kube-apiserver, signed by the foreign CA: must fail the CA check. */
  foreignClient: TestCredential;
  /** clientAuth, CN kube-apiserver, signed by the real CA, expired yesterday. */
  expiredClient: TestCredential;
  /** Deletes the directory (also when the caller supplied it). */
  remove(): void;
}

function writeCredential(dir: string, name: string, credential: CertificateAndKey): TestCredential {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  writeFileSync(certPath, credential.certificate, { mode: CERTIFICATE_FILE_MODE });
  writeFileSync(keyPath, credential.privateKey, { mode: KEY_FILE_MODE });
  // `mode` only applies when the file is created; a reused directory must not keep a looser one.
  chmodSync(keyPath, KEY_FILE_MODE);
  return { ...credential, certPath, keyPath };
}

/** Generates the whole set (ECDSA P-256, ~0.1 s) into `dir`, or a fresh temporary directory. */
export async function createTestPki(dir?: string): Promise<TestPki> {
  const target = dir ?? mkdtempSync(join(tmpdir(), 'ipw-pki-'));
  mkdirSync(target, { recursive: true });
  const now = Date.now();
  const [ca, foreignCa] = await Promise.all([
    generateCertificateAuthority({ commonName: 'image-policy-webhook-test-ca' }),
    generateCertificateAuthority({ commonName: 'image-policy-webhook-foreign-ca' }),
  ]);
  const [server, apiserverClient, intruderClient, foreignClient, expiredClient] = await Promise.all([
    generateServingCertificate(ca, { subjectAltNames: TEST_SERVER_SUBJECT_ALT_NAMES, commonName: 'localhost' }),
    generateClientCertificate(ca, { commonName: TEST_APISERVER_CLIENT_NAME }),
    generateClientCertificate(ca, { commonName: TEST_INTRUDER_CLIENT_NAME }),
    generateClientCertificate(foreignCa, { commonName: TEST_FOREIGN_CLIENT_NAME }),
    generateClientCertificate(ca, {
      commonName: TEST_APISERVER_CLIENT_NAME,
      notBefore: new Date(now - 2 * MS_PER_DAY),
      notAfter: new Date(now - MS_PER_DAY),
    }),
  ]);
  return {
    dir: target,
    ca: writeCredential(target, 'ca', ca),
    server: writeCredential(target, 'server', server),
    apiserverClient: writeCredential(target, 'apiserver-client', apiserverClient),
    intruderClient: writeCredential(target, 'intruder-client', intruderClient),
    foreignCa: writeCredential(target, 'foreign-ca', foreignCa),
    foreignClient: writeCredential(target, 'foreign-client', foreignClient),
    expiredClient: writeCredential(target, 'expired-client', expiredClient),
    remove: () => rmSync(target, { recursive: true, force: true }),
  };
}

export interface OpensslResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real openssl binary; tests assert on its verdicts rather than on our own parser. */
export function runOpenssl(args: readonly string[], input?: string): OpensslResult {
  const result = spawnSync('openssl', args, { encoding: 'utf8', input });
  if (result.error !== undefined) {
    throw new Error(`cannot run openssl: ${result.error.message}`);
  }
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `openssl verify -x509_strict`: the strictest chain check openssl offers. */
export function verifyWithOpenssl(caPath: string, certPath: string): OpensslResult {
  return runOpenssl(['verify', '-x509_strict', '-CAfile', caPath, certPath]);
}
