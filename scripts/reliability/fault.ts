// make fault: scripted fault injection against the real `serve` process under sustained mTLS
// load, loopback only, bounded (about two minutes), stopping by itself. Phases: policy-file
// faults, TLS-file faults and a rotation, slow clients at the production timeouts, SIGTERM with
// reviews in flight, and a small-heap server flooded with large reviews. Prints a summary with
// counts and exits 1 on any failure.
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { generateServingCertificate } from '../../src/pki';
import { CONNECTIONS_CHECK_INTERVAL_MS, HANDSHAKE_TIMEOUT_MS, HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../../src/server';
import { createTestPki, TEST_SERVER_SUBJECT_ALT_NAMES } from '../../tests/support/pki';
import { buildPost, exchangeRaw } from '../../tests/system/reliability/raw-tls';
import { applicableFaults, CA_FILE, CERT_FILE, KEY_FILE, POLICY_FAULTS, POLICY_FILE, restorePolicy, restoreTls, TLS_FAULTS, type FileFault } from '../../tests/system/reliability/harness/faults';
import { startLoad } from '../../tests/system/reliability/harness/load';
import { createLogWatch } from '../../tests/system/reliability/harness/log-watch';
import { runMemoryPressure } from '../../tests/system/reliability/harness/memory-pressure';
import { buildReview, FLIP_IMAGE, SCENARIO_POLICY_A, SCENARIO_POLICY_B, SCENARIO_REQUESTS } from '../../tests/system/reliability/harness/scenario';
import { createServedDirectory, runsAsRoot } from '../../tests/support/served-files';
import { serverDropsPrivileges, startServeProcess } from '../../tests/support/serve-process';
import { holdSlowClient, type SlowClientKind } from '../../tests/system/reliability/harness/slow-clients';
import { Checklist } from './checklist';

const LOAD_WORKERS = 8;
const WATCH_WAIT_MS = 3_000;
const SLOW_CLIENTS_PER_KIND = 50;
// A cut-off may come one check interval late, plus scheduling on a busy machine.
const CUT_SLACK_MS = CONNECTIONS_CHECK_INTERVAL_MS + 3_000;
const SLOW_CLIENT_BOUNDS: Record<SlowClientKind, number> = {
  'slow-headers': HEADERS_TIMEOUT_MS,
  'slow-body': REQUEST_TIMEOUT_MS,
  'silent-after-handshake': HEADERS_TIMEOUT_MS,
  'silent-before-handshake': HANDSHAKE_TIMEOUT_MS,
};
const SHUTDOWN_GRACE_MS = 10_000;
const MEMORY_HEAP_MIB = Number(process.env['FAULT_HEAP_MIB'] ?? 32);
const MEMORY_SECONDS = 15;
const MEMORY_CONCURRENCY = 48;
const MEMORY_BODY_BYTES = 3 * 1024 * 1024 - 4096;
// Node's out-of-memory abort (SIGABRT); a process that runs out of heap must die with it, loudly.
const MUTE_LIMIT_MS = 10_000;

async function main(): Promise<void> {
  const checks = new Checklist();
  const served = createServedDirectory('ipw-fault-');
  const pki = await createTestPki(served.dir);
  served.write(POLICY_FILE, SCENARIO_POLICY_A);
  served.adoptAll();
  const credentials = { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey };
  const log = createLogWatch();
  const server = await startServeProcess({ unprivileged: true, policyFile: served.file(POLICY_FILE), tlsCert: served.file(CERT_FILE), tlsKey: served.file(KEY_FILE), clientCa: served.file(CA_FILE), onOutput: log.onOutput, retainOutput: false });
  console.log(`serve pid ${server.pid} on 127.0.0.1:${server.port}${serverDropsPrivileges() ? ' as nobody' : runsAsRoot() ? ' as root (nobody cannot read the checkout: mode-000 faults skipped)' : ''}; ${LOAD_WORKERS} load workers`);
  const load = startLoad({ port: server.port, ...credentials, requests: SCENARIO_REQUESTS, workers: LOAD_WORKERS, freshConnectionEvery: 10 });

  const judge = async (image: string): Promise<{ allowed: boolean; hash: string } | undefined> => {
    const exchange = await exchangeRaw(server.port, credentials, [buildPost(buildReview([image]))], { finalResponses: 1 });
    const response = exchange.responses[0];
    if (response?.status !== 200) return undefined;
    const answer = JSON.parse(response.body);
    return { allowed: answer.status.allowed, hash: answer.status.auditAnnotations['policy-hash'] };
  };
  const presented = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ...credentials }, () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.end();
      });
      socket.on('error', reject);
    });
  /** Waits for the directory watch to act; falls back to SIGHUP and says which one did it. */
  const awaitReload = async (outcome: RegExp, mark: number): Promise<string | undefined> => {
    const started = Date.now();
    if (await log.waitFor(outcome, mark, WATCH_WAIT_MS)) return `by the directory watch in ${Date.now() - started} ms`;
    server.signal('SIGHUP');
    if (await log.waitFor(outcome, mark, 5_000)) return 'only by SIGHUP';
    return undefined;
  };

  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const good = await judge('registry.example.com/app:1');
  const goodHash = good?.hash ?? '';
  const goodFingerprint = new X509Certificate(pki.server.certificate).fingerprint256;

  const injectAll = async (kind: 'policy' | 'tls', faults: readonly FileFault[], verify: () => Promise<string | undefined>, restore: () => void): Promise<void> => {
    for (const fault of faults) {
      const mark = log.mark();
      await fault.inject(served, pki);
      const how = await awaitReload(new RegExp(`"message":"${kind} reload refused`), mark);
      const problem = how === undefined ? 'no refusal logged' : await verify();
      checks.record(`fault: ${fault.name}`, how !== undefined && problem === undefined, problem ?? `refused ${how}; the version in force kept answering`);
      const restored = log.mark();
      restore();
      await awaitReload(new RegExp(`${kind} files are back|"message":"${kind} unchanged"|"message":"${kind} reloaded"`), restored);
    }
  };

  console.log('— policy faults');
  await injectAll('policy', applicableFaults(POLICY_FAULTS), async () => {
    const answers = await Promise.all([judge('registry.example.com/app:1'), judge('evil.example/app:1'), judge(FLIP_IMAGE)]);
    const expected = [true, false, false];
    const wrong = answers.findIndex((answer, index) => answer?.allowed !== expected[index] || answer?.hash !== goodHash);
    return wrong < 0 ? undefined : `review ${wrong} answered ${JSON.stringify(answers[wrong])}`;
  }, () => restorePolicy(served));
  const editMark = log.mark();
  served.write(POLICY_FILE, SCENARIO_POLICY_B);
  const edited = await awaitReload(/"message":"policy reloaded"/, editMark);
  const flip = await judge(FLIP_IMAGE);
  checks.record('a good policy edit after all faults goes live', edited !== undefined && flip?.allowed === true, `reloaded ${edited}; ${FLIP_IMAGE} now ${flip?.allowed ? 'allowed' : 'denied'}`);

  console.log('— TLS faults');
  await injectAll('tls', applicableFaults(TLS_FAULTS), async () => {
    const fingerprint = await presented();
    return fingerprint === goodFingerprint ? undefined : `new connections got ${fingerprint}`;
  }, () => restoreTls(served, pki));
  const rotated = await generateServingCertificate(pki.ca, { subjectAltNames: TEST_SERVER_SUBJECT_ALT_NAMES, commonName: 'localhost' });
  const rotateMark = log.mark();
  served.write(KEY_FILE, rotated.privateKey, 0o600);
  served.write(CERT_FILE, rotated.certificate);
  const rotation = await awaitReload(/"message":"tls reloaded"/, rotateMark);
  const afterRotation = await presented();
  checks.record('a genuine certificate rotation goes live', afterRotation === new X509Certificate(rotated.certificate).fingerprint256, `reloaded ${rotation}`);

  console.log(`— slow clients (${SLOW_CLIENTS_PER_KIND} of each kind, production timeouts)`);
  const kinds = Object.keys(SLOW_CLIENT_BOUNDS) as SlowClientKind[];
  const slow = await Promise.all(
    kinds.flatMap((kind) => Array.from({ length: SLOW_CLIENTS_PER_KIND }, () => holdSlowClient(server.port, credentials, kind, SLOW_CLIENT_BOUNDS[kind] + CUT_SLACK_MS + 5_000))),
  );
  for (const kind of kinds) {
    const cuts = slow.filter((result) => result.kind === kind).map((result) => result.cutAfterMs);
    const held = cuts.filter((cut) => cut === undefined).length;
    const longest = Math.max(...cuts.map((cut) => cut ?? Number.POSITIVE_INFINITY));
    checks.record(`slow clients: ${kind}`, held === 0 && longest <= SLOW_CLIENT_BOUNDS[kind] + CUT_SLACK_MS, `${cuts.length} cut, the last after ${(longest / 1000).toFixed(1)} s (bound ${SLOW_CLIENT_BOUNDS[kind] / 1000} s + ${CONNECTIONS_CHECK_INTERVAL_MS / 1000} s check interval)`);
  }

  console.log('— SIGTERM with reviews in flight');
  const beforeSignal = load.stats();
  const inFlight = await Promise.all(Array.from({ length: 8 }, (_, index) => holdInFlight(server.port, credentials, index % 2 === 0)));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const signalledAt = Date.now();
  server.signal('SIGTERM');
  // Until the signal is handled a new connection may still be served, and one queued in the
  // listen backlog when the listener closes is reset; from then on every connect must be refused.
  const tryNewConnection = (): Promise<string> =>
    exchangeRaw(server.port, credentials, [buildPost(buildReview(['registry.example.com/app:1']))], { finalResponses: 1, deadlineMs: 2_000 }).then(() => 'answered', (error: NodeJS.ErrnoException) => error.code ?? error.message);
  const attempts = [await tryNewConnection()];
  for (const deadline = Date.now() + 5_000; attempts[attempts.length - 1] !== 'ECONNREFUSED' && Date.now() < deadline; attempts.push(await tryNewConnection())) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const refused = attempts.length === 1 ? attempts[0]! : `${attempts.join(' → ')}`;
  const answers = await Promise.all(inFlight.map((review) => review.finish()));
  const exit = await server.exited;
  const final = await load.stop();
  checks.record('in-flight reviews answered after SIGTERM', answers.every((answer, index) => answer === (index % 2 === 0 ? 'allow+close' : 'deny+close')), answers.join(', '));
  checks.record('new connections refused after SIGTERM', attempts[attempts.length - 1] === 'ECONNREFUSED' && attempts.every((attempt) => /^(answered|ECONNRESET|ECONNREFUSED)$/.test(attempt)), refused);
  checks.record('exit 0 within the grace period', exit.code === 0 && exit.at - signalledAt < SHUTDOWN_GRACE_MS, `code ${exit.code}, signal ${exit.signal}, after ${exit.at - signalledAt} ms`);
  const failedBeforeSignal = beforeSignal.failed;
  checks.record('load before SIGTERM: failed 0, 5xx 0', failedBeforeSignal === 0 && beforeSignal.status5xx === 0, `served ${beforeSignal.served}, failed ${failedBeforeSignal}, 5xx ${beforeSignal.status5xx}`);
  const afterSignal = Object.entries(final.outcomes).filter(([outcome]) => outcome !== 'ok');
  checks.record('load after SIGTERM: only refused or closed connections', final.status5xx === 0 && afterSignal.every(([outcome]) => /^error-(ECONNREFUSED|ECONNRESET|socket hang up)$/.test(outcome)), JSON.stringify(Object.fromEntries(afterSignal)));

  console.log(`— memory pressure (--max-old-space-size=${MEMORY_HEAP_MIB}, ${MEMORY_CONCURRENCY} concurrent ${(MEMORY_BODY_BYTES / 1048576).toFixed(1)} MiB reviews for ${MEMORY_SECONDS} s)`);
  restorePolicy(served);
  restoreTls(served, pki);
  const small = await startServeProcess({ unprivileged: true, policyFile: served.file(POLICY_FILE), tlsCert: served.file(CERT_FILE), tlsKey: served.file(KEY_FILE), clientCa: served.file(CA_FILE), nodeArgs: [`--max-old-space-size=${MEMORY_HEAP_MIB}`], retainOutput: false });
  const pressure = await runMemoryPressure({ server: small, credentials, concurrency: MEMORY_CONCURRENCY, seconds: MEMORY_SECONDS, bodyBytes: MEMORY_BODY_BYTES });
  const survived = pressure.exit === undefined;
  const died = pressure.exit !== undefined && pressure.fatal !== undefined;
  checks.record('small heap: kept answering, or died loudly at once', (survived || died) && pressure.longestMuteMs < MUTE_LIMIT_MS,
    `${survived ? 'survived' : `died (${pressure.exit?.signal ?? pressure.exit?.code}): ${pressure.fatal ?? 'no FATAL ERROR line'}`}; flood answered ${pressure.floodAnswered}, failed ${pressure.floodFailed}; probes ${pressure.probesAnswered}/${pressure.probes}; longest mute ${pressure.longestMuteMs} ms`);
  if (small.isRunning()) await small.stop();
  served.remove();

  console.log(`\nreviews served: ${final.served} (before SIGTERM: ${beforeSignal.served}), failed before SIGTERM: ${failedBeforeSignal}, 5xx: ${final.status5xx}`);
  console.log(`faults injected: ${applicableFaults(POLICY_FAULTS).length} policy, ${applicableFaults(TLS_FAULTS).length} TLS, ${kinds.length * SLOW_CLIENTS_PER_KIND} slow clients, 1 SIGTERM, 1 memory flood`);
  console.log(`policy versions seen in answers: ${final.policyHashes.size}; serving certificates seen: ${final.certificateFingerprints.size}`);
  process.exitCode = checks.report() ? 0 : 1;
}

/** A review sent but for its last bytes, so the server has begun it; finish() sends the rest. */
function holdInFlight(port: number, credentials: { ca: string; cert: string; key: string }, good: boolean): Promise<{ finish(): Promise<string> }> {
  const request = buildPost(buildReview([good ? 'registry.example.com/app:1' : 'evil.example/app:1']));
  const held = request.subarray(request.length - 16);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...credentials }, () => {
      socket.write(request.subarray(0, request.length - 16), () =>
        resolve({
          finish: () =>
            new Promise((done) => {
              socket.on('close', () => {
                const allowed = /"allowed":(true|false)/.exec(received)?.[1];
                done(`${allowed === 'true' ? 'allow' : allowed === 'false' ? 'deny' : `no answer (${received.slice(0, 40)})`}${/connection: close/i.test(received) ? '+close' : ''}`);
              });
              socket.write(held);
            }),
        }),
      );
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
