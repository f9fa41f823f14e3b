// The shared test PKI is what every TLS test trusts, so its certificates are checked here with
// openssl itself: which ones verify against which CA, and that keys are private on disk.
import { statSync } from 'node:fs';
import { createTestPki, verifyWithOpenssl, type TestPki } from '../../support/pki';

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki();
});

afterAll(() => pki.remove());

function opensslVerify(caPath: string, certPath: string): { ok: boolean; output: string } {
  const result = verifyWithOpenssl(caPath, certPath);
  return { ok: result.code === 0, output: `${result.stdout}${result.stderr}` };
}

type CredentialName = Exclude<keyof TestPki, 'dir' | 'remove'>;

test.each<{ name: string; cert: CredentialName; ca: CredentialName; ok: boolean; message?: RegExp }>([
  { name: 'server verifies against the CA', cert: 'server', ca: 'ca', ok: true },
  { name: 'apiserver client verifies against the CA', cert: 'apiserverClient', ca: 'ca', ok: true },
  { name: 'intruder client verifies against the CA (only its name is wrong)', cert: 'intruderClient', ca: 'ca', ok: true },
  { name: 'foreign client verifies against the foreign CA', cert: 'foreignClient', ca: 'foreignCa', ok: true },
  { name: 'foreign client fails against the CA', cert: 'foreignClient', ca: 'ca', ok: false, message: /unable to get local issuer certificate/ },
  { name: 'expired client fails as expired', cert: 'expiredClient', ca: 'ca', ok: false, message: /certificate has expired/ },
])('$name', ({ cert, ca, ok, message }) => {
  const result = opensslVerify(pki[ca].certPath, pki[cert].certPath);
  expect(result.ok).toBe(ok);
  expect(result.output).toMatch(message ?? /: OK/);
});

test.each<CredentialName>(['ca', 'server', 'apiserverClient', 'intruderClient', 'foreignCa', 'foreignClient', 'expiredClient'])(
  '%s key is written with mode 0600',
  (credential) => {
    expect(statSync(pki[credential].keyPath).mode & 0o777).toBe(0o600);
  },
);

test('reusing a directory overwrites the set and keeps keys private', async () => {
  const again = await createTestPki(pki.dir);
  expect(again.ca.certificate).not.toBe(pki.ca.certificate);
  expect(opensslVerify(again.ca.certPath, again.server.certPath).ok).toBe(true);
  expect(statSync(again.server.keyPath).mode & 0o777).toBe(0o600);
  pki = again;
});
