// Policy-file faults under load against the real `serve` process (run as `nobody` when tests
// run as root, so "unreadable" is real): each fault is refused on reload, the last good policy
// keeps judging every review, the process stays ready, and a later good edit still goes live.
import { createTestPki, type TestPki } from '../../support/pki';
import { buildPost, exchangeRaw, type RawCredentials } from './raw-tls';
import { applicableFaults, POLICY_FAULTS, POLICY_FILE as POLICY, restorePolicy } from './harness/faults';
import { startLoad, type RunningLoad } from './harness/load';
import { buildReview, FLIP_IMAGE, SCENARIO_POLICY_A, SCENARIO_POLICY_B, SCENARIO_REQUESTS } from './harness/scenario';
import { createServedDirectory, type ServedDirectory } from '../../support/served-files';
import { getHttpStatus, startServeProcess, waitForOutput, type ServeProcess } from '../../support/serve-process';

const LOAD_WORKERS = 4;

let served: ServedDirectory;
let pki: TestPki;
let server: ServeProcess;
let load: RunningLoad;
let credentials: Required<RawCredentials>;

/** The answer to one review, and the policy hash that judged it. */
async function judge(images: string[]): Promise<{ allowed: boolean; policyHash: string }> {
  const exchange = await exchangeRaw(server.port, credentials, [buildPost(buildReview(images))], { finalResponses: 1 });
  const response = exchange.responses[0];
  expect(response?.status).toBe(200);
  const answer = JSON.parse(response!.body);
  return { allowed: answer.status.allowed, policyHash: answer.status.auditAnnotations['policy-hash'] };
}

/** SIGHUP re-reads now (the directory watch would too, a moment later) and the log says how it went. */
async function reloadAndExpect(outcome: RegExp): Promise<void> {
  const mark = server.output().length;
  server.signal('SIGHUP');
  await waitForOutput(server, outcome, 10_000, mark);
}

beforeAll(async () => {
  served = createServedDirectory();
  pki = await createTestPki(served.dir);
  served.write(POLICY, SCENARIO_POLICY_A);
  served.adoptAll();
  credentials = { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey };
  server = await startServeProcess({ unprivileged: true, policyFile: served.file(POLICY), tlsCert: pki.server.certPath, tlsKey: pki.server.keyPath, clientCa: pki.ca.certPath });
  load = startLoad({ port: server.port, ...credentials, requests: SCENARIO_REQUESTS, workers: LOAD_WORKERS, freshConnectionEvery: 10 });
});

afterAll(async () => {
  await load?.stop();
  await server?.stop();
  served?.remove();
});

describe('policy file faults while reviews keep flowing', () => {
  let goodHash: string;
  beforeAll(async () => {
    goodHash = (await judge(['registry.example.com/app:1'])).policyHash;
  });

  test.each(applicableFaults(POLICY_FAULTS))('$name: refused, the last good policy keeps judging', async (fault) => {
    await fault.inject(served, pki);
    await reloadAndExpect(/"message":"policy reload refused; the last good version stays in force"/);
    expect(server.isRunning()).toBe(true);
    expect(await getHttpStatus(server.healthPort, '/readyz')).toBe(200);
    await expect(judge(['registry.example.com/app:1'])).resolves.toEqual({ allowed: true, policyHash: goodHash });
    await expect(judge(['evil.example/app:1'])).resolves.toEqual({ allowed: false, policyHash: goodHash });
    await expect(judge([FLIP_IMAGE])).resolves.toEqual({ allowed: false, policyHash: goodHash });

    restorePolicy(served);
    await reloadAndExpect(/policy files are back to the version in force|"message":"policy unchanged"/);
  });

  test('after every fault, a good edit still goes live', async () => {
    served.write(POLICY, SCENARIO_POLICY_B);
    await reloadAndExpect(/"message":"policy reloaded"/);
    const flipped = await judge([FLIP_IMAGE]);
    expect(flipped.allowed).toBe(true);
    expect(flipped.policyHash).not.toBe(goodHash);
  });

  test('the load saw no failure and no 5xx throughout', async () => {
    const stats = await load.stop();
    expect(stats.served).toBeGreaterThan(100);
    expect(stats.outcomes).toEqual({ ok: stats.served });
    expect(stats.status5xx).toBe(0);
    expect(stats.policyHashes.size).toBe(2);
  });
});
