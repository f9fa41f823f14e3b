// make soak DURATION=<seconds>: sustained mutual-TLS load on the real `serve` process while the
// policy is rewritten every second (two versions, alternately) and the serving certificate is
// rotated every ten seconds. Reports reviews served, failed and 5xx, RSS and open descriptors
// over time and p99 latency per window; exits 1 on any failure, a leak, or an unclean stop.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { generateServingCertificate } from '../../src/pki';
import { createTestPki, TEST_SERVER_SUBJECT_ALT_NAMES } from '../../tests/support/pki';
import { CA_FILE, CERT_FILE, KEY_FILE, POLICY_FILE } from '../../tests/system/reliability/harness/faults';
import { percentile, startLoad, type Sample } from '../../tests/system/reliability/harness/load';
import { createLogWatch } from '../../tests/system/reliability/harness/log-watch';
import { judgeFlatness, readProcessSample, type ProcessSample } from '../../tests/system/reliability/harness/process-stats';
import { SCENARIO_POLICY_A, SCENARIO_POLICY_B, SCENARIO_REQUESTS } from '../../tests/system/reliability/harness/scenario';
import { createServedDirectory } from '../../tests/support/served-files';
import { serverDropsPrivileges, startServeProcess } from '../../tests/support/serve-process';
import { Checklist } from './checklist';

const MIB_KIB = 1024;
const SHUTDOWN_GRACE_MS = 10_000;
// Flat means: late median RSS within 20 % (and at least 16 MiB) of the median just after warm-up,
// and late median descriptors within 10 of it (keep-alive and fresh connections come and go).
const RSS_GROWTH_ALLOWED = (baselineKiB: number): number => Math.max(0.2 * baselineKiB, 16 * MIB_KIB);
const FD_GROWTH_ALLOWED = (): number => 10;

interface WindowRow {
  readonly endS: number;
  readonly answers: number;
  readonly failed: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly rssMiB: number;
  readonly fds: number;
}

function readOptions(): { seconds: number; workers: number; policyEveryMs: number; rotateEveryMs: number; report: string | undefined } {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      workers: { type: 'string', default: '8' },
      'policy-every': { type: 'string', default: '1' },
      'rotate-every': { type: 'string', default: '10' },
      report: { type: 'string' },
    },
  });
  const seconds = Number(values.duration);
  if (!(seconds >= 10 && seconds <= 24 * 3600)) throw new Error(`--duration must be 10 to 86400 seconds, got ${values.duration}`);
  return { seconds, workers: Number(values.workers), policyEveryMs: Number(values['policy-every']) * 1000, rotateEveryMs: Number(values['rotate-every']) * 1000, report: values.report };
}

function summarize(samples: readonly Sample[], endS: number, process: ProcessSample | undefined): WindowRow {
  const latencies = samples.map((sample) => sample.latencyMs);
  return {
    endS,
    answers: samples.length,
    failed: samples.filter((sample) => sample.outcome !== 'ok').length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length ? Math.max(...latencies) : Number.NaN,
    rssMiB: process ? process.rssKiB / MIB_KIB : Number.NaN,
    fds: process?.openFds ?? Number.NaN,
  };
}

async function main(): Promise<void> {
  const options = readOptions();
  const windowMs = options.seconds < 300 ? 10_000 : 60_000;
  const warmUpMs = Math.min(30_000, (options.seconds * 1000) / 4);
  const checks = new Checklist();
  const served = createServedDirectory('ipw-soak-');
  const pki = await createTestPki(served.dir);
  served.write(POLICY_FILE, SCENARIO_POLICY_A);
  served.adoptAll();
  const log = createLogWatch();
  const server = await startServeProcess({ unprivileged: true, policyFile: served.file(POLICY_FILE), tlsCert: served.file(CERT_FILE), tlsKey: served.file(KEY_FILE), clientCa: served.file(CA_FILE), onOutput: log.onOutput, retainOutput: false });
  console.log(`soak: ${options.seconds} s, ${options.workers} workers, policy rewritten every ${options.policyEveryMs / 1000} s, certificate rotated every ${options.rotateEveryMs / 1000} s; serve pid ${server.pid}${serverDropsPrivileges() ? ' as nobody' : ''}`);
  const load = startLoad({ port: server.port, ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey, requests: SCENARIO_REQUESTS, workers: options.workers, freshConnectionEvery: 20 });

  let policyWrites = 0;
  let rotations = 0;
  const policyTimer = setInterval(() => {
    policyWrites += 1;
    served.write(POLICY_FILE, policyWrites % 2 === 1 ? SCENARIO_POLICY_B : SCENARIO_POLICY_A);
  }, options.policyEveryMs);
  const rotateTimer = setInterval(() => {
    void generateServingCertificate(pki.ca, { subjectAltNames: TEST_SERVER_SUBJECT_ALT_NAMES, commonName: 'localhost' }).then((next) => {
      rotations += 1;
      served.write(KEY_FILE, next.privateKey, 0o600);
      served.write(CERT_FILE, next.certificate);
    });
  }, options.rotateEveryMs);

  const processSamples: ProcessSample[] = [];
  const rows: WindowRow[] = [];
  console.log('   t(s)  answers  failed  p50(ms)  p99(ms)  max(ms)  RSS(MiB)  fds');
  const startedAt = Date.now();
  for (let window = 1; Date.now() - startedAt < options.seconds * 1000; window += 1) {
    const windowEnd = startedAt + Math.min(window * windowMs, options.seconds * 1000);
    while (Date.now() < windowEnd) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, windowEnd - Date.now())));
      const sample = readProcessSample(server.pid, Date.now() - startedAt);
      if (sample) processSamples.push(sample);
    }
    const row = summarize(load.drainSamples(), Math.round((windowEnd - startedAt) / 1000), processSamples[processSamples.length - 1]);
    rows.push(row);
    console.log(`${String(row.endS).padStart(7)}  ${String(row.answers).padStart(7)}  ${String(row.failed).padStart(6)}  ${row.p50.toFixed(0).padStart(7)}  ${row.p99.toFixed(0).padStart(7)}  ${row.max.toFixed(0).padStart(7)}  ${row.rssMiB.toFixed(1).padStart(8)}  ${String(row.fds).padStart(3)}`);
  }
  clearInterval(policyTimer);
  clearInterval(rotateTimer);
  const stats = await load.stop();
  const stopping = Date.now();
  const exit = await server.stop();

  const settled = processSamples.filter((sample) => sample.at >= warmUpMs);
  const rss = judgeFlatness(settled.map((sample) => sample.rssKiB), RSS_GROWTH_ALLOWED);
  const fds = judgeFlatness(settled.map((sample) => sample.openFds), FD_GROWTH_ALLOWED);
  checks.record('reviews: failed 0, 5xx 0', stats.failed === 0 && stats.status5xx === 0, `served ${stats.served} in ${options.seconds} s (${(stats.served / options.seconds).toFixed(0)}/s), failed ${stats.failed}, 5xx ${stats.status5xx}${stats.failed ? ` ${JSON.stringify(stats.outcomes)}` : ''}`);
  checks.record('policy reloads reached the answers', stats.policyHashes.size === 2 && log.count(/"message":"policy reloaded"/) > 0, `${policyWrites} writes, ${log.count(/"message":"policy reloaded"/)} reloads logged, ${log.count(/"message":"policy reload refused/)} refused, 2 versions expected, ${stats.policyHashes.size} seen`);
  checks.record('certificate rotations reached new connections', stats.certificateFingerprints.size >= Math.min(2, rotations + 1), `${rotations} rotations, ${log.count(/"message":"tls reloaded"/)} reloads logged, ${log.count(/"message":"tls reload refused/)} refused (key written before its certificate), ${stats.certificateFingerprints.size} certificates seen`);
  checks.record('RSS flat after warm-up', rss.flat, `median ${(rss.baseline / MIB_KIB).toFixed(1)} MiB after ${warmUpMs / 1000} s warm-up, ${(rss.late / MIB_KIB).toFixed(1)} MiB at the end (${(rss.growth / MIB_KIB).toFixed(1)} MiB)`);
  checks.record('open descriptors flat after warm-up', fds.flat, `median ${fds.baseline} after warm-up, ${fds.late} at the end`);
  checks.record('clean stop', exit.code === 0 && exit.at - stopping < SHUTDOWN_GRACE_MS, `exit ${exit.code ?? exit.signal} after ${exit.at - stopping} ms`);
  const p99s = rows.map((row) => row.p99);
  console.log(`p99 per ${windowMs / 1000} s window: min ${Math.min(...p99s).toFixed(0)} ms, max ${Math.max(...p99s).toFixed(0)} ms`);
  if (options.report) writeFileSync(options.report, `${JSON.stringify({ options, stats: { ...stats, policyHashes: [...stats.policyHashes], certificateFingerprints: stats.certificateFingerprints.size }, rows, processSamples }, null, 2)}\n`);
  served.remove();
  process.exitCode = checks.report() ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
