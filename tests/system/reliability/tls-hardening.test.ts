// TLS hardening of the review port, judged by the real `openssl s_client` against the real
// `serve` process (an ECDSA and an RSA serving certificate): TLS 1.0/1.1 refused, no or
// untrusted client certificates refused, client-initiated renegotiation refused, and only
// forward-secret AEAD cipher suites negotiable.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateServingCertificate } from '../../../src/pki';
import { createTestPki, TEST_SERVER_SUBJECT_ALT_NAMES, type TestCredential, type TestPki } from '../../support/pki';
import { CONTRACT_POLICY, writeTempPolicy } from '../../support/policies';
import { startServeProcess, type ServeProcess } from '../../support/serve-process';
import { CLOSING_REVIEW_REQUEST, listLegacyCipherSuites, mapWithLimit, runSClient } from './openssl-client';

const REVIEW = JSON.stringify({
  kind: 'ImageReview',
  apiVersion: 'imagepolicy.k8s.io/v1alpha1',
  spec: { containers: [{ image: 'registry.example.com/app:1' }], namespace: 'default' },
});
/** ECDHE key exchange (forward secrecy) with an AEAD cipher: what Mozilla's "intermediate" profile keeps. */
const STRONG_TLS12_SUITE = /^ECDHE-(?:ECDSA|RSA)-(?:AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)$/;
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];
const STRONG_TLS13_SUITES = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
const PARALLEL_HANDSHAKES = 6;
/** How openssl reports a connection the server ended: an alert, or the socket closing under it. */
const DROPPED = /alert|unexpected eof|Connection reset|errno=104|write:errno/;
// openssl's own default security level would refuse old protocols and weak suites before the
// server is asked; level 0 makes the refusal we observe the server's.
const ANY_CIPHER = 'ALL:@SECLEVEL=0';
/** openssl's words when the server refuses a renegotiation. */
const RENEGOTIATION_REFUSED = /no renegotiation|alert handshake failure|unexpected message|errno/i;
/** Either outcome of a renegotiation: refused, or an HTTP answer after it (which the test rejects). */
const RENEGOTIATION_OUTCOME = new RegExp(`${RENEGOTIATION_REFUSED.source}|HTTP/1\\.1 \\d{3} `, 'i');

let pki: TestPki;
let ecdsaServer: ServeProcess;
let rsaServer: ServeProcess;

function clientFlags(credential: TestCredential | undefined): string[] {
  return ['-CAfile', pki.ca.certPath, ...(credential ? ['-cert', credential.certPath, '-key', credential.keyPath] : [])];
}

/** One review through s_client with the given flags; resolves with the HTTP status or undefined. */
async function reviewThroughOpenssl(port: number, flags: readonly string[]): Promise<{ httpStatus: number | undefined; output: string }> {
  const run = await runSClient(port, { args: [...flags, '-ign_eof'], script: [{ text: CLOSING_REVIEW_REQUEST(REVIEW) }] });
  return { httpStatus: run.httpStatus, output: run.output };
}

beforeAll(async () => {
  pki = await createTestPki();
  const rsa = await generateServingCertificate(pki.ca, { subjectAltNames: TEST_SERVER_SUBJECT_ALT_NAMES, commonName: 'localhost', keyType: 'rsa-2048' });
  const rsaCert = path.join(pki.dir, 'server-rsa.crt');
  const rsaKey = path.join(pki.dir, 'server-rsa.key');
  writeFileSync(rsaCert, rsa.certificate);
  writeFileSync(rsaKey, rsa.privateKey, { mode: 0o600 });
  const policyFile = writeTempPolicy(CONTRACT_POLICY);
  [ecdsaServer, rsaServer] = await Promise.all([
    startServeProcess({ policyFile, tlsCert: pki.server.certPath, tlsKey: pki.server.keyPath, clientCa: pki.ca.certPath }),
    startServeProcess({ policyFile, tlsCert: rsaCert, tlsKey: rsaKey, clientCa: pki.ca.certPath }),
  ]);
});
afterAll(async () => {
  await Promise.all([ecdsaServer?.stop(), rsaServer?.stop()]);
  pki.remove();
});

describe('protocol versions (openssl s_client)', () => {
  test.each([
    { name: 'TLS 1.0 is refused', flag: '-tls1', accepted: false },
    { name: 'TLS 1.1 is refused', flag: '-tls1_1', accepted: false },
    { name: 'TLS 1.2 is served', flag: '-tls1_2', accepted: true },
    { name: 'TLS 1.3 is served', flag: '-tls1_3', accepted: true },
  ])('$name', async ({ flag, accepted }) => {
    const { httpStatus, output } = await reviewThroughOpenssl(ecdsaServer.port, [flag, '-cipher', ANY_CIPHER, ...clientFlags(pki.apiserverClient)]);
    if (accepted) expect(httpStatus).toBe(200);
    else {
      expect(httpStatus).toBeUndefined();
      expect(output).toMatch(/alert protocol version|unsupported protocol|no protocols available/);
    }
  });
});

describe('client certificates (openssl s_client)', () => {
  test.each<{ name: string; client: 'apiserver' | 'none' | 'foreign' | 'expired'; protocol: string; accepted: boolean; alert?: RegExp }>([
    { name: 'trusted client certificate, TLS 1.2', client: 'apiserver', protocol: '-tls1_2', accepted: true },
    { name: 'trusted client certificate, TLS 1.3', client: 'apiserver', protocol: '-tls1_3', accepted: true },
    { name: 'no client certificate, TLS 1.2', client: 'none', protocol: '-tls1_2', accepted: false, alert: /alert handshake failure|peer did not return a certificate/ },
    { name: 'no client certificate, TLS 1.3', client: 'none', protocol: '-tls1_3', accepted: false, alert: /alert certificate required/ },
    // Node verifies the chain itself after OpenSSL's handshake and then drops the socket, without an alert.
    { name: 'client certificate from another CA, TLS 1.2', client: 'foreign', protocol: '-tls1_2', accepted: false, alert: DROPPED },
    { name: 'client certificate from another CA, TLS 1.3', client: 'foreign', protocol: '-tls1_3', accepted: false, alert: DROPPED },
    { name: 'expired client certificate, TLS 1.2', client: 'expired', protocol: '-tls1_2', accepted: false, alert: DROPPED },
    { name: 'expired client certificate, TLS 1.3', client: 'expired', protocol: '-tls1_3', accepted: false, alert: DROPPED },
  ])('$name', async ({ client, protocol, accepted, alert }) => {
    const credential = { apiserver: pki.apiserverClient, none: undefined, foreign: pki.foreignClient, expired: pki.expiredClient }[client];
    const { httpStatus, output } = await reviewThroughOpenssl(ecdsaServer.port, [protocol, ...clientFlags(credential)]);
    if (accepted) expect(httpStatus).toBe(200);
    else {
      expect(httpStatus).toBeUndefined();
      expect(output).toMatch(alert ?? /alert/);
    }
  });
});

describe('renegotiation (openssl s_client, TLS 1.2)', () => {
  test.each([
    { name: 'client-initiated secure renegotiation is refused', extra: [] as string[] },
    { name: 'legacy (insecure) renegotiation is refused', extra: ['-legacy_renegotiation'] },
  ])('$name', async ({ extra }) => {
    // `R` on its own line asks s_client to renegotiate, once the handshake is done; the review
    // after it shows whether the connection survived; stdin stays open until the outcome shows.
    const run = await runSClient(ecdsaServer.port, {
      args: ['-tls1_2', ...extra, ...clientFlags(pki.apiserverClient)],
      script: [
        { after: /Verify return code/, text: 'R\n' },
        { after: /RENEGOTIATING/, text: CLOSING_REVIEW_REQUEST(REVIEW) },
      ],
      closeWhen: RENEGOTIATION_OUTCOME,
    });
    expect(run.output).toMatch(/RENEGOTIATING/);
    expect(run.httpStatus).toBeUndefined();
    expect(run.output).toMatch(RENEGOTIATION_REFUSED);
  });
});

describe('cipher suites (openssl s_client)', () => {
  test.each([
    { name: 'ECDSA serving certificate', server: () => ecdsaServer },
    { name: 'RSA serving certificate', server: () => rsaServer },
  ])('$name: TLS 1.2 negotiates only ECDHE with AES-GCM or ChaCha20-Poly1305', async ({ server }) => {
    const suites = listLegacyCipherSuites();
    expect(suites.length).toBeGreaterThan(50);
    const verdicts = await mapWithLimit(suites, PARALLEL_HANDSHAKES, async (suite) => {
      const { httpStatus } = await reviewThroughOpenssl(server().port, ['-tls1_2', '-cipher', `${suite}:@SECLEVEL=0`, ...clientFlags(pki.apiserverClient)]);
      return { suite, accepted: httpStatus === 200 };
    });
    const accepted = verdicts.filter((verdict) => verdict.accepted).map((verdict) => verdict.suite);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.filter((suite) => !STRONG_TLS12_SUITE.test(suite))).toEqual([]);
  });

  test.each(TLS13_SUITES.map((suite) => ({ name: suite, suite, strong: STRONG_TLS13_SUITES.has(suite) })))('TLS 1.3 $name', async ({ suite, strong }) => {
    const { httpStatus } = await reviewThroughOpenssl(ecdsaServer.port, ['-tls1_3', '-ciphersuites', suite, ...clientFlags(pki.apiserverClient)]);
    expect(httpStatus === 200).toBe(strong);
  });
});
