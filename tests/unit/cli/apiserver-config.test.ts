// The `apiserver-config` command end to end (in-process): what it writes for each credential layout, that
// bad input writes nothing, that only its own files are replaced, and that the committed default
// output in apiserver-config/ is exactly what `make apiserver-config` regenerates.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT, runCli } from '../../support/cli';
import { createTestPki, type TestPki } from '../../support/pki';

const OUTPUT_FILES = ['README.md', 'admission-configuration.yaml', 'imagepolicy-kubeconfig.yaml', 'kubeadm-cluster-configuration.yaml'];
const SERVER = 'https://127.0.0.1:8443/imagepolicy';

interface ParsedKubeconfig {
  clusters: { cluster: Record<string, string> }[];
  users: { user: Record<string, string> }[];
}
interface ParsedAdmission {
  plugins: { configuration: { imagePolicy: Record<string, unknown> } }[];
}

let pki: TestPki;
let workDir: string;

beforeAll(async () => {
  pki = await createTestPki();
  workDir = mkdtempSync(path.join(tmpdir(), 'ipw-apiserver-config-'));
});

afterAll(() => {
  pki.remove();
  rmSync(workDir, { recursive: true, force: true });
});

function freshDir(): string {
  return mkdtempSync(path.join(workDir, 'out-'));
}

function readKubeconfig(dir: string): ParsedKubeconfig {
  return parse(readFileSync(path.join(dir, 'imagepolicy-kubeconfig.yaml'), 'utf8')) as ParsedKubeconfig;
}

function readImagePolicy(dir: string): Record<string, unknown> {
  const config = parse(readFileSync(path.join(dir, 'admission-configuration.yaml'), 'utf8')) as ParsedAdmission;
  return config.plugins[0]?.configuration.imagePolicy ?? {};
}

test('the committed apiserver-config/ is exactly what make apiserver-config regenerates', async () => {
  const cwd = freshDir();
  const result = await runCli(['apiserver-config', '--server', SERVER, '--pki-dir', 'pki', '--out', 'apiserver-config'], { cwd });
  expect(result.code).toBe(0);
  for (const name of OUTPUT_FILES) {
    const committed = readFileSync(path.join(PROJECT_ROOT, 'apiserver-config', name), 'utf8');
    expect(readFileSync(path.join(cwd, 'apiserver-config', name), 'utf8')).toBe(committed);
  }
});

test.each([
  {
    name: 'node paths (default): absolute paths under --node-dir',
    flags: ['--node-dir', '/srv/imagepolicy'],
    cluster: { 'certificate-authority': '/srv/imagepolicy/ca.crt' },
    user: { 'client-certificate': '/srv/imagepolicy/apiserver-client.crt', 'client-key': '/srv/imagepolicy/apiserver-client.key' },
    kubeconfigMode: 0o644,
  },
  {
    name: 'relative paths: names beside the kubeconfig',
    flags: ['--relative-paths'],
    cluster: { 'certificate-authority': 'ca.crt' },
    user: { 'client-certificate': 'apiserver-client.crt', 'client-key': 'apiserver-client.key' },
    kubeconfigMode: 0o644,
  },
  {
    name: 'embedded: PEM from --pki-dir as -data, file mode 0600',
    flags: ['--embed-certs'],
    cluster: { 'certificate-authority-data': 'ca' },
    user: { 'client-certificate-data': 'apiserver-client.crt', 'client-key-data': 'apiserver-client.key' },
    kubeconfigMode: 0o600,
  },
])('$name', async ({ flags, cluster, user, kubeconfigMode }) => {
  const out = freshDir();
  const result = await runCli(['apiserver-config', '--server', SERVER, '--pki-dir', pki.dir, '--out', out, ...flags]);
  expect(result.stderr).not.toMatch(/warning/i);
  expect(result.code).toBe(0);
  expect(readdirSync(out).sort()).toEqual(OUTPUT_FILES);
  const kubeconfig = readKubeconfig(out);
  const embedded = (file: string): string => readFileSync(path.join(pki.dir, file === 'ca' ? 'ca.crt' : file), 'utf8');
  const expectValue = (key: string, value: string): string =>
    key.endsWith('-data') ? Buffer.from(embedded(value)).toString('base64') : value;
  expect(kubeconfig.clusters[0]?.cluster).toEqual({
    server: SERVER,
    ...Object.fromEntries(Object.entries(cluster).map(([key, value]) => [key, expectValue(key, value)])),
  });
  expect(kubeconfig.users[0]?.user).toEqual(
    Object.fromEntries(Object.entries(user).map(([key, value]) => [key, expectValue(key, value)])),
  );
  expect(statSync(path.join(out, 'imagepolicy-kubeconfig.yaml')).mode & 0o777).toBe(kubeconfigMode);
});

test.each([
  { name: 'defaults', flags: [], want: { allowTTL: 300, denyTTL: 30, retryBackoff: 500, defaultAllow: false } },
  { name: '-1 sentinels as separate arguments', flags: ['--allow-ttl', '-1', '--deny-ttl', '-1', '--retry-backoff', '-1'], want: { allowTTL: -1, denyTTL: -1, retryBackoff: -1, defaultAllow: false } },
  { name: 'bounds with = syntax', flags: ['--allow-ttl=1800', '--deny-ttl=1', '--retry-backoff=300000'], want: { allowTTL: 1800, denyTTL: 1, retryBackoff: 300000, defaultAllow: false } },
  { name: '0 means the default', flags: ['--allow-ttl', '0'], want: { allowTTL: 300, denyTTL: 30, retryBackoff: 500, defaultAllow: false } },
])('settings: $name', async ({ flags, want }) => {
  const out = freshDir();
  const result = await runCli(['apiserver-config', '--server', SERVER, '--pki-dir', pki.dir, '--out', out, ...flags]);
  expect(result.code).toBe(0);
  expect(readImagePolicy(out)).toEqual({ kubeConfigFile: '/etc/kubernetes/imagepolicy/imagepolicy-kubeconfig.yaml', ...want });
});

test('--default-allow writes fail open and warns on stderr and in the README', async () => {
  const out = freshDir();
  const result = await runCli(['apiserver-config', '--server', SERVER, '--pki-dir', pki.dir, '--out', out, '--default-allow']);
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/WARNING: --default-allow: kube-apiserver will ADMIT pods unchecked/);
  expect(readImagePolicy(out).defaultAllow).toBe(true);
  expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toMatch(/this configuration FAILS OPEN/);
});

test.each([
  { name: 'http URL', flags: ['--server', 'http://127.0.0.1:8443'], error: /server URL "http:\/\/127\.0\.0\.1:8443" must start with https:\/\// },
  { name: 'query in URL', flags: ['--server', 'https://h:8443/imagepolicy?debug=1'], error: /must not have a query string/ },
  { name: 'allowTTL above 1800', flags: ['--server', SERVER, '--allow-ttl', '1801'], error: /allowTTL must be between 1 and 1800 seconds \(or 0 for the default 300, -1 to disable caching\), got 1801/ },
  { name: 'denyTTL with a unit', flags: ['--server', SERVER, '--deny-ttl', '30s'], error: /denyTTL must be a plain integer .* got "30s"/ },
  { name: 'retryBackoff fraction', flags: ['--server', SERVER, '--retry-backoff', '1.5'], error: /retryBackoff must be a plain integer/ },
  { name: 'retryBackoff -2', flags: ['--server', SERVER, '--retry-backoff', '-2'], error: /retryBackoff must be between 1 and 300000 milliseconds .* got -2/ },
  { name: 'relative --node-dir', flags: ['--server', SERVER, '--node-dir', 'etc/imagepolicy'], error: /--node-dir must be an absolute path/ },
  { name: '--node-dir with a space', flags: ['--server', SERVER, '--node-dir', '/etc/image policy'], error: /--node-dir must be an absolute path/ },
  { name: '--embed-certs without PKI files', flags: ['--server', SERVER, '--embed-certs', '--pki-dir', '/nonexistent/pki'], error: /--embed-certs: cannot read \/nonexistent\/pki\/ca\.crt: no such file/ },
])('refuses $name, writing nothing', async ({ flags, error }) => {
  const out = path.join(freshDir(), 'never-created');
  const result = await runCli(['apiserver-config', '--pki-dir', pki.dir, '--out', out, ...flags]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/apiserver-config: nothing was written:/);
  expect(result.stderr).toMatch(error);
  expect(existsSync(out)).toBe(false);
});

test('all problems are listed in one run', async () => {
  const result = await runCli(['apiserver-config', '--server', 'http://h', '--allow-ttl', '9999', '--deny-ttl', 'x', '--out', freshDir()]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/https:\/\/[\s\S]*allowTTL[\s\S]*denyTTL/);
});

test('embedding a key where the certificate belongs names the file', async () => {
  const swapped = freshDir();
  writeFileSync(path.join(swapped, 'ca.crt'), pki.ca.certificate);
  writeFileSync(path.join(swapped, 'apiserver-client.crt'), pki.apiserverClient.privateKey);
  writeFileSync(path.join(swapped, 'apiserver-client.key'), pki.apiserverClient.privateKey);
  const result = await runCli(['apiserver-config', '--server', SERVER, '--embed-certs', '--pki-dir', swapped, '--out', freshDir()]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`clientCertificate data (${path.join(swapped, 'apiserver-client.crt')}) must be a PEM certificate`);
});

test('--embed-certs and --relative-paths together are a usage error', async () => {
  const result = await runCli(['apiserver-config', '--server', SERVER, '--embed-certs', '--relative-paths', '--out', freshDir()]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/cannot be used with/);
});

test('--server is required', async () => {
  const result = await runCli(['apiserver-config', '--out', freshDir()]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/--server <url>/);
});

test('regenerating replaces its own files and reports unchanged ones', async () => {
  const out = freshDir();
  const args = ['apiserver-config', '--server', SERVER, '--pki-dir', pki.dir, '--out', out];
  expect((await runCli(args)).code).toBe(0);
  const again = await runCli(args);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`unchanged ${path.join(out, 'admission-configuration.yaml')}`);
  const changed = await runCli([...args, '--deny-ttl', '10']);
  expect(changed.code).toBe(0);
  expect(changed.stdout).toContain(`wrote ${path.join(out, 'admission-configuration.yaml')}`);
  expect(readImagePolicy(out).denyTTL).toBe(10);
});

test('a file it did not generate is kept unless --force, and nothing is written meanwhile', async () => {
  const out = freshDir();
  const foreign = 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n  - name: EventRateLimit\n';
  writeFileSync(path.join(out, 'admission-configuration.yaml'), foreign);
  const args = ['apiserver-config', '--server', SERVER, '--pki-dir', pki.dir, '--out', out];
  const refused = await runCli(args);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`${path.join(out, 'admission-configuration.yaml')} exists and was not generated by apiserver-config`);
  expect(readFileSync(path.join(out, 'admission-configuration.yaml'), 'utf8')).toBe(foreign);
  expect(readdirSync(out)).toEqual(['admission-configuration.yaml']);
  const forced = await runCli([...args, '--force']);
  expect(forced.code).toBe(0);
  expect(readImagePolicy(out).defaultAllow).toBe(false);
});

test.each([
  { name: 'serving certificate names 127.0.0.1: no warning', server: 'https://127.0.0.1:8443', warning: undefined },
  { name: 'serving certificate names ::1: no warning', server: 'https://[::1]:8443', warning: undefined },
  { name: 'host the serving certificate does not name', server: 'https://webhook.example.com:8443', warning: /server\.crt does not name webhook\.example\.com .*kube-apiserver will refuse the TLS connection/ },
  { name: 'IP the serving certificate does not name', server: 'https://10.0.0.7:8443', warning: /does not name 10\.0\.0\.7/ },
  { name: 'path the webhook does not serve', server: 'https://127.0.0.1:8443/review', warning: /the webhook serves reviews on \/imagepolicy; kube-apiserver will POST to \/review/ },
])('$name', async ({ server, warning }) => {
  const result = await runCli(['apiserver-config', '--server', server, '--pki-dir', pki.dir, '--out', freshDir()]);
  expect(result.code).toBe(0);
  if (warning === undefined) expect(result.stderr).toBe('');
  else expect(result.stderr).toMatch(warning);
});

test('a serving certificate from another CA is flagged', async () => {
  const mixed = freshDir();
  writeFileSync(path.join(mixed, 'ca.crt'), pki.foreignCa.certificate);
  writeFileSync(path.join(mixed, 'server.crt'), pki.server.certificate);
  const result = await runCli(['apiserver-config', '--server', SERVER, '--pki-dir', mixed, '--out', freshDir()]);
  expect(result.code).toBe(0);
  expect(result.stderr).toContain(`warning: ${path.join(mixed, 'server.crt')} is not signed by ${path.join(mixed, 'ca.crt')}`);
});
