// What openssl itself says of the files `pki` writes: the chain verifies under -x509_strict, the
// serving certificate carries the SANs and serverAuth kube-apiserver's Go client checks, and each
// --key-type gives the key it names. The command's own behaviour is unit/cli/pki.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli';
import { createTestPki, runOpenssl, verifyWithOpenssl, type TestPki } from '../../support/pki';

let root: string;
let counter = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ipw-pki-openssl-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  counter += 1;
  return join(root, `case-${counter}`);
}

test('openssl accepts the chain, the SANs, the purposes and the subject', async () => {
  const out = freshDir();
  expect((await runCli(['pki', '--out', out, '--san', 'webhook.example.com', '--san', '10.0.0.5', '--client-org', 'ops'])).code).toBe(0);
  for (const leaf of ['server.crt', 'apiserver-client.crt']) {
    expect(verifyWithOpenssl(join(out, 'ca.crt'), join(out, leaf)).stdout).toContain(': OK');
  }
  const server = runOpenssl(['x509', '-noout', '-ext', 'subjectAltName,extendedKeyUsage', '-in', join(out, 'server.crt')]).stdout;
  expect(server).toContain('DNS:webhook.example.com, IP Address:10.0.0.5');
  expect(server).toContain('TLS Web Server Authentication');
  expect(runOpenssl(['x509', '-noout', '-subject', '-in', join(out, 'apiserver-client.crt')]).stdout).toBe('subject=O = ops, CN = kube-apiserver\n');
});

test.each([
  { name: 'RSA 2048', keyType: 'rsa-2048', text: /Public-Key: \(2048 bit\)/ },
  { name: 'RSA 4096', keyType: 'rsa-4096', text: /Public-Key: \(4096 bit\)/ },
  { name: 'ECDSA P-256', keyType: 'ecdsa-p256', text: /NIST CURVE: P-256/ },
])('--key-type $keyType gives $name keys that openssl verifies', async ({ keyType, text }) => {
  const out = freshDir();
  expect((await runCli(['pki', '--out', out, '--key-type', keyType])).code).toBe(0);
  expect(runOpenssl(['x509', '-noout', '-text', '-in', join(out, 'server.crt')]).stdout).toMatch(text);
  expect(verifyWithOpenssl(join(out, 'ca.crt'), join(out, 'server.crt')).code).toBe(0);
});

describe('leaves signed with an existing CA', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki(join(root, 'existing-ca'));
  });

  test('chain to that CA under openssl verify', async () => {
    const out = freshDir();
    expect((await runCli(['pki', '--out', out, '--ca-cert', pki.ca.certPath, '--ca-key', pki.ca.keyPath])).code).toBe(0);
    expect(verifyWithOpenssl(pki.ca.certPath, join(out, 'server.crt')).code).toBe(0);
    expect(verifyWithOpenssl(pki.ca.certPath, join(out, 'apiserver-client.crt')).code).toBe(0);
  });
});
