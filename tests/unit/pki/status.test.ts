// `pki status` is the operator's early warning: each row breaks one thing in an otherwise healthy
// PKI directory and names the exact problems the check must report, no more and no fewer.
import {
  checkPkiStatus,
  formatPkiStatusTable,
  generateCertificateAuthority,
  generateClientCertificate,
  inspectCertificate,
  type PkiFileContent,
} from '../../../src/pki';
import { createTestPki, type TestPki } from '../../support/pki';

const MS_PER_DAY = 24 * 60 * 60 * 1000;
type Files = Record<string, PkiFileContent>;
type Mutation = (files: Files, pki: TestPki) => Files | Promise<Files>;

let pki: TestPki;
let healthy: Files;
let now: Date;

const OPERATOR = 1000;
const present = (text: string, mode = 0o100600): PkiFileContent => ({ state: 'present', text, access: { mode, uid: OPERATOR, gid: OPERATOR } });

beforeAll(async () => {
  pki = await createTestPki();
  now = new Date();
  healthy = {
    'ca.crt': present(pki.ca.certificate, 0o100644),
    'ca.key': present(pki.ca.privateKey),
    'server.crt': present(pki.server.certificate, 0o100644),
    'server.key': present(pki.server.privateKey),
    'apiserver-client.crt': present(pki.apiserverClient.certificate, 0o100644),
    'apiserver-client.key': present(pki.apiserverClient.privateKey),
  };
});
afterAll(() => pki.remove());

/** Flips the last byte of the DER (inside the signature) while keeping the certificate parseable. */
function tamperSignature(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
}

test.each<{ name: string; mutate: Mutation; at?: (server: Date) => Date; warnDays?: number; want: [string, RegExp][] }>([
  { name: 'healthy directory', mutate: (files) => files, want: [] },
  { name: 'ca.key kept elsewhere (existing CA)', mutate: ({ 'ca.key': _, ...files }) => files, want: [] },
  { name: 'client certificate missing, its key here', mutate: ({ 'apiserver-client.crt': _, ...files }) => files, want: [['apiserver-client.crt', /^missing, while apiserver-client\.key is here \(the two go together\)$/]] },
  { name: 'client key missing, its certificate here', mutate: ({ 'apiserver-client.key': _, ...files }) => files, want: [['apiserver-client.key', /^missing, while apiserver-client\.crt is here \(the two go together\)$/]] },
  { name: 'client pair absent (a webhook node: kube-apiserver keeps its own copy)', mutate: ({ 'apiserver-client.crt': _, 'apiserver-client.key': __, ...files }) => files, want: [] },
  { name: 'missing server key', mutate: (files) => ({ ...files, 'server.key': { state: 'missing' } }), want: [['server.key', /^missing$/]] },
  {
    name: 'unreadable file',
    mutate: (files) => ({ ...files, 'server.crt': { state: 'unreadable', reason: 'EACCES: permission denied' } }),
    want: [['server.crt', /^cannot be read: EACCES: permission denied$/]],
  },
  { name: 'certificate file is not PEM', mutate: (files) => ({ ...files, 'server.crt': present('hello') }), want: [['server.crt', /^not a PEM certificate/]] },
  {
    name: 'certificate PEM with garbage inside',
    mutate: (files) => ({ ...files, 'server.crt': present('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') }),
    want: [['server.crt', /^not a valid X\.509 certificate/]],
  },
  { name: 'key file is not a key', mutate: (files) => ({ ...files, 'server.key': present(pki.server.certificate) }), want: [['server.key', /^not a PEM private key/]] },
  {
    name: 'swapped key: server.key is the client key',
    mutate: (files) => ({ ...files, 'server.key': present(pki.apiserverClient.privateKey) }),
    want: [['server.key', /^does not match server\.crt \(it is the key of another certificate\)$/]],
  },
  {
    name: 'key readable by others',
    mutate: (files) => ({ ...files, 'apiserver-client.key': present(pki.apiserverClient.privateKey, 0o100644) }),
    want: [['apiserver-client.key', /^gives others read access \(mode 0644\): chmod 0640 pki\/apiserver-client\.key$/]],
  },
  {
    name: 'foreign CA in ca.crt',
    mutate: (files) => ({ ...files, 'ca.crt': present(pki.foreignCa.certificate) }),
    want: [
      ['ca.key', /^does not match ca\.crt/],
      ['server.crt', /^issued by "CN=image-policy-webhook-test-ca", not by the CA "CN=image-policy-webhook-foreign-ca" \(ca\.crt\)$/],
      ['apiserver-client.crt', /^issued by "CN=image-policy-webhook-test-ca", not by the CA "CN=image-policy-webhook-foreign-ca"/],
    ],
  },
  {
    name: 'client from a foreign CA',
    mutate: (files) => ({ ...files, 'apiserver-client.crt': present(pki.foreignClient.certificate), 'apiserver-client.key': present(pki.foreignClient.privateKey) }),
    want: [['apiserver-client.crt', /^issued by "CN=image-policy-webhook-foreign-ca", not by the CA "CN=image-policy-webhook-test-ca"/]],
  },
  {
    name: 'client from another CA with the same name',
    mutate: async (files) => {
      const twin = await generateCertificateAuthority({ commonName: 'image-policy-webhook-test-ca' });
      const client = await generateClientCertificate(twin, { commonName: 'kube-apiserver' });
      return { ...files, 'apiserver-client.crt': present(client.certificate), 'apiserver-client.key': present(client.privateKey) };
    },
    want: [['apiserver-client.crt', /^issued by another CA with the same name "CN=image-policy-webhook-test-ca"/]],
  },
  {
    name: 'tampered signature',
    mutate: (files) => ({ ...files, 'server.crt': present(tamperSignature(pki.server.certificate)) }),
    want: [['server.crt', /signature does not verify with the CA's key/]],
  },
  {
    name: 'server certificate used as CA',
    mutate: (files) => ({ ...files, 'ca.crt': present(pki.server.certificate), 'ca.key': present(pki.server.privateKey) }),
    want: [
      ['ca.crt', /^not a CA certificate/],
      ['server.crt', /^issued by "CN=image-policy-webhook-test-ca", not by the CA "CN=localhost"/],
      ['apiserver-client.crt', /not by the CA "CN=localhost"/],
    ],
  },
  {
    name: 'client certificate where the server certificate belongs',
    mutate: (files) => ({ ...files, 'server.crt': present(pki.apiserverClient.certificate), 'server.key': present(pki.apiserverClient.privateKey) }),
    want: [
      ['server.crt', /^extended key usage must include serverAuth, has clientAuth$/],
      ['server.crt', /^has no subject alternative names/],
    ],
  },
  {
    name: 'server certificate where the client certificate belongs',
    mutate: (files) => ({ ...files, 'apiserver-client.crt': present(pki.server.certificate), 'apiserver-client.key': present(pki.server.privateKey) }),
    want: [['apiserver-client.crt', /^extended key usage must include clientAuth, has serverAuth$/]],
  },
  {
    name: 'expired client certificate',
    mutate: (files) => ({ ...files, 'apiserver-client.crt': present(pki.expiredClient.certificate), 'apiserver-client.key': present(pki.expiredClient.privateKey) }),
    want: [['apiserver-client.crt', /^expired on \S+Z \(1 day ago\)$/]],
  },
  {
    name: 'ten days before the leaves expire (threshold 30)',
    mutate: (files) => files,
    at: (serverNotAfter) => new Date(serverNotAfter.getTime() - 10 * MS_PER_DAY),
    want: [
      ['server.crt', /^expires on \S+Z, in 10 days \(within the warning threshold of 30 days\)$/],
      ['apiserver-client.crt', /^expires on \S+Z, in 10 days/],
    ],
  },
  { name: 'threshold 0 only fails expired certificates', mutate: (files) => files, at: (serverNotAfter) => new Date(serverNotAfter.getTime() - 1000), warnDays: 0, want: [] },
  {
    name: 'warn-days beyond the validity fails every leaf',
    mutate: (files) => files,
    warnDays: 400,
    want: [
      ['server.crt', /^expires on \S+Z, in 364 days \(within the warning threshold of 400 days\)$/],
      ['apiserver-client.crt', /in 364 days/],
    ],
  },
  { name: 'before notBefore', mutate: (files) => files, at: () => new Date(now.getTime() - MS_PER_DAY), want: [
    ['ca.crt', /^not valid before /],
    ['server.crt', /^not valid before /],
    ['apiserver-client.crt', /^not valid before /],
  ] },
])('$name', async ({ mutate, at, warnDays, want }) => {
  const files = await mutate({ ...healthy }, pki);
  const clock = at === undefined ? now : at(inspectCertificate(pki.server.certificate).notAfter);
  const status = checkPkiStatus(files, { now: clock, warnDays: warnDays ?? 30, dir: 'pki' });
  const problems = status.certificates.flatMap((certificate) => certificate.problems);
  expect(problems.map(({ file }) => file)).toEqual(want.map(([file]) => file));
  problems.forEach(({ message }, index) => expect(message).toMatch(want[index]?.[1] ?? /^$/));
  expect(status.ok).toBe(want.length === 0);
});

test('the table has one row per certificate and lists every problem by file', () => {
  const status = checkPkiStatus({ ...healthy, 'server.key': present(pki.apiserverClient.privateKey) }, { now, warnDays: 30, dir: 'pki' });
  const lines = formatPkiStatusTable(status).split('\n');
  expect(lines[0]).toMatch(/^FILE +SUBJECT +ISSUER +SANS +EKU +NOT AFTER +DAYS LEFT +STATUS$/);
  expect(lines[1]).toMatch(/^ca\.crt +CN=image-policy-webhook-test-ca +CN=image-policy-webhook-test-ca +- +- +\S+Z +3649 +ok$/);
  expect(lines[2]).toMatch(/^server\.crt +CN=localhost +CN=image-policy-webhook-test-ca +DNS:localhost,IP:127\.0\.0\.1,IP:::1 +serverAuth +\S+Z +364 +1 problem$/);
  expect(lines[3]).toMatch(/^apiserver-client\.crt +CN=kube-apiserver .* clientAuth .* ok$/);
  expect(lines.slice(4)).toEqual(['', 'problems:', '  server.key: does not match server.crt (it is the key of another certificate)', '']);
});
