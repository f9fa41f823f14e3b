// `apiserver-config --patch-manifest` as an operator runs it: a patched copy in --out (mode 0600,
// as kubeadm writes manifests) that is what kubeadm would write, a diff on stdout that `patch`
// applies, the manifest itself never touched, a second run that changes nothing, and refusals
// that write nothing. The first test drives the built CLI, the rest run in-process.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../../support/paths';
import { runBuiltCli } from '../../support/built-cli';
import { runCli } from '../../support/cli';
import { createTestPki, type TestPki } from '../../support/pki';

const SERVER = 'https://127.0.0.1:8443/imagepolicy';
const FIXTURES = path.join(FIXTURES_DIR, 'kubeadm');
let pki: TestPki;
let workDir: string;

beforeAll(async () => {
  pki = await createTestPki();
  workDir = mkdtempSync(path.join(tmpdir(), 'ipw-patch-manifest-'));
});
afterAll(() => {
  pki.remove();
  rmSync(workDir, { recursive: true, force: true });
});

function freshDir(): string {
  return mkdtempSync(path.join(workDir, 'case-'));
}

/** A node's manifest as kubeadm wrote it, copied where the test may look at it afterwards. */
function nodeManifest(version = 'v1.33'): string {
  const file = path.join(freshDir(), 'kube-apiserver.yaml');
  copyFileSync(path.join(FIXTURES, version, 'kube-apiserver.yaml'), file);
  return file;
}

function args(manifest: string, out: string, ...extra: string[]): string[] {
  return ['apiserver-config', '--server', SERVER, '--pki-dir', pki.dir, '--out', out, '--patch-manifest', manifest, ...extra];
}

test('built CLI: the copy is what kubeadm writes, the diff applies with patch, the manifest is untouched', async () => {
  const manifest = nodeManifest();
  const before = readFileSync(manifest, 'utf8');
  const out = path.join(freshDir(), 'out');
  const result = await runBuiltCli(args(manifest, out));
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const copy = path.join(out, 'kube-apiserver.yaml');
  expect(readFileSync(copy, 'utf8')).toBe(readFileSync(path.join(FIXTURES, 'v1.33', 'kube-apiserver.imagepolicy.yaml'), 'utf8'));
  expect(statSync(copy).mode & 0o777).toBe(0o600);
  expect(readFileSync(manifest, 'utf8')).toBe(before);
  expect(result.stdout).toContain(`wrote ${copy}\n`);
  expect(result.stdout).toContain(`${copy}: appended ImagePolicyWebhook to --enable-admission-plugins (now NodeRestriction,ImagePolicyWebhook)\n`);
  const diff = result.stdout.slice(result.stdout.indexOf(`--- ${manifest}\n`), result.stdout.indexOf('Next: '));
  expect(diff).toMatch(new RegExp(`^--- ${manifest}\\n\\+\\+\\+ ${copy}\\n@@ `));
  const target = path.join(freshDir(), 'kube-apiserver.yaml');
  copyFileSync(manifest, target);
  writeFileSync(path.join(workDir, 'manifest.diff'), diff);
  expect(spawnSync('patch', ['--quiet', target, path.join(workDir, 'manifest.diff')]).status).toBe(0);
  expect(readFileSync(target, 'utf8')).toBe(readFileSync(copy, 'utf8'));
});

test('a second run on the patched copy changes nothing', async () => {
  const out = freshDir();
  expect((await runCli(args(nodeManifest(), out))).code).toBe(0);
  const copy = path.join(out, 'kube-apiserver.yaml');
  const again = path.join(freshDir(), 'again');
  const result = await runCli(args(copy, again));
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`${copy} already has the ImagePolicyWebhook flags, mount and volume: ${path.join(again, 'kube-apiserver.yaml')} is the same manifest\n`);
  expect(result.stdout).not.toMatch(/^--- /m);
  expect(readFileSync(path.join(again, 'kube-apiserver.yaml'), 'utf8')).toBe(readFileSync(copy, 'utf8'));
});

test('the next node\'s copy replaces the last one in the same --out; a foreign file there is kept', async () => {
  const out = freshDir();
  expect((await runCli(args(nodeManifest('v1.33'), out))).code).toBe(0);
  const next = await runCli(args(nodeManifest('v1.34'), out));
  expect(next.code).toBe(0);
  expect(readFileSync(path.join(out, 'kube-apiserver.yaml'), 'utf8')).toBe(readFileSync(path.join(FIXTURES, 'v1.34', 'kube-apiserver.imagepolicy.yaml'), 'utf8'));
  const foreign = freshDir();
  writeFileSync(path.join(foreign, 'kube-apiserver.yaml'), 'kind: Pod\n# my notes\n');
  const refused = await runCli(args(nodeManifest(), foreign));
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`${path.join(foreign, 'kube-apiserver.yaml')} exists and is not a kube-apiserver manifest patched by apiserver-config: refusing to overwrite it (pass --force to replace it)`);
  expect(readdirSync(foreign)).toEqual(['kube-apiserver.yaml']);
});

test.each([
  {
    name: 'the manifest as its own output',
    prepare: () => {
      const manifest = nodeManifest();
      return { manifest, out: path.dirname(manifest) };
    },
    stderr: (manifest: string) => `--patch-manifest ${manifest} is the file --out would write: the manifest is never edited in place`,
  },
  {
    name: 'the manifest reached through a symlinked --out',
    prepare: () => {
      const manifest = nodeManifest();
      const link = path.join(freshDir(), 'manifests');
      symlinkSync(path.dirname(manifest), link);
      return { manifest, out: link };
    },
    stderr: (manifest: string) => `--patch-manifest ${manifest} is the file --out would write`,
  },
  {
    name: 'a manifest that names another admission config file',
    prepare: () => {
      const manifest = nodeManifest();
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('    - kube-apiserver\n', '    - kube-apiserver\n    - --admission-control-config-file=/etc/kubernetes/psa.yaml\n'));
      return { manifest, out: path.join(freshDir(), 'out') };
    },
    stderr: (manifest: string) => `${manifest}: already has --admission-control-config-file=/etc/kubernetes/psa.yaml; kube-apiserver reads one file`,
  },
])('refuses $name and writes nothing', async ({ prepare, stderr }) => {
  const { manifest, out } = prepare();
  const before = readFileSync(manifest, 'utf8');
  const listed = existsSync(out) ? readdirSync(out) : undefined;
  const result = await runCli(args(manifest, out));
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^apiserver-config: nothing was written:\n/);
  expect(result.stderr).toContain(stderr(manifest));
  expect(readFileSync(manifest, 'utf8')).toBe(before);
  expect(existsSync(out) ? readdirSync(out) : undefined).toEqual(listed);
});

test('a manifest that cannot be read is an input error', async () => {
  const missing = path.join(workDir, 'no-such-manifest.yaml');
  const result = await runCli(args(missing, freshDir()));
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(new RegExp(`^apiserver-config: cannot read --patch-manifest ${missing}: ENOENT`));
});

test.each([
  { flag: [] as string[], apiVersion: 'v1beta4' },
  { flag: ['--kubeadm-api', 'v1beta3'], apiVersion: 'v1beta3' },
])('--kubeadm-api $apiVersion writes that version of the fragment', async ({ flag, apiVersion }) => {
  const out = freshDir();
  const result = await runCli(['apiserver-config', '--server', SERVER, '--pki-dir', pki.dir, '--out', out, ...flag]);
  expect(result.code).toBe(0);
  expect(readFileSync(path.join(out, 'kubeadm-cluster-configuration.yaml'), 'utf8')).toContain(`apiVersion: kubeadm.k8s.io/${apiVersion}\n`);
  expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toContain(`holds them for kubeadm.k8s.io/${apiVersion} (read by`);
});

test('an unknown --kubeadm-api is a usage error', async () => {
  const result = await runCli(['apiserver-config', '--server', SERVER, '--out', freshDir(), '--kubeadm-api', 'v1beta2']);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/argument 'v1beta2' is invalid\. Allowed choices are v1beta4, v1beta3\./);
});
