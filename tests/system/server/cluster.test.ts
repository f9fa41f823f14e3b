// `serve --workers`: the flag's grammar, and the real command with two workers sharing the port —
// answering over mutual TLS, replacing a worker that dies, failing once (not per worker) on a bad
// policy, reloading on SIGHUP, summing every worker's metrics, and draining every worker on
// SIGTERM with exit code 0.
import http from 'node:http';
import { ALL_WORKERS_READY_MESSAGE, InvalidWorkerCountError, MAX_WORKERS, parseWorkerCount } from '../../../src/server';
import { runBuiltCli } from '../../support/built-cli';
import { runCli } from '../../support/cli';
import { eventually } from '../../support/eventually';
import { requestHttps } from '../../support/https-client';
import { createTestPki, type TestPki } from '../../support/pki';
import { CONTRACT_POLICY, writeTempPolicy } from '../../support/policies';
import { startServeProcess, type ServeProcess } from '../../support/serve-process';

const ALLOWED_BODY = JSON.stringify({
  kind: 'ImageReview',
  apiVersion: 'imagepolicy.k8s.io/v1alpha1',
  spec: { containers: [{ image: 'registry.example.com/app:1' }], namespace: 'default' },
});
const WAIT_TIMEOUT_MS = 20_000;

describe('parseWorkerCount', () => {
  test.each<{ name: string; value: string; cores?: number; want?: number }>([
    { name: 'one worker', value: '1', want: 1 },
    { name: 'several workers', value: '4', want: 4 },
    { name: 'the upper bound', value: String(MAX_WORKERS), want: MAX_WORKERS },
    { name: 'auto is one per core', value: 'auto', cores: 6, want: 6 },
    { name: 'auto never gives zero', value: 'auto', cores: 0, want: 1 },
    { name: 'zero is refused', value: '0' },
    { name: 'negative is refused', value: '-1' },
    { name: 'fraction is refused', value: '1.5' },
    { name: 'exponent notation is refused', value: '1e2' },
    { name: 'hexadecimal is refused', value: '0x2' },
    { name: 'padded number is refused', value: ' 2' },
    { name: 'above the bound is refused', value: String(MAX_WORKERS + 1) },
    { name: 'a word is refused', value: 'many' },
    { name: 'AUTO in capitals is refused', value: 'AUTO' },
    { name: 'empty is refused', value: '' },
  ])('$name', ({ value, cores, want }) => {
    if (want === undefined) {
      expect(() => parseWorkerCount(value, cores)).toThrow(InvalidWorkerCountError);
      expect(() => parseWorkerCount(value, cores)).toThrow(/--workers must be a whole number/);
    } else {
      expect(parseWorkerCount(value, cores)).toBe(want);
    }
  });
});

let pki: TestPki;
let policyFile: string;

beforeAll(async () => {
  pki = await createTestPki();
  policyFile = writeTempPolicy(CONTRACT_POLICY);
});
afterAll(() => pki.remove());

async function waitFor(what: string, check: () => boolean, output: () => string): Promise<void> {
  await eventually(check, { timeoutMs: WAIT_TIMEOUT_MS, describe: () => `${what}; output:\n${output()}` });
}

/** The pid lists of every "all workers ready" line the primary logged, oldest first. */
function readyWorkerPids(output: string): number[][] {
  return output
    .split('\n')
    .filter((line) => line.includes(ALL_WORKERS_READY_MESSAGE))
    .map((line) => (JSON.parse(line) as { pids: number[] }).pids);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startTwoWorkers(): Promise<ServeProcess> {
  const webhook = await startServeProcess({
    policyFile,
    tlsCert: pki.server.certPath,
    tlsKey: pki.server.keyPath,
    clientCa: pki.ca.certPath,
    extraArgs: ['--workers', '2'],
  });
  await waitFor('both workers', () => readyWorkerPids(webhook.output()).length > 0, webhook.output);
  return webhook;
}

function getText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: ${response.statusCode} ${body}`))));
      })
      .on('error', reject);
  });
}

/** The value of one sample line, e.g. `image_policy_webhook_policy_info{name="contract",hash="..."}`. */
function sampleValue(metrics: string, prefix: string): number | undefined {
  const line = metrics.split('\n').find((each) => each.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function expectReviewAllowed(port: number): Promise<void> {
  const credentials = { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey };
  const answer = await requestHttps(port, credentials, ALLOWED_BODY);
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body).status.allowed).toBe(true);
}

describe('serve --workers 2', () => {
  test('two workers answer reviews, and SIGTERM drains both and exits 0', async () => {
    const webhook = await startTwoWorkers();
    const [pids] = readyWorkerPids(webhook.output());
    expect(pids).toHaveLength(2);
    for (let index = 0; index < 6; index += 1) await expectReviewAllowed(webhook.port);

    expect((await webhook.stop('SIGTERM')).code).toBe(0);
    expect(pids!.filter(isAlive)).toEqual([]);
    expect(webhook.output().match(/"message":"stopped"/g)).toHaveLength(2);
  });

  test('a worker that dies is replaced and reviews keep being answered', async () => {
    const webhook = await startTwoWorkers();
    try {
      const [first] = readyWorkerPids(webhook.output());
      process.kill(first![0]!, 'SIGKILL');
      await waitFor('a replacement worker', () => readyWorkerPids(webhook.output()).length > 1, webhook.output);
      const replaced = readyWorkerPids(webhook.output())[1]!;
      expect(replaced).toHaveLength(2);
      expect(replaced).not.toContain(first![0]);
      for (let index = 0; index < 4; index += 1) await expectReviewAllowed(webhook.port);
      expect(webhook.output()).toMatch(/worker exited unexpectedly; replacing it/);
    } finally {
      expect((await webhook.stop('SIGTERM')).code).toBe(0);
    }
  });

  test('every scrape of /metrics, whichever worker answers it, counts the reviews of all workers', async () => {
    const webhook = await startTwoWorkers();
    try {
      const reviews = 6;
      for (let index = 0; index < reviews; index += 1) await expectReviewAllowed(webhook.port);
      for (let scrape = 0; scrape < 4; scrape += 1) {
        const metrics = await getText(webhook.healthPort, '/metrics');
        expect(sampleValue(metrics, 'image_policy_webhook_reviews_total{decision="allow",mode="enforce"}')).toBe(reviews);
        expect(sampleValue(metrics, 'image_policy_webhook_policy_info{')).toBe(1);
        expect(sampleValue(metrics, 'image_policy_webhook_last_reload_successful{kind="policy"}')).toBe(1);
      }
    } finally {
      expect((await webhook.stop('SIGTERM')).code).toBe(0);
    }
  });

  test('SIGHUP reaches every worker as a reload and stops nothing', async () => {
    const webhook = await startTwoWorkers();
    try {
      webhook.child.kill('SIGHUP');
      await waitFor('both workers to reload', () => (webhook.output().match(/"message":"policy unchanged"/g) ?? []).length === 2, webhook.output);
      expect(webhook.child.exitCode).toBeNull();
      await expectReviewAllowed(webhook.port);
    } finally {
      expect((await webhook.stop('SIGTERM')).code).toBe(0);
    }
  });

  test('SIGINT (a terminal Ctrl-C reaching the primary) also drains and exits 0', async () => {
    const webhook = await startTwoWorkers();
    expect((await webhook.stop('SIGINT')).code).toBe(0);
  });

  test('an invalid policy fails once, not once per worker, and exits non-zero', async () => {
    const badPolicy = writeTempPolicy(`${CONTRACT_POLICY}  - NGINX\n`);
    const result = await runBuiltCli([
      'serve', '--policy', badPolicy, '--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath,
      '--client-ca', pki.ca.certPath, '--listen', '127.0.0.1:0', '--health-listen', '127.0.0.1:0', '--workers', '2',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.match(/invalid policy/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/worker failed to start; stopping/);
  });

  test('a bad --workers value is a usage error naming the flag', async () => {
    const result = await runCli([
      'serve', '--policy', policyFile, '--tls-cert', pki.server.certPath, '--tls-key', pki.server.keyPath,
      '--client-ca', pki.ca.certPath, '--workers', '0',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--workers must be a whole number from 1 to 256 or "auto", got "0"/);
  });
});
