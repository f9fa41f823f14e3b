// Certificate rotation over real sockets: after the serving certificate, key or client CA files
// change, new connections present the new certificate (checked by its fingerprint) and verify
// clients against the new CA; a broken file is refused, the old context keeps serving, readiness
// stays up, and reviews sent all along never fail.
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { generateServingCertificate, type CertificateAndKey } from '../../../src/pki';
import type { RunningWebhook } from '../../../src/server';
import { eventually } from '../../support/eventually';
import { createMemoryLogger, type MemoryLogger } from '../../support/memory-logger';
import { getPlain, sampleValue, scrapeMetrics } from '../../support/metrics-text';
import { createTestPki, TEST_SERVER_SUBJECT_ALT_NAMES, type TestCredential, type TestPki } from '../../support/pki';
import { CONTRACT_POLICY, writeTempPolicy } from '../../support/policies';
import { startReviewLoad, type ReviewLoad } from '../../support/review-load';
import { startTestWebhook } from '../../support/webhook';
import { createPlainDirectory, createProjectedVolume, type FileSet } from '../../support/watched-files';

const REVIEW = JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: [{ image: 'registry.example.com/app:1' }], namespace: 'default' } });
const CERT = 'tls.crt';
const KEY = 'tls.key';
const CLIENT_CA = 'ca.crt';
const CONNECT_TIMEOUT_MS = 15_000;
/** Answers the load must have had before a file changes, so a failure during the change would show. */
const ANSWERS_BEFORE_CHANGE = 10;
const ABSENCE_WINDOW_MS = 200;

let pki: TestPki;
let nextServing: CertificateAndKey;
let policyFile: string;

beforeAll(async () => {
  pki = await createTestPki();
  nextServing = await generateServingCertificate(pki.ca, { subjectAltNames: TEST_SERVER_SUBJECT_ALT_NAMES, commonName: 'localhost' });
  policyFile = writeTempPolicy(CONTRACT_POLICY);
});
afterAll(() => pki.remove());

function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/**
 * Opens a new connection, sends one HTTP request and reports the certificate the server presented
 * and whether an HTTP answer came back (under TLS 1.3 a refused client learns it only after the handshake).
 */
function connect(port: number, client: TestCredential): Promise<{ fingerprint?: string; answered: boolean }> {
  return new Promise((resolve) => {
    let fingerprint: string | undefined;
    let received = '';
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: [pki.ca.certificate], cert: client.certificate, key: client.privateKey, rejectUnauthorized: false });
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...(fingerprint === undefined ? {} : { fingerprint }), answered: received.startsWith('HTTP/1.1 ') });
    };
    const timer = setTimeout(finish, CONNECT_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.write('GET /nothing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.once('close', finish);
    socket.once('error', finish);
  });
}

interface Files {
  path(name: string): string;
}

interface Row {
  name: string;
  layout: 'plain' | 'secret-volume';
  /** Changes the files; `plain` and `volume` expose the two layouts' operations. */
  change: (files: { plain?: ReturnType<typeof createPlainDirectory>; volume?: ReturnType<typeof createProjectedVolume>; initial: FileSet }) => void;
  outcome: 'reloaded' | 'refused';
  serving: 'old' | 'new';
  clientsAfter: { apiserver: boolean; foreign: boolean };
  /** Reviews keep flowing over keep-alive and new connections while the files change. */
  load: boolean;
  refusalMentions?: RegExp;
}

const rows: Row[] = [
  {
    name: 'certificate and key replaced by rename: new connections present the new certificate',
    layout: 'plain', load: true, outcome: 'reloaded', serving: 'new', clientsAfter: { apiserver: true, foreign: false },
    change: ({ plain }) => {
      plain!.writeByRename(KEY, nextServing.privateKey);
      plain!.writeByRename(CERT, nextServing.certificate);
    },
  },
  {
    name: 'certificate and key rewritten in place',
    layout: 'plain', load: true, outcome: 'reloaded', serving: 'new', clientsAfter: { apiserver: true, foreign: false },
    change: ({ plain }) => {
      plain!.writeInPlace(CERT, nextServing.certificate);
      plain!.writeInPlace(KEY, nextServing.privateKey);
    },
  },
  {
    name: 'Secret volume ..data swap rotates certificate and key together',
    layout: 'secret-volume', load: true, outcome: 'reloaded', serving: 'new', clientsAfter: { apiserver: true, foreign: false },
    change: ({ volume, initial }) => volume!.swap({ ...initial, [CERT]: nextServing.certificate, [KEY]: nextServing.privateKey }),
  },
  {
    name: 'garbage in the certificate file is refused and the old certificate stays',
    layout: 'plain', load: true, outcome: 'refused', serving: 'old', clientsAfter: { apiserver: true, foreign: false }, refusalMentions: /--tls-cert .*tls\.crt: no PEM certificate/,
    change: ({ plain }) => plain!.writeByRename(CERT, 'not a certificate\n'),
  },
  {
    name: 'a certificate whose base64 is corrupted is refused',
    layout: 'plain', load: true, outcome: 'refused', serving: 'old', clientsAfter: { apiserver: true, foreign: false }, refusalMentions: /--tls-cert .*tls\.crt: certificate 1 of 1 does not parse/,
    change: ({ plain }) => plain!.writeByRename(CERT, nextServing.certificate.replace(/^(-----BEGIN CERTIFICATE-----\n)[A-Za-z0-9+/]{8}/, '$1AAAAAAAA')),
  },
  {
    name: 'a new certificate with the old key is refused (key does not match)',
    layout: 'plain', load: true, outcome: 'refused', serving: 'old', clientsAfter: { apiserver: true, foreign: false }, refusalMentions: /--tls-key .*tls\.key does not belong to the certificate/,
    change: ({ plain }) => plain!.writeByRename(CERT, nextServing.certificate),
  },
  {
    name: 'empty key file is refused',
    layout: 'plain', load: true, outcome: 'refused', serving: 'old', clientsAfter: { apiserver: true, foreign: false }, refusalMentions: /--tls-key .*tls\.key: not a usable PEM private key/,
    change: ({ plain }) => plain!.writeInPlace(KEY, ''),
  },
  {
    name: 'deleted certificate file is refused',
    layout: 'plain', load: true, outcome: 'refused', serving: 'old', clientsAfter: { apiserver: true, foreign: false }, refusalMentions: /--tls-cert .*tls\.crt: cannot read: ENOENT/,
    change: ({ plain }) => plain!.remove(CERT),
  },
  {
    name: 'a directory in place of the key is refused',
    layout: 'plain', load: true, outcome: 'refused', serving: 'old', clientsAfter: { apiserver: true, foreign: false }, refusalMentions: /--tls-key .*tls\.key: cannot read: not a regular file/,
    change: ({ plain }) => plain!.replaceWithDirectory(KEY),
  },
  {
    name: 'Secret volume swapped to a missing folder is refused',
    layout: 'secret-volume', load: true, outcome: 'refused', serving: 'old', clientsAfter: { apiserver: true, foreign: false }, refusalMentions: /cannot read: ENOENT/,
    change: ({ volume }) => volume!.swapToMissing(),
  },
  {
    name: 'client CA replaced: the new CA\'s clients pass and the old CA\'s are refused on new connections',
    layout: 'plain', load: false, outcome: 'reloaded', serving: 'old', clientsAfter: { apiserver: false, foreign: true },
    change: ({ plain }) => plain!.writeByRename(CLIENT_CA, pki.foreignCa.certificate),
  },
  {
    name: 'client CA bundle with the old and the new CA accepts both, even concatenated without a newline',
    layout: 'plain', load: true, outcome: 'reloaded', serving: 'old', clientsAfter: { apiserver: true, foreign: true },
    change: ({ plain }) => plain!.writeByRename(CLIENT_CA, pki.ca.certificate + pki.foreignCa.certificate),
  },
  {
    name: 'truncated client CA is refused and the old CA still verifies clients',
    layout: 'plain', load: true, outcome: 'refused', serving: 'old', clientsAfter: { apiserver: true, foreign: false }, refusalMentions: /--client-ca .*ca\.crt: no PEM certificate/,
    change: ({ plain }) => plain!.writeInPlace(CLIENT_CA, pki.foreignCa.certificate.slice(0, 100)),
  },
];

async function waitForReload(log: MemoryLogger, after: number, outcome: Row['outcome']): Promise<string> {
  const entry = await log.waitFor(outcome === 'reloaded' ? 'tls reloaded' : 'tls reload refused', { after });
  expect(log.entries().slice(after).filter((each) => each.message.startsWith(outcome === 'reloaded' ? 'tls reload refused' : 'tls reloaded'))).toEqual([]);
  return JSON.stringify(entry);
}

test.each(rows)('$name', async (row) => {
  const initial: FileSet = { [CERT]: pki.server.certificate, [KEY]: pki.server.privateKey, [CLIENT_CA]: pki.ca.certificate };
  const plain = row.layout === 'plain' ? createPlainDirectory(initial) : undefined;
  const volume = row.layout === 'secret-volume' ? createProjectedVolume(initial) : undefined;
  const files: Files = (plain ?? volume)!;
  const log = createMemoryLogger();
  let webhook: RunningWebhook | undefined;
  let load: ReviewLoad | undefined;
  try {
    webhook = await startTestWebhook(pki, { policyFile, tlsCertFile: files.path(CERT), tlsKeyFile: files.path(KEY), clientCaFile: files.path(CLIENT_CA), logger: log.logger });
    const port = webhook.reviewAddress.port;
    expect(await connect(port, pki.apiserverClient)).toEqual({ fingerprint: fingerprintOf(pki.server.certificate), answered: true });
    load = row.load ? startReviewLoad({ port, credentials: { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey }, body: REVIEW }) : undefined;
    const running = load;
    if (running !== undefined) await eventually(() => running.records.length >= ANSWERS_BEFORE_CHANGE, { describe: () => 'answers under load before the change' });

    const before = log.entries().length;
    row.change({ ...(plain ? { plain } : {}), ...(volume ? { volume } : {}), initial });
    const logged = await waitForReload(log, before, row.outcome);
    if (row.refusalMentions) expect(logged).toMatch(row.refusalMentions);
    // An observation window for a second reload or refusal that must not come (a slow machine
    // can only make it miss one, never fail the test).
    await new Promise((resolve) => setTimeout(resolve, ABSENCE_WINDOW_MS));

    const expected = fingerprintOf(row.serving === 'new' ? nextServing.certificate : pki.server.certificate);
    const apiserver = await connect(port, pki.apiserverClient);
    const foreign = await connect(port, pki.foreignClient);
    expect(apiserver.fingerprint).toBe(expected);
    expect({ apiserver: apiserver.answered, foreign: foreign.answered }).toEqual(row.clientsAfter);
    expect(webhook.tls().serving.fingerprint256).toBe(expected);

    const ready = await getPlain(webhook.healthAddress.port, '/readyz');
    expect(ready.status).toBe(200);
    const samples = await scrapeMetrics(webhook.healthAddress.port);
    expect({
      success: sampleValue(samples, 'image_policy_webhook_reloads_total', { kind: 'tls', result: 'success' }),
      failure: sampleValue(samples, 'image_policy_webhook_reloads_total', { kind: 'tls', result: 'failure' }),
      inForce: sampleValue(samples, 'image_policy_webhook_last_reload_successful', { kind: 'tls' }),
    }).toEqual(row.outcome === 'reloaded' ? { success: 1, failure: 0, inForce: 1 } : { success: 0, failure: 1, inForce: 0 });

    if (load) {
      const records = await load.stop();
      load = undefined;
      expect(records.length).toBeGreaterThan(0);
      expect(records.filter((record) => record.status !== 200 || record.body?.status?.allowed !== true)).toEqual([]);
    }
  } finally {
    await load?.stop();
    await webhook?.close();
    plain?.cleanup();
    volume?.cleanup();
  }
});
