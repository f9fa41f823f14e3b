// TLS-file faults under load against the real `serve` process: a garbage, truncated, deleted or
// mismatched certificate, key or client CA is refused on reload, new handshakes keep presenting
// the certificate in force, reviews keep flowing, and a genuine rotation still goes live.
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { generateServingCertificate } from '../../../src/pki';
import { createTestPki, TEST_SERVER_SUBJECT_ALT_NAMES, type TestPki } from '../../support/pki';
import { applicableFaults, CA_FILE as CA, CERT_FILE as CERT, KEY_FILE as KEY, restoreTls, TLS_FAULTS } from './harness/faults';
import { startLoad, type RunningLoad } from './harness/load';
import { SCENARIO_POLICY_A, SCENARIO_REQUESTS } from './harness/scenario';
import { createServedDirectory, type ServedDirectory } from '../../support/served-files';
import { startServeProcess, waitForOutput, type ServeProcess } from '../../support/serve-process';


let served: ServedDirectory;
let pki: TestPki;
let server: ServeProcess;
let load: RunningLoad;

function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** The serving certificate a brand-new connection is shown, after a full mutual-TLS handshake. */
function presentedFingerprint(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port: server.port, servername: 'localhost', ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey },
      () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

async function reloadAndExpect(outcome: RegExp): Promise<void> {
  const mark = server.output().length;
  server.signal('SIGHUP');
  await waitForOutput(server, outcome, 10_000, mark);
}

beforeAll(async () => {
  served = createServedDirectory();
  pki = await createTestPki(served.dir);
  served.write('policy.yaml', SCENARIO_POLICY_A);
  served.adoptAll();
  server = await startServeProcess({ unprivileged: true, policyFile: served.file('policy.yaml'), tlsCert: served.file(CERT), tlsKey: served.file(KEY), clientCa: served.file(CA) });
  load = startLoad({ port: server.port, ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey, requests: SCENARIO_REQUESTS, workers: 4, freshConnectionEvery: 5 });
});

afterAll(async () => {
  await load?.stop();
  await server?.stop();
  served?.remove();
});

describe('certificate file faults while reviews keep flowing', () => {
  test.each(applicableFaults(TLS_FAULTS))('$name: refused, new handshakes still get the certificate in force', async (fault) => {
    const inForce = fingerprintOf(pki.server.certificate);
    await fault.inject(served, pki);
    await reloadAndExpect(/"message":"tls reload refused; the last good version stays in force"/);
    expect(await presentedFingerprint()).toBe(inForce);
    expect(server.isRunning()).toBe(true);

    restoreTls(served, pki);
    await reloadAndExpect(/tls files are back to the version in force|"message":"tls unchanged"/);
  });

  test('a genuine rotation (new key and certificate from the same CA) goes live for new connections', async () => {
    const next = await generateServingCertificate(pki.ca, { subjectAltNames: TEST_SERVER_SUBJECT_ALT_NAMES, commonName: 'localhost' });
    served.write(KEY, next.privateKey, 0o600);
    served.write(CERT, next.certificate);
    await reloadAndExpect(/"message":"tls reloaded"/);
    expect(await presentedFingerprint()).toBe(fingerprintOf(next.certificate));
  });

  test('the load saw no failure and no 5xx throughout', async () => {
    const stats = await load.stop();
    expect(stats.served).toBeGreaterThan(100);
    expect(stats.outcomes).toEqual({ ok: stats.served });
    expect(stats.certificateFingerprints.size).toBe(2);
  });
});
