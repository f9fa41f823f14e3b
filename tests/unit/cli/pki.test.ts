// `pki` and `pki status` as an operator runs them (in-process): the files and their modes, what
// the certificates say, refusal to overwrite, reuse of an existing CA, and a status check that
// names each broken file and exits non-zero. What openssl itself says of the files (verify,
// extensions, key types) is system/pki/cli-openssl.test.ts.
import { X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli';
import { createTestPki, type TestPki } from '../../support/pki';

const ALL_FILES = ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'apiserver-client.crt', 'apiserver-client.key'];
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
let root: string;
let counter = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ipw-pki-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  counter += 1;
  return join(root, `case-${counter}`);
}

function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

function certificateAt(file: string): X509Certificate {
  return new X509Certificate(readFileSync(file));
}

/** Node's own check (OpenSSL underneath): `leaf` names `ca` as issuer and carries its signature. */
function isSignedBy(caFile: string, leafFile: string): boolean {
  const [ca, leaf] = [certificateAt(caFile), certificateAt(leafFile)];
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
}

describe('pki', () => {
  test('writes the six files, keys 0600, leaves signed by the new CA', async () => {
    const out = join(freshDir(), 'nested', 'pki');
    const result = await runCli(['pki', '--out', out, '--san', 'webhook.example.com', '--san', '10.0.0.5', '--client-org', 'ops']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT_OK);
    for (const file of ALL_FILES) {
      expect(result.stdout).toContain(`wrote ${join(out, file)}`);
      expect(statSync(join(out, file)).mode & 0o777).toBe(file.endsWith('.key') ? 0o600 : 0o644);
    }
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const leaf of ['server.crt', 'apiserver-client.crt']) expect(isSignedBy(join(out, 'ca.crt'), join(out, leaf))).toBe(true);
    expect(certificateAt(join(out, 'server.crt')).subjectAltName).toBe('DNS:webhook.example.com, IP Address:10.0.0.5');
    expect(certificateAt(join(out, 'apiserver-client.crt')).subject).toBe('O=ops\nCN=kube-apiserver');
  });

  test('default SANs are localhost, 127.0.0.1 and the host name', async () => {
    const out = freshDir();
    expect((await runCli(['pki', '--out', out])).code).toBe(EXIT_OK);
    expect(certificateAt(join(out, 'server.crt')).subjectAltName).toMatch(/^DNS:localhost, IP Address:127\.0\.0\.1, DNS:\S+$/);
  });

  test('--days sets leaf validity, --ca-days the CA', async () => {
    const out = freshDir();
    expect((await runCli(['pki', '--out', out, '--days', '10', '--ca-days', '20'])).code).toBe(EXIT_OK);
    const status = await runCli(['pki', 'status', '--dir', out, '--warn-days', '0', '--output', 'json']);
    const daysLeft = (JSON.parse(status.stdout) as { certificates: { file: string; daysLeft: number }[] }).certificates.map(({ file, daysLeft: days }) => [file, days]);
    expect(daysLeft).toEqual([['ca.crt', 19], ['server.crt', 9], ['apiserver-client.crt', 9]]);
  });

  describe('never overwrites silently', () => {
    test.each([
      { name: 'a full directory', remove: [] as string[] },
      { name: 'one leftover key', remove: ALL_FILES.filter((file) => file !== 'server.key') },
    ])('refuses $name without --force, naming the files', async ({ remove }) => {
      const out = freshDir();
      expect((await runCli(['pki', '--out', out])).code).toBe(EXIT_OK);
      for (const file of remove) unlinkSync(join(out, file));
      const before = ALL_FILES.filter((file) => existsSync(join(out, file))).map((file) => [file, read(out, file)]);
      const result = await runCli(['pki', '--out', out]);
      expect(result.code).toBe(EXIT_FAILURE);
      expect(result.stderr).toBe(
        `pki: refusing to overwrite existing files (use --force to replace them): ${before.map(([file]) => join(out, file ?? '')).join(', ')}\n`,
      );
      expect(ALL_FILES.filter((file) => existsSync(join(out, file))).map((file) => [file, read(out, file)])).toEqual(before);
    });

    test('--force replaces every file and tightens a loosened key mode', async () => {
      const out = freshDir();
      expect((await runCli(['pki', '--out', out])).code).toBe(EXIT_OK);
      const before = ALL_FILES.map((file) => read(out, file));
      chmodSync(join(out, 'server.key'), 0o644);
      const result = await runCli(['pki', '--out', out, '--force']);
      expect(result.code).toBe(EXIT_OK);
      ALL_FILES.forEach((file, index) => expect(read(out, file)).not.toBe(before[index]));
      expect(statSync(join(out, 'server.key')).mode & 0o777).toBe(0o600);
    });
  });

  describe('--ca-cert/--ca-key', () => {
    let pki: TestPki;
    beforeAll(async () => {
      pki = await createTestPki(join(root, 'existing-ca'));
    });

    test('signs with the existing CA, copies its certificate, never its key', async () => {
      const out = freshDir();
      const result = await runCli(['pki', '--out', out, '--ca-cert', pki.ca.certPath, '--ca-key', pki.ca.keyPath]);
      expect(result.code).toBe(EXIT_OK);
      expect(result.stdout).toContain(`the CA key stays at ${pki.ca.keyPath}; ${join(out, 'ca.key')} was not written`);
      expect(existsSync(join(out, 'ca.key'))).toBe(false);
      expect(read(out, 'ca.crt')).toBe(pki.ca.certificate);
      expect(isSignedBy(pki.ca.certPath, join(out, 'server.crt'))).toBe(true);
      expect(isSignedBy(pki.ca.certPath, join(out, 'apiserver-client.crt'))).toBe(true);
      expect((await runCli(['pki', 'status', '--dir', out])).code).toBe(EXIT_OK);
    });

    test('renews the leaves in place and keeps the CA (the documented renewal)', async () => {
      const out = freshDir();
      expect((await runCli(['pki', '--out', out])).code).toBe(EXIT_OK);
      const [ca, caKey, server] = ['ca.crt', 'ca.key', 'server.crt'].map((file) => read(out, file));
      const ca1 = join(out, 'ca.crt');
      const result = await runCli(['pki', '--out', out, '--force', '--ca-cert', ca1, '--ca-key', join(out, 'ca.key')]);
      expect(result.code).toBe(EXIT_OK);
      expect([read(out, 'ca.crt'), read(out, 'ca.key')]).toEqual([ca, caKey]);
      expect(read(out, 'server.crt')).not.toBe(server);
      expect((await runCli(['pki', 'status', '--dir', out])).code).toBe(EXIT_OK);
    });

    test('removes a stale ca.key of a different CA only with --force', async () => {
      const out = freshDir();
      expect((await runCli(['pki', '--out', out])).code).toBe(EXIT_OK);
      const refused = await runCli(['pki', '--out', out, '--ca-cert', pki.ca.certPath, '--ca-key', pki.ca.keyPath]);
      expect(refused.code).toBe(EXIT_FAILURE);
      expect(refused.stderr).toContain(join(out, 'ca.key'));
      const forced = await runCli(['pki', '--out', out, '--force', '--ca-cert', pki.ca.certPath, '--ca-key', pki.ca.keyPath]);
      expect(forced.code).toBe(EXIT_OK);
      expect(forced.stdout).toContain(`removed ${join(out, 'ca.key')}: it belonged to a different CA`);
      expect(existsSync(join(out, 'ca.key'))).toBe(false);
    });

    test.each([
      { name: 'certificate without key', args: () => ['--ca-cert', pki.ca.certPath], code: EXIT_FAILURE, stderr: 'pki: --ca-cert and --ca-key must be given together\n' },
      {
        name: 'unreadable CA file',
        args: () => ['--ca-cert', join(root, 'nope.crt'), '--ca-key', pki.ca.keyPath],
        code: EXIT_USAGE,
        stderr: /^pki: cannot read --ca-cert \S+\/nope\.crt: ENOENT: no such file or directory/,
      },
      {
        name: 'CA key not matching the CA certificate',
        args: () => ['--ca-cert', pki.ca.certPath, '--ca-key', pki.foreignCa.keyPath],
        code: EXIT_FAILURE,
        stderr: /^pki: --ca-cert \S+\/ca\.crt \/ --ca-key \S+\/foreign-ca\.key: CA private key does not match the CA certificate CN=image-policy-webhook-test-ca\n$/,
      },
      { name: 'a leaf as CA', args: () => ['--ca-cert', pki.server.certPath, '--ca-key', pki.server.keyPath], code: EXIT_FAILURE, stderr: /not a CA \(basicConstraints CA:TRUE is missing\)/ },
    ])('refuses $name', async ({ args, code, stderr }) => {
      const out = freshDir();
      const result = await runCli(['pki', '--out', out, ...args()]);
      expect(result.code).toBe(code);
      expect(result.stderr).toMatch(stderr);
      expect(existsSync(out)).toBe(false);
    });
  });

  test.each([
    { name: 'bad SAN', args: ['--san', 'my_host'], stderr: /option '--san <name>' argument 'my_host' is invalid\. subject alternative name "my_host": not an IP address, and not a DNS name/ },
    { name: 'IP typo SAN', args: ['--san', '10.0.0'], stderr: /"10\.0\.0": looks like an IP address but is not a valid IPv4 or IPv6 address/ },
    { name: 'unknown key type', args: ['--key-type', 'dsa-1024'], stderr: /argument 'dsa-1024' is invalid\. Allowed choices are ecdsa-p256, rsa-2048, rsa-4096\./ },
    { name: 'zero days', args: ['--days', '0'], stderr: /days must be a whole number of days between 1 and 36500, got 0/ },
    { name: 'non-numeric days', args: ['--days', '1e3'], stderr: /must be a whole number of days, got "1e3"/ },
    { name: 'unknown flag', args: ['--sans', 'x'], stderr: /unknown option '--sans'/ },
  ])('usage error: $name', async ({ args, stderr }) => {
    const out = freshDir();
    const result = await runCli(['pki', '--out', out, ...args]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toMatch(stderr);
    expect(existsSync(out)).toBe(false);
  });

  test.each([
    { name: 'pki --help', args: ['pki', '--help'], stdout: /^Usage: image-policy-webhook pki \[options\] \[command\][\s\S]*--ca-cert <file>[\s\S]*status \[options\] +check a PKI directory/ },
    { name: 'pki status --help', args: ['pki', 'status', '--help'], stdout: /^Usage: image-policy-webhook pki status \[options\][\s\S]*--warn-days <n>/ },
  ])('$name', async ({ args, stdout }) => {
    const result = await runCli(args);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toMatch(stdout);
  });
});

describe('pki status', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki(join(root, 'status-source'));
  });

  /** A fresh copy of the healthy test PKI (modes included), then one change. */
  function prepare(change: (dir: string) => void): string {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    for (const file of ALL_FILES) copyFileSync(join(pki.dir, file), join(dir, file));
    change(dir);
    return dir;
  }

  test.each<{ name: string; change: (dir: string) => void; args?: string[]; code: number; stdout: RegExp; stderr: RegExp | string }>([
    { name: 'healthy', change: () => undefined, code: EXIT_OK, stdout: /^FILE[\s\S]*server\.crt +CN=localhost[\s\S]*ok\n$/, stderr: '' },
    {
      name: 'swapped key',
      change: (dir) => copyFileSync(pki.apiserverClient.keyPath, join(dir, 'server.key')),
      code: EXIT_FAILURE,
      stdout: /problems:\n {2}server\.key: does not match server\.crt/,
      stderr: /^pki status: 1 problem in /,
    },
    {
      name: 'foreign CA',
      change: (dir) => copyFileSync(pki.foreignCa.certPath, join(dir, 'ca.crt')),
      code: EXIT_FAILURE,
      stdout: /server\.crt: issued by "CN=image-policy-webhook-test-ca", not by the CA "CN=image-policy-webhook-foreign-ca"/,
      stderr: /^pki status: 3 problems in /,
    },
    {
      name: 'near expiry (--warn-days beyond the validity)',
      change: () => undefined,
      args: ['--warn-days', '400'],
      code: EXIT_FAILURE,
      stdout: /apiserver-client\.crt: expires on \S+, in 364 days \(within the warning threshold of 400 days\)/,
      stderr: /^pki status: 2 problems in /,
    },
    {
      name: 'missing file',
      change: (dir) => unlinkSync(join(dir, 'apiserver-client.crt')),
      code: EXIT_FAILURE,
      stdout: /apiserver-client\.crt +- +- +- +- +- +- +1 problem\n[\s\S]*apiserver-client\.crt: missing/,
      stderr: /^pki status: 1 problem in /,
    },
    {
      name: 'expired client certificate',
      change: (dir) => {
        copyFileSync(pki.expiredClient.certPath, join(dir, 'apiserver-client.crt'));
        copyFileSync(pki.expiredClient.keyPath, join(dir, 'apiserver-client.key'));
      },
      code: EXIT_FAILURE,
      stdout: /apiserver-client\.crt: expired on \S+ \(1 day ago\)/,
      stderr: /^pki status: 1 problem/,
    },
    {
      name: 'unparsable certificate',
      change: (dir) => writeFileSync(join(dir, 'server.crt'), 'not a certificate\n'),
      code: EXIT_FAILURE,
      stdout: /server\.crt: not a PEM certificate/,
      stderr: /^pki status: 1 problem/,
    },
    {
      name: 'key readable by others',
      change: (dir) => chmodSync(join(dir, 'server.key'), 0o644),
      code: EXIT_FAILURE,
      stdout: /server\.key: gives others read access \(mode 0644\): chmod 0640 \S+\/server\.key, if the webhook runs as user \d+ or in group \d+; otherwise that would lock it out/,
      stderr: /^pki status: 1 problem/,
    },
    { name: 'directory does not exist', change: (dir) => rmSync(dir, { recursive: true }), code: EXIT_FAILURE, stdout: /ca\.crt: missing\n {2}server\.crt: missing\n {2}server\.key: missing\n/, stderr: /^pki status: 3 problems/ },
    { name: 'bad --warn-days', change: () => undefined, args: ['--warn-days', '-1'], code: EXIT_USAGE, stdout: /^$/, stderr: /must be a whole number of days \(0 or more\), got "-1"/ },
  ])('$name', async ({ change, args = [], code, stdout, stderr }) => {
    const dir = prepare(change);
    const result = await runCli(['pki', 'status', '--dir', dir, ...args]);
    expect(result.stdout).toMatch(stdout);
    expect(result.stderr).toMatch(stderr);
    expect(result.code).toBe(code);
  });

  test('--output json carries the same facts and problems', async () => {
    const dir = prepare((copy) => copyFileSync(pki.apiserverClient.keyPath, join(copy, 'server.key')));
    const result = await runCli(['pki', 'status', '--dir', dir, '--output', 'json']);
    expect(result.code).toBe(EXIT_FAILURE);
    const report = JSON.parse(result.stdout) as { dir: string; ok: boolean; certificates: { file: string; summary: { subjectAltNames: string[] }; problems: unknown[] }[] };
    expect(report.dir).toBe(dir);
    expect(report.ok).toBe(false);
    expect(report.certificates.map(({ file }) => file)).toEqual(['ca.crt', 'server.crt', 'apiserver-client.crt']);
    expect(report.certificates[1]?.summary.subjectAltNames).toEqual(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
    expect(report.certificates[1]?.problems).toEqual([{ file: 'server.key', message: 'does not match server.crt (it is the key of another certificate)' }]);
  });
});
