// kubectl (a real client-go, loading the kubeconfig with the same clientcmd code as kube-apiserver)
// posts ImageReviews through every kubeconfig layout apiserver-config generates to the real `serve`,
// and is refused when the client certificate or the CA do not belong to the webhook's PKI.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, PROJECT_ROOT } from '../../support/cli';
import { createTestPki, type TestPki } from '../../support/pki';
import { eventually } from '../../support/eventually';
import { startServeProcess, type ServeProcess } from '../../support/serve-process';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const KUBECTL_TIMEOUT_MS = 20_000;
const REQUESTS = path.join(PROJECT_ROOT, 'tests', 'fixtures', 'requests');
const POLICY = `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata: {name: test}
allow: ["registry.example.com/**"]
`;

interface KubectlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface ImageReviewAnswer {
  apiVersion: string;
  kind: string;
  status: { allowed: boolean; reason?: string };
}

let pki: TestPki;
let workDir: string;
let webhook: ServeProcess;

function runKubectl(args: readonly string[]): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    // A private HOME keeps kubectl's cache and any ~/.kube/config of the machine out of the test.
    const child = spawn(KUBECTL, args, { env: { PATH: process.env.PATH ?? '', HOME: workDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), KUBECTL_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A PKI folder as `pki` would lay it out, but with chosen files in the three places kube-apiserver uses. */
function writePkiDir(name: string, files: { ca: string; clientCert: string; clientKey: string }): string {
  const dir = path.join(workDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'ca.crt'), files.ca);
  writeFileSync(path.join(dir, 'apiserver-client.crt'), files.clientCert);
  writeFileSync(path.join(dir, 'apiserver-client.key'), files.clientKey, { mode: 0o600 });
  return dir;
}

/** Runs the built apiserver-config and returns the kubeconfig it wrote. */
async function generateKubeconfig(name: string, flags: readonly string[]): Promise<string> {
  const out = path.join(workDir, name);
  const server = `https://127.0.0.1:${webhook.port}/imagepolicy`;
  const result = await runCli(['apiserver-config', '--server', server, '--out', out, ...flags]);
  if (result.code !== 0) throw new Error(`apiserver-config ${flags.join(' ')} failed:\n${result.stderr}`);
  return path.join(out, 'imagepolicy-kubeconfig.yaml');
}

const kubeconfigs = new Map<string, string>();

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'ipw-kubectl-'));
  pki = await createTestPki(path.join(workDir, 'pki'));
  const policyFile = path.join(workDir, 'policy.yaml');
  writeFileSync(policyFile, POLICY);
  webhook = await startServeProcess({
    policyFile,
    tlsCert: pki.server.certPath,
    tlsKey: pki.server.keyPath,
    clientCa: pki.ca.certPath,
  });

  // Default layout, with the "node" folder being the PKI folder itself so the absolute paths exist.
  kubeconfigs.set('node paths', await generateKubeconfig('node-paths', ['--pki-dir', pki.dir, '--node-dir', pki.dir]));
  const relative = await generateKubeconfig('relative', ['--pki-dir', pki.dir, '--relative-paths']);
  for (const file of ['ca.crt', 'apiserver-client.crt', 'apiserver-client.key']) {
    copyFileSync(path.join(pki.dir, file), path.join(path.dirname(relative), file));
  }
  kubeconfigs.set('relative paths', relative);
  kubeconfigs.set('embedded', await generateKubeconfig('embedded', ['--pki-dir', pki.dir, '--embed-certs']));

  const foreignClient = writePkiDir('foreign-client-pki', {
    ca: pki.ca.certificate, clientCert: pki.foreignClient.certificate, clientKey: pki.foreignClient.privateKey,
  });
  kubeconfigs.set('foreign client', await generateKubeconfig('foreign-client', ['--pki-dir', foreignClient, '--embed-certs']));
  const wrongCa = writePkiDir('wrong-ca-pki', {
    ca: pki.foreignCa.certificate, clientCert: pki.apiserverClient.certificate, clientKey: pki.apiserverClient.privateKey,
  });
  kubeconfigs.set('wrong CA', await generateKubeconfig('wrong-ca', ['--pki-dir', wrongCa, '--embed-certs']));
});

afterAll(async () => {
  await webhook?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

function postReview(layout: string, fixture: string): Promise<KubectlResult> {
  const kubeconfig = kubeconfigs.get(layout);
  if (kubeconfig === undefined) throw new Error(`no kubeconfig for ${layout}`);
  return runKubectl(['--kubeconfig', kubeconfig, 'create', '--raw', '/imagepolicy', '-f', path.join(REQUESTS, fixture)]);
}

describe.each(['node paths', 'relative paths', 'embedded'])('kubectl through the %s kubeconfig', (layout) => {
  test.each([
    { name: 'plain pod from the allowed registry is allowed', fixture: 'request-plain-pod.json', allowed: true, reason: undefined },
    { name: 'init container from Docker Hub is denied with a reason', fixture: 'request-init-containers.json', allowed: false, reason: /busybox/ },
  ])('$name', async ({ fixture, allowed, reason }) => {
    const result = await postReview(layout, fixture);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as ImageReviewAnswer;
    expect(answer.apiVersion).toBe('imagepolicy.k8s.io/v1alpha1');
    expect(answer.kind).toBe('ImageReview');
    expect(answer.status.allowed).toBe(allowed);
    if (reason !== undefined) expect(answer.status.reason).toMatch(reason);
  });
});

test.each([
  // TLS 1.3 refuses a client certificate after the client's handshake finished: kubectl then sees
  // the connection end (EOF), an alert, a reset or a broken pipe, depending on which write of its
  // request meets the closed socket. The webhook logs the failed handshake either way.
  { name: 'client certificate from a foreign CA is refused by the webhook', layout: 'foreign client', error: /Unable to connect to the server: (EOF|.*tls|.*connection reset|.*broken pipe)/, webhookLog: /"message":"TLS handshake failed"/ },
  { name: 'CA that did not sign the serving certificate makes kubectl refuse the webhook', layout: 'wrong CA', error: /Unable to connect to the server: .*x509: certificate signed by unknown authority/, webhookLog: undefined },
])('$name', async ({ layout, error, webhookLog }) => {
  const mark = webhook.output().length;
  const result = await postReview(layout, 'request-plain-pod.json');
  expect(result.code).not.toBe(0);
  expect(result.stdout).not.toMatch(/allowed/);
  expect(result.stderr).toMatch(error);
  if (webhookLog !== undefined) await eventually(() => webhookLog.test(webhook.output().slice(mark)), { describe: () => `the webhook to log the refusal; its output:\n${webhook.output().slice(mark)}` });
});
