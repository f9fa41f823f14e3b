// SIGTERM under load against the real `serve` process: reviews already being received when the
// signal lands are answered (with `Connection: close`), new connections are refused at once
// rather than left hanging, no answer is a 5xx or a wrong decision, and the process exits 0
// well within its shutdown grace.
import net from 'node:net';
import tls from 'node:tls';
import { createTestPki, type TestPki } from '../support/pki';
import { buildPost, parseResponses, type RawCredentials, type RawResponse } from './raw-tls';
import { startLoad, type RunningLoad } from './harness/load';
import { buildReview, SCENARIO_POLICY_A, SCENARIO_REQUESTS } from './harness/scenario';
import { createServedDirectory, type ServedDirectory } from '../support/served-files';
import { startServeProcess, type ServeProcess } from '../support/serve-process';

// serve's default: how long close() waits for in-flight reviews before cutting connections.
const SHUTDOWN_GRACE_MS = 10_000;
const IN_FLIGHT = 8;
const HELD_BYTES = 16;

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

/** A review whose last bytes are held back until `release()`: in flight from the server's view. */
function holdReview(port: number, images: string[]): Promise<{ release(): void; answer: Promise<RawResponse> }> {
  const request = buildPost(buildReview(images));
  return new Promise((resolveHeld, rejectHeld) => {
    let received = Buffer.alloc(0);
    let resolveAnswer: (response: RawResponse) => void;
    let rejectAnswer: (error: Error) => void;
    const answer = new Promise<RawResponse>((resolve, reject) => {
      resolveAnswer = resolve;
      rejectAnswer = reject;
    });
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...credentials }, () => {
      socket.write(request.subarray(0, request.length - HELD_BYTES), () => resolveHeld({ release: () => socket.write(request.subarray(request.length - HELD_BYTES)), answer }));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const [response] = parseResponses(received).responses;
      if (response) resolveAnswer(response);
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
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  const held = await Promise.all(
    Array.from({ length: IN_FLIGHT }, (_, index) => holdReview(server.port, [index % 2 === 0 ? 'registry.example.com/app:1' : 'evil.example/app:1'])),
  );
  // Let the server read what was sent, so each of these is a request it has begun.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const signalledAt = Date.now();
  server.signal('SIGTERM');

  // The listener closes as soon as the signal is handled; until then a connect may still succeed,
  // and one queued in the listen backlog at the moment it closes is reset. The refusal follows.
  let outcome = await connectOutcome(server.port);
  for (
    const deadline = Date.now() + 5_000;
    (outcome === 'connected' || outcome === 'ECONNRESET') && Date.now() < deadline;
    outcome = await connectOutcome(server.port)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  try {
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
  expect(stats.served).toBeGreaterThan(50);
});
