// Operators often have a CA already (kubeadm's /etc/kubernetes/pki/ca.key is PKCS#1 RSA).
// Leaves signed with such a CA must chain to it under openssl's strictest check, and a CA that
// is not a CA, or a key that is not its key, must be refused before anything is signed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificateAuthority, generatePkiBundle, generateServingCertificate, type CertificateAndKey } from '../../../src/pki';
import { runOpenssl, verifyWithOpenssl } from '../../support/pki';

const CA_EXTENSIONS = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipw-pki-existing-ca-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Makes a CA with openssl itself, then rewrites its key in the requested PEM form. */
function createOpensslCa(name: string, keyArgs: string[], keyForm: string[]): CertificateAndKey {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const made = runOpenssl(['req', '-x509', ...keyArgs, '-nodes', '-keyout', keyPath, '-out', certPath, '-subj', `/O=Acme/CN=${name}`, '-days', '30', ...CA_EXTENSIONS]);
  expect(made.stderr).not.toMatch(/error/i);
  const converted = runOpenssl([...keyForm, '-in', keyPath]);
  expect(converted.code).toBe(0);
  return { certificate: readFileSync(certPath, 'utf8'), privateKey: converted.stdout };
}

test.each([
  { name: 'RSA key in PKCS#1 form (kubeadm, openssl genrsa)', keyArgs: ['-newkey', 'rsa:2048'], keyForm: ['rsa', '-traditional'], header: 'BEGIN RSA PRIVATE KEY' },
  { name: 'EC P-256 key in SEC1 form', keyArgs: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], keyForm: ['ec'], header: 'BEGIN EC PRIVATE KEY' },
  { name: 'EC P-384 key in PKCS#8 form', keyArgs: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], keyForm: ['pkey'], header: 'BEGIN PRIVATE KEY' },
])('signs with an openssl CA: $name', async ({ name, keyArgs, keyForm, header }) => {
  const ca = createOpensslCa(name.replace(/\W+/g, '-'), keyArgs, keyForm);
  expect(ca.privateKey).toContain(header);
  const bundle = await generatePkiBundle({ ca });
  expect(bundle.ca).toBe(ca);
  const caPath = join(dir, 'existing-ca.crt');
  writeFileSync(caPath, ca.certificate);
  for (const [file, credential] of [['server.crt', bundle.server], ['client.crt', bundle.apiserverClient]] as const) {
    writeFileSync(join(dir, file), credential.certificate);
    const result = verifyWithOpenssl(caPath, join(dir, file));
    expect(`${result.stdout}${result.stderr}`).toContain(': OK');
  }
});

describe('refused CAs', () => {
  let ca: CertificateAndKey;
  let other: CertificateAndKey;

  beforeAll(async () => {
    [ca, other] = await Promise.all([generateCertificateAuthority(), generateCertificateAuthority()]);
  });

  test.each([
    { name: 'key of another CA', pick: () => ({ certificate: ca.certificate, privateKey: other.privateKey }), error: /CA private key does not match the CA certificate CN=image-policy-webhook-ca/ },
    {
      name: 'a leaf posing as CA',
      pick: async () => generateServingCertificate(ca, { subjectAltNames: ['localhost'] }),
      error: /not a CA \(basicConstraints CA:TRUE is missing\)/,
    },
    { name: 'certificate is not PEM', pick: () => ({ certificate: 'hello', privateKey: ca.privateKey }), error: /CA certificate: not a PEM X.509 certificate/ },
    { name: 'key is not PEM', pick: () => ({ certificate: ca.certificate, privateKey: 'hello' }), error: /CA private key: not a PEM private key/ },
    {
      name: 'encrypted key',
      pick: () => ({
        certificate: ca.certificate,
        privateKey: runOpenssl(['pkey', '-aes256', '-passout', 'pass:secret'], ca.privateKey).stdout,
      }),
      error: /encrypted private keys are not supported/,
    },
    {
      name: 'RSA key under 2048 bits',
      pick: () => createOpensslCa('small-rsa', ['-newkey', 'rsa:1024'], ['pkey']),
      error: /RSA key must have at least 2048 bits, got 1024/,
    },
    {
      name: 'Ed25519 key',
      pick: () => createOpensslCa('ed25519', ['-newkey', 'ed25519'], ['pkey']),
      error: /key type must be RSA or EC, got ed25519/,
    },
  ])('$name', async ({ pick, error }) => {
    const chosen = await pick();
    await expect(generatePkiBundle({ ca: chosen })).rejects.toThrow(error);
  });
});
