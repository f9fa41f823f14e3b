// Slow clients against the real review server (createTlsServer over mutual TLS) with its
// timeouts scaled down 10-fold, so the test takes seconds rather than minutes: slow headers, slow
// bodies and silent connections are cut by their own bound (before the next-longer one would
// have) while reviews from others flow, and a keep-alive connection idle between reviews is not
// cut by the per-request bounds.
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { loadPolicy } from '../../../src/policy';
import { SILENT_LOGGER } from '../../../src/logger';
import {
  CONNECTIONS_CHECK_INTERVAL_MS,
  createApp,
  createTlsServer,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
} from '../../../src/server';
import { createTestPki, type TestPki } from '../../support/pki';
import { buildPost, exchangeRaw, parseResponses, type RawCredentials } from './raw-tls';
import { buildReview, SCENARIO_POLICY_A } from './harness/scenario';

const SCALE = 10;
const HEADERS_MS = HEADERS_TIMEOUT_MS / SCALE;
const REQUEST_MS = REQUEST_TIMEOUT_MS / SCALE;
// A slow client must be cut before the next-longer bound would have cut it: the headers bound
// before the request bound (3 s apart), the request bound long before the test gives up. Timed
// from the finished handshake, so a busy machine's slow handshakes do not count.
const GIVE_UP_MS = 3 * REQUEST_MS;
const SLOW_CLIENTS = 20;
const DRIBBLE_EVERY_MS = 100;
const GOOD = buildReview(['registry.example.com/app:1']);

let pki: TestPki;
let server: https.Server;
let port: number;
let credentials: RawCredentials;

beforeAll(async () => {
  pki = await createTestPki();
  credentials = { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey };
  const policy = loadPolicy(SCENARIO_POLICY_A, 'policy.yaml');
  const app = createApp({ currentPolicy: () => policy, logger: SILENT_LOGGER, isDraining: () => false });
  server = createTlsServer(app, {
    material: { cert: pki.server.certificate, key: Buffer.from(pki.server.privateKey), clientCa: [pki.ca.certificate] },
    allowedClientNames: [],
    logger: SILENT_LOGGER,
  });
  server.headersTimeout = HEADERS_MS;
  server.requestTimeout = REQUEST_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS / SCALE;
  // Read by Node when the server starts listening.
  (server as https.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = CONNECTIONS_CHECK_INTERVAL_MS / SCALE;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  pki.remove();
});

/** Opens a TLS connection, runs `behave` on it, and resolves with the ms from the handshake until the server closed it. */
function timeUntilCut(behave: (socket: tls.TLSSocket) => void, giveUpMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let started = Date.now();
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...credentials }, () => {
      started = Date.now();
      behave(socket);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept a slow client for more than ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

function dribble(socket: tls.TLSSocket, first: string, next: string): void {
  socket.write(first);
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else socket.write(next);
  }, DRIBBLE_EVERY_MS);
  socket.once('close', () => clearInterval(timer));
}

test('headers are bounded more tightly than whole requests (Node applies the larger bound to both)', () => {
  expect(HEADERS_TIMEOUT_MS).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS);
  expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(90_000);
});

describe('slow clients are cut off while other reviews flow', () => {
  test.each([
    {
      name: 'slowloris: a header line every 100 ms, never finishing',
      behave: (socket: tls.TLSSocket) => dribble(socket, 'POST /imagepolicy HTTP/1.1\r\nHost: localhost\r\n', 'X-Slow: 1\r\n'),
      cutBeforeMs: REQUEST_MS,
    },
    {
      name: 'slow body: one byte every 100 ms of a 1 MB body',
      behave: (socket: tls.TLSSocket) => dribble(socket, 'POST /imagepolicy HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n', ' '),
      cutBeforeMs: GIVE_UP_MS,
    },
    {
      name: 'silent: a finished handshake and then nothing',
      behave: () => undefined,
      cutBeforeMs: REQUEST_MS,
    },
  ])('$name', async ({ behave, cutBeforeMs }) => {
    const cuts = Array.from({ length: SLOW_CLIENTS }, () => timeUntilCut(behave, GIVE_UP_MS));
    // Meanwhile, ordinary reviews are answered (sequentially, each on a new connection).
    const answered: number[] = [];
    for (let round = 0; round < 10; round += 1) {
      const exchange = await exchangeRaw(port, credentials, [buildPost(GOOD)], { finalResponses: 1 });
      answered.push(exchange.responses[0]?.status ?? 0);
    }
    expect(answered).toEqual(Array.from({ length: 10 }, () => 200));
    const times = await Promise.all(cuts);
    expect(Math.max(...times)).toBeLessThan(cutBeforeMs);
  });
});

test('a keep-alive connection idle for longer than the request bounds still serves the next review', async () => {
  const idleMs = 2 * REQUEST_MS;
  const statuses = await new Promise<number[]>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...credentials }, () => {
      socket.write(buildPost(GOOD));
      setTimeout(() => socket.write(buildPost(GOOD)), idleMs);
    });
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const { responses } = parseResponses(received);
      if (responses.length === 2) {
        socket.destroy();
        resolve(responses.map((response) => response.status));
      }
    });
    socket.on('close', () => reject(new Error(`the server closed an idle keep-alive connection; got ${received.toString('latin1').slice(0, 200)}`)));
    socket.on('error', reject);
  });
  expect(statuses).toEqual([200, 200]);
});
