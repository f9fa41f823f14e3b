// Renewing keeps what was set: `pki --force` reads the certificates it replaces and keeps their
// SANs, subjects and key types unless a flag overrides them, printing one line per kept setting.
// openssl judges every result; the first test drives the built CLI, the rest run in-process.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificateAuthority } from '../../../src/pki';
import { runBuiltCli } from '../../support/built-cli';
import { runCli } from '../../support/cli';
import { runOpenssl, verifyWithOpenssl } from '../../support/pki';

const MS_PER_DAY = 24 * 60 * 60 * 1000;
const CUSTOM = ['--san', 'webhook.example.com', '--san', '10.0.0.5', '--client-cn', 'ops-apiserver', '--client-org', 'ops', '--client-org', 'platform', '--key-type', 'rsa-2048'];
const FILES = ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'apiserver-client.crt', 'apiserver-client.key'];
let root: string;
let counter = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ipw-pki-renewal-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  counter += 1;
  return join(root, `case-${counter}`);
}

function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

function certificateText(dir: string, file: string): string {
  const result = runOpenssl(['x509', '-noout', '-text', '-in', join(dir, file)]);
  expect(result.code).toBe(0);
  return result.stdout;
}

function opensslField(dir: string, file: string, field: 'subject' | 'ext subjectAltName'): string {
  const args = field === 'subject' ? ['-subject'] : ['-ext', 'subjectAltName'];
  return runOpenssl(['x509', '-noout', ...args, '-in', join(dir, file)]).stdout.trim();
}

/** A PKI made with custom settings, the way an operator first ran `pki`. */
async function createCustomPki(extra: readonly string[] = []): Promise<string> {
  const dir = freshDir();
  const made = await runCli(['pki', '--out', dir, ...CUSTOM, ...extra]);
  expect(made.stderr).toBe('');
  expect(made.code).toBe(0);
  return dir;
}

function keptLines(dir: string, settings: readonly [file: string, setting: string][]): string[] {
  const lines: Record<string, string> = {
    'server.crt subject alternative names': 'DNS:webhook.example.com, IP:10.0.0.5 (change with --san)',
    'server.crt common name': 'image-policy-webhook',
    'server.crt organizations': 'none',
    'server.crt key type': 'rsa-2048 (change with --key-type)',
    'apiserver-client.crt common name': 'ops-apiserver (change with --client-cn)',
    'apiserver-client.crt organizations': 'ops, platform (change with --client-org)',
    'apiserver-client.crt key type': 'rsa-2048 (change with --key-type)',
    'ca.crt key type': 'rsa-2048 (change with --key-type)',
  };
  return settings.map(([file, setting]) => `kept from ${join(dir, file)}: ${setting} ${lines[`${file} ${setting}`] ?? '?'}`);
}

const ALL_LEAF_SETTINGS: [string, string][] = [
  ['server.crt', 'subject alternative names'],
  ['server.crt', 'common name'],
  ['server.crt', 'organizations'],
  ['server.crt', 'key type'],
  ['apiserver-client.crt', 'common name'],
  ['apiserver-client.crt', 'organizations'],
  ['apiserver-client.crt', 'key type'],
];

test('the documented renewal (keep the CA) keeps custom SANs, client CN and organizations and RSA keys: built CLI', async () => {
  const dir = await createCustomPki();
  const [ca, caKey, server] = ['ca.crt', 'ca.key', 'server.crt'].map((file) => read(dir, file));
  const renewed = await runBuiltCli(['pki', '--out', dir, '--force', '--ca-cert', join(dir, 'ca.crt'), '--ca-key', join(dir, 'ca.key')], { timeoutMs: 60_000 });
  expect(renewed.stderr).toBe('');
  expect(renewed.code).toBe(0);
  expect(renewed.stdout.split('\n').filter((line) => line.startsWith('kept from'))).toEqual(keptLines(dir, ALL_LEAF_SETTINGS));
  expect([read(dir, 'ca.crt'), read(dir, 'ca.key')]).toEqual([ca, caKey]);
  expect(read(dir, 'server.crt')).not.toBe(server);
  const serverText = certificateText(dir, 'server.crt');
  expect(serverText).toContain('DNS:webhook.example.com, IP Address:10.0.0.5');
  expect(serverText).toMatch(/Public Key Algorithm: rsaEncryption\s+Public-Key: \(2048 bit\)/);
  expect(certificateText(dir, 'apiserver-client.crt')).toMatch(/Subject: O = ops, O = platform, CN = ops-apiserver\n[\s\S]*Public-Key: \(2048 bit\)/);
  for (const leaf of ['server.crt', 'apiserver-client.crt']) {
    expect(verifyWithOpenssl(join(dir, 'ca.crt'), join(dir, leaf)).stdout).toBe(`${join(dir, leaf)}: OK\n`);
  }
  expect((await runBuiltCli(['pki', 'status', '--dir', dir])).code).toBe(0);
});

describe('every flag wins over what the replaced certificate says', () => {
  test.each([
    {
      name: '--san replaces the kept SANs',
      flags: ['--san', 'other.example.com'],
      kept: ALL_LEAF_SETTINGS.filter(([file, setting]) => !(file === 'server.crt' && setting === 'subject alternative names')),
      check: (dir: string) => expect(opensslField(dir, 'server.crt', 'ext subjectAltName')).toBe('X509v3 Subject Alternative Name: \n    DNS:other.example.com'),
    },
    {
      name: '--key-type replaces every kept key type',
      flags: ['--key-type', 'ecdsa-p256'],
      kept: ALL_LEAF_SETTINGS.filter(([, setting]) => setting !== 'key type'),
      check: (dir: string) => {
        for (const leaf of ['server.crt', 'apiserver-client.crt']) expect(certificateText(dir, leaf)).toMatch(/Public-Key: \(256 bit\)[\s\S]*NIST CURVE: P-256/);
      },
    },
    {
      name: '--client-cn replaces the common name, the organizations stay',
      flags: ['--client-cn', 'apiserver-blue'],
      kept: ALL_LEAF_SETTINGS.filter(([file, setting]) => !(file === 'apiserver-client.crt' && setting === 'common name')),
      check: (dir: string) => expect(opensslField(dir, 'apiserver-client.crt', 'subject')).toBe('subject=O = ops, O = platform, CN = apiserver-blue'),
    },
    {
      name: '--client-org replaces the organizations, the common name stays',
      flags: ['--client-org', 'sre'],
      kept: ALL_LEAF_SETTINGS.filter(([file, setting]) => !(file === 'apiserver-client.crt' && setting === 'organizations')),
      check: (dir: string) => expect(opensslField(dir, 'apiserver-client.crt', 'subject')).toBe('subject=O = sre, CN = ops-apiserver'),
    },
  ])('$name', async ({ flags, kept, check }) => {
    const dir = await createCustomPki();
    const renewed = await runCli(['pki', '--out', dir, '--force', '--ca-cert', join(dir, 'ca.crt'), '--ca-key', join(dir, 'ca.key'), ...flags]);
    expect(renewed.stderr).toBe('');
    expect(renewed.code).toBe(0);
    expect(renewed.stdout.split('\n').filter((line) => line.startsWith('kept from'))).toEqual(keptLines(dir, kept));
    check(dir);
    for (const leaf of ['server.crt', 'apiserver-client.crt']) expect(verifyWithOpenssl(join(dir, 'ca.crt'), join(dir, leaf)).code).toBe(0);
  });
});

test('--force without --ca-cert makes a new CA of the kept key type and says the trust changes', async () => {
  const dir = await createCustomPki();
  const oldCa = read(dir, 'ca.crt');
  const result = await runCli(['pki', '--out', dir, '--force']);
  expect(result.code).toBe(0);
  expect(result.stdout.split('\n').filter((line) => line.startsWith('kept from'))).toEqual(keptLines(dir, [...ALL_LEAF_SETTINGS, ['ca.crt', 'key type']]));
  expect(result.stderr).toBe(
    `pki: note: a new CA replaces ${join(dir, 'ca.crt')}; kube-apiserver and serve trust the old one until they are given the new ca.crt ` +
      `(to renew and keep the CA: pki --out ${dir} --force --ca-cert ${join(dir, 'ca.crt')} --ca-key ${join(dir, 'ca.key')})\n`,
  );
  expect(read(dir, 'ca.crt')).not.toBe(oldCa);
  expect(certificateText(dir, 'ca.crt')).toContain('Public-Key: (2048 bit)');
  expect(verifyWithOpenssl(join(dir, 'ca.crt'), join(dir, 'server.crt')).code).toBe(0);
  expect(opensslField(dir, 'server.crt', 'ext subjectAltName')).toContain('DNS:webhook.example.com, IP Address:10.0.0.5');
});

test('parts pki does not write are named on stderr, the rest is kept', async () => {
  const dir = freshDir();
  mkdirSync(dir, { recursive: true });
  const made = runOpenssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt'),
    '-subj', '/OU=platform/CN=hook.example.com', '-days', '30', '-addext', 'subjectAltName=DNS:hook.example.com,URI:spiffe://example.com/hook',
  ]);
  expect(made.code).toBe(0);
  const result = await runCli(['pki', '--out', dir, '--force']);
  expect(result.code).toBe(0);
  expect(result.stderr).toBe(
    `pki: note: ${join(dir, 'server.crt')}: subject alternative name URI:spiffe://example.com/hook is not kept (pki writes DNS names and IP addresses only)\n` +
      `pki: note: ${join(dir, 'server.crt')}: subject attribute OU=platform is not kept (pki writes CN and O only)\n`,
  );
  expect(result.stdout).toContain(`kept from ${join(dir, 'server.crt')}: subject alternative names DNS:hook.example.com (change with --san)\n`);
  expect(result.stdout).toContain(`kept from ${join(dir, 'server.crt')}: common name hook.example.com\n`);
  expect(opensslField(dir, 'server.crt', 'subject')).toBe('subject=CN = hook.example.com');
});

describe('refused, naming the file, with nothing written', () => {
  /** A CA valid until `notAfter`, written as files beside the directory it signs into. */
  async function writeCa(dir: string, notAfter: Date): Promise<[string, string]> {
    const ca = await generateCertificateAuthority({ notBefore: new Date(Date.now() - 400 * MS_PER_DAY), notAfter });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'old-ca.crt'), ca.certificate);
    writeFileSync(join(dir, 'old-ca.key'), ca.privateKey, { mode: 0o600 });
    return [join(dir, 'old-ca.crt'), join(dir, 'old-ca.key')];
  }

  test.each([
    {
      name: 'a CA that expires before the renewed certificates would',
      prepare: async (dir: string) => ['--ca-cert', ...(await writeCa(dir, new Date(Date.now() + 30 * MS_PER_DAY + 60_000))).flatMap((file, index) => (index === 0 ? [file] : ['--ca-key', file]))],
      stderr: (dir: string) => new RegExp(`^pki: ${join(dir, 'old-ca\\.crt')}: the CA expires on \\S+Z, in 30 days, before certificates valid for 365 days would: renew the CA first, or pass --days 30 or less\\n$`),
    },
    {
      name: 'an expired CA',
      prepare: async (dir: string) => ['--ca-cert', ...(await writeCa(dir, new Date(Date.now() - MS_PER_DAY))).flatMap((file, index) => (index === 0 ? [file] : ['--ca-key', file]))],
      stderr: (dir: string) => new RegExp(`^pki: ${join(dir, 'old-ca\\.crt')}: the CA expired on \\S+Z: renew the CA first\\n$`),
    },
    {
      name: 'a CA key that belongs to another CA',
      prepare: async (dir: string) => {
        const [certificate] = await writeCa(dir, new Date(Date.now() + 3000 * MS_PER_DAY));
        const other = await generateCertificateAuthority();
        writeFileSync(join(dir, 'other.key'), other.privateKey, { mode: 0o600 });
        return ['--ca-cert', certificate, '--ca-key', join(dir, 'other.key')];
      },
      stderr: (dir: string) => new RegExp(`^pki: --ca-cert ${join(dir, 'old-ca\\.crt')} / --ca-key ${join(dir, 'other\\.key')}: CA private key does not match the CA certificate CN=image-policy-webhook-ca\\n$`),
    },
    {
      name: 'a certificate to replace that does not parse',
      prepare: (dir: string) => {
        writeFileSync(join(dir, 'server.crt'), 'not a certificate\n');
        return [];
      },
      stderr: (dir: string) => new RegExp(`^pki: cannot keep the settings of ${join(dir, 'server\\.crt')}: not a PEM certificate .*; remove the file to start from the defaults\\n$`),
    },
    {
      name: 'a key type pki cannot generate, without --key-type',
      prepare: (dir: string) => {
        const made = runOpenssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt'), '-subj', '/CN=hook', '-days', '30', '-addext', 'subjectAltName=DNS:hook.example.com']);
        expect(made.code).toBe(0);
        return [];
      },
      stderr: (dir: string) => new RegExp(`^pki: ${join(dir, 'server\\.crt')} has an ECDSA P-384 key, which pki cannot generate: pass --key-type to choose one\\n$`),
    },
  ])('$name', async ({ prepare, stderr }) => {
    const dir = await createCustomPki();
    const before = FILES.map((file) => read(dir, file));
    const result = await runCli(['pki', '--out', dir, '--force', ...(await prepare(dir))]);
    expect(result.stderr).toMatch(stderr(dir));
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
    const unchanged = FILES.filter((file) => !['server.crt', 'server.key'].includes(file));
    expect(unchanged.map((file) => read(dir, file))).toEqual(unchanged.map((file) => before[FILES.indexOf(file)]));
  });

  test('the suggested --days is accepted by the same CA', async () => {
    const dir = await createCustomPki();
    const [certificate, key] = await writeCa(dir, new Date(Date.now() + 30 * MS_PER_DAY + 60_000));
    const result = await runCli(['pki', '--out', dir, '--force', '--ca-cert', certificate, '--ca-key', key, '--days', '30']);
    expect(result.code).toBe(0);
    expect(verifyWithOpenssl(certificate, join(dir, 'server.crt')).code).toBe(0);
  });
});
