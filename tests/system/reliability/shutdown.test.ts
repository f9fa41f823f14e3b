// SIGTERM under load against the real `serve` process: reviews already being received when the
// signal lands are answered (with `Connection: close`), new connections are refused at once
// rather than left hanging, no answer is a 5xx or a wrong decision, and the process exits 0
// before its shutdown grace would have cut anything (the drain finishes by itself).
import net from 'node:net';
import tls from 'node:tls';
import { eventually } from '../../support/eventually';
import { createTestPki, type TestPki } from '../../support/pki';
import { buildPost, parseResponses, type RawCredentials, type RawResponse } from './raw-tls';
import { startLoad, type RunningLoad } from './harness/load';
import { buildReview, SCENARIO_POLICY_A, SCENARIO_REQUESTS } from './harness/scenario';
import { createServedDirectory, type ServedDirectory } from '../../support/served-files';
import { startServeProcess, type ServeProcess } from '../../support/serve-process';

// serve's default: how long close() waits for in-flight reviews before cutting connections.
const SHUTDOWN_GRACE_MS = 10_000;
const IN_FLIGHT = 8;
const HELD_BYTES = 16;
/** Answers the load must have had before the signal: the server is really under load by then. */
const SERVED_BEFORE_SIGNAL = 50;
const EVIDENCE_TIMEOUT_MS = 30_000;

let served: ServedDirectory;
let pki: TestPki;
let credentials: Required<RawCredentials>;
// Kept for afterAll, so a failing assertion never leaves the process or the load running.
let running: ServeProcess | undefined;
let runningLoad: RunningLoad | undefined;

beforeAll(async () => {
  served = createServedDirectory();
  pki = await createTestPki(served.dir);
  served.write('policy.yaml', SCENARIO_POLICY_A);
  served.adoptAll();
  credentials = { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey };
});
afterAll(async () => {
  await runningLoad?.stop();
  await running?.stop();
  served.remove();
});

/**
 * A review in flight from the server's view, its last bytes held back until `release()`. It asks
 * `Expect: 100-continue`: the server's `100 Continue` is the evidence that it has read the headers
 * and handed the request to the app, so nothing has to be guessed from time.
 */
function holdReview(port: number, images: string[]): Promise<{ release(): void; answer: Promise<RawResponse> }> {
  const request = buildPost(buildReview(images), { headers: { Expect: '100-continue' } });
  const bodyStart = request.indexOf('\r\n\r\n') + 4;
  return new Promise((resolveHeld, rejectHeld) => {
    let received = Buffer.alloc(0);
    let continued = false;
    let resolveAnswer: (response: RawResponse) => void;
    let rejectAnswer: (error: Error) => void;
    const answer = new Promise<RawResponse>((resolve, reject) => {
      resolveAnswer = resolve;
      rejectAnswer = reject;
    });
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...credentials }, () => {
      socket.write(request.subarray(0, bodyStart));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const { responses } = parseResponses(received);
      if (!continued && responses.some((response) => response.status === 100)) {
        continued = true;
        socket.write(request.subarray(bodyStart, request.length - HELD_BYTES), () => resolveHeld({ release: () => socket.write(request.subarray(request.length - HELD_BYTES)), answer }));
      }
      const final = responses.find((response) => response.status >= 200);
      if (final) resolveAnswer(final);
    });
    socket.on('close', () => rejectAnswer(new Error(`closed without an answer; received ${JSON.stringify(received.toString('latin1').slice(0, 200))}`)));
    socket.on('error', (error) => {
      rejectHeld(error);
      rejectAnswer(error);
    });
  });
}

function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

test('SIGTERM during load: in-flight reviews answered, new connections refused, exit 0 in time', async () => {
  const server = await startServeProcess({ unprivileged: true, policyFile: served.file('policy.yaml'), tlsCert: pki.server.certPath, tlsKey: pki.server.keyPath, clientCa: pki.ca.certPath });
  running = server;
  const load = startLoad({ port: server.port, ...credentials, requests: SCENARIO_REQUESTS, workers: 4, freshConnectionEvery: 5 });
  runningLoad = load;
  await eventually(() => load.stats().served >= SERVED_BEFORE_SIGNAL, { timeoutMs: EVIDENCE_TIMEOUT_MS, describe: () => `${SERVED_BEFORE_SIGNAL} answers under load` });

  const held = await Promise.all(
    Array.from({ length: IN_FLIGHT }, (_, index) => holdReview(server.port, [index % 2 === 0 ? 'registry.example.com/app:1' : 'evil.example/app:1'])),
  );
  const signalledAt = Date.now();
  server.signal('SIGTERM');

  try {
    // The listener closes as soon as the signal is handled; until then a connect may still succeed,
    // and one queued in the listen backlog at the moment it closes is reset. The refusal follows.
    const outcome = await eventually(
      async () => {
        const attempt = await connectOutcome(server.port);
        return attempt === 'connected' || attempt === 'ECONNRESET' ? undefined : attempt;
      },
      { timeoutMs: EVIDENCE_TIMEOUT_MS, intervalMs: 50, describe: () => 'new connections to be refused' },
    );
    expect(outcome).toBe('ECONNREFUSED');
  } finally {
    // Released even when the check above fails, so the held reviews end as answers, not as resets.
    for (const review of held) review.release();
  }
  const answers = await Promise.all(held.map((review) => review.answer));
  answers.forEach((response, index) => {
    expect(response.status).toBe(200);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body).status.allowed).toBe(index % 2 === 0);
  });

  const exit = await server.exited;
  const stats = await load.stop();
  expect(exit).toEqual(expect.objectContaining({ code: 0, signal: null }));
  expect(exit.at - signalledAt).toBeLessThan(SHUTDOWN_GRACE_MS);
  expect(server.output()).toMatch(/"message":"stopped"/);

  // Before the signal every answer was right; after it, the only failures are refused connections.
  const beforeSignal = load.samples().filter((sample) => sample.at + load.startedAt < signalledAt);
  expect(beforeSignal.filter((sample) => sample.outcome !== 'ok')).toEqual([]);
  expect(stats.status5xx).toBe(0);
  const failures = Object.keys(stats.outcomes).filter((outcome) => outcome !== 'ok');
  expect(failures.filter((outcome) => !/^error-(ECONNREFUSED|ECONNRESET|socket hang up)$/.test(outcome))).toEqual([]);
});
