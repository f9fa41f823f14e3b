// The Dockerfile, the compose file, the systemd unit and the static pod must agree on the node's
// file layout and user, and each one's `serve` command line must really start the webhook: it is
// run here with the files moved to a temporary folder and the ports moved to free ones.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI_ENTRY, PROJECT_ROOT, requireFreshBuild } from '../../support/built-cli';
import { eventually, GiveUp } from '../../support/eventually';
import { requestHttps } from '../../support/https-client';
import { readServingPorts } from '../../support/serve-process';
import { createTestPki, type TestPki } from '../../support/pki';
import {
  CONFIG_DIR,
  WEBHOOK_UID,
  parseFlags,
  readComposeDeployment,
  readDockerfile,
  readStaticPodDeployment,
  readSystemdDeployment,
  type Deployment,
} from './deployment-files';

const START_TIMEOUT_MS = 15_000;
const HEALTH_LISTEN = '127.0.0.1:9090';

const DEPLOYMENTS = [
  // The image may run on a bridge network, where only 0.0.0.0 is reachable from outside.
  { name: 'Dockerfile', read: readDockerfile, listen: '0.0.0.0:8443' },
  { name: 'docker-compose.yml', read: readComposeDeployment, listen: '127.0.0.1:8443' },
  { name: 'systemd unit', read: readSystemdDeployment, listen: '127.0.0.1:8443' },
  { name: 'static pod', read: readStaticPodDeployment, listen: '127.0.0.1:8443' },
];

test.each(DEPLOYMENTS)('$name reads the policy and certificates from the shared node layout', ({ read }) => {
  const flags = parseFlags(read().serveArgs);
  expect(Object.fromEntries(['--policy', '--tls-cert', '--tls-key', '--client-ca'].map((flag) => [flag, flags.get(flag)]))).toEqual({
    '--policy': `${CONFIG_DIR}/policy/policy.yaml`,
    '--tls-cert': `${CONFIG_DIR}/pki/server.crt`,
    '--tls-key': `${CONFIG_DIR}/pki/server.key`,
    '--client-ca': `${CONFIG_DIR}/pki/ca.crt`,
  });
});

test.each(DEPLOYMENTS)('$name listens on $listen, health on loopback, only for kube-apiserver', ({ read, listen }) => {
  const flags = parseFlags(read().serveArgs);
  expect([flags.get('--listen'), flags.get('--health-listen'), flags.get('--allowed-client-names')]).toEqual([
    listen,
    HEALTH_LISTEN,
    'kube-apiserver',
  ]);
  expect(flags.has('--insecure-skip-client-auth')).toBe(false);
});

test.each(DEPLOYMENTS)('$name runs as the unprivileged uid:gid 65532:65532', ({ read }) => {
  expect(read().user).toBe(`${WEBHOOK_UID}:${WEBHOOK_UID}`);
});

describe('each command line starts a webhook that answers kube-apiserver', () => {
  let pki: TestPki;
  let configDir: string;

  beforeAll(async () => {
    pki = await createTestPki();
    configDir = mkdtempSync(path.join(tmpdir(), 'ipw-deploy-'));
    mkdirSync(path.join(configDir, 'policy'));
    mkdirSync(path.join(configDir, 'pki'));
    copyFileSync(path.join(PROJECT_ROOT, 'examples', 'policy.yaml'), path.join(configDir, 'policy', 'policy.yaml'));
    for (const credential of [pki.ca.certPath, pki.server.certPath, pki.server.keyPath]) {
      copyFileSync(credential, path.join(configDir, 'pki', path.basename(credential)));
    }
  });

  afterAll(() => {
    pki.remove();
    rmSync(configDir, { recursive: true, force: true });
  });

  test.each(DEPLOYMENTS)('$name', async ({ read }) => {
    requireFreshBuild();
    // Port 0 for both listeners: the server names the ports it bound in its `serving` line.
    const args = relocate(read(), configDir, { '--listen': '127.0.0.1:0', '--health-listen': '127.0.0.1:0' });
    const child = spawn(process.execPath, [CLI_ENTRY, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const { port } = await waitUntilReady(() => child.exitCode, () => output);
      const review = JSON.stringify({
        kind: 'ImageReview',
        apiVersion: 'imagepolicy.k8s.io/v1alpha1',
        spec: { containers: [{ image: 'registry.k8s.io/pause:3.10' }], namespace: 'kube-system' },
      });
      const apiserver = { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey };
      const answer = await requestHttps(port, apiserver, review);
      expect([answer.status, (JSON.parse(answer.body) as { status: { allowed: boolean } }).status.allowed]).toEqual([200, true]);
      const intruder = { ca: pki.ca.certificate, cert: pki.intruderClient.certificate, key: pki.intruderClient.privateKey };
      await expect(requestHttps(port, intruder, review)).rejects.toThrow();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

/** The deployment's arguments with CONFIG_DIR moved to `dir` and the given flags replaced. */
function relocate(deployment: Deployment, dir: string, replacements: Record<string, string>): string[] {
  const flags = parseFlags(deployment.serveArgs);
  for (const [flag, value] of Object.entries(replacements)) {
    if (!flags.has(flag)) throw new Error(`${deployment.name} does not set ${flag}`);
    flags.set(flag, value);
  }
  return [...flags].map(([flag, value]) => (value === '' ? flag : `${flag}=${value.replace(CONFIG_DIR, dir)}`));
}

async function waitUntilReady(exitCode: () => number | null, output: () => string): Promise<{ port: number; healthPort: number }> {
  return eventually(
    async () => {
      if (exitCode() !== null) throw new GiveUp(`serve exited with ${exitCode()}:\n${output()}`);
      const ports = readServingPorts(output());
      return ports !== undefined && (await getStatus(ports.healthPort, '/readyz')) === 200 ? ports : undefined;
    },
    { timeoutMs: START_TIMEOUT_MS, describe: () => `serve to be ready; its output:\n${output()}` },
  );
}

function getStatus(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 500 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}
