// One measured round: autocannon drives a server at a fixed concurrency over mutual TLS for a
// fixed time. Rates come from our own timestamps of the first and last response and latencies
// from our own per-response record, because autocannon's req/s needs long runs and its latency
// histogram rounds to whole milliseconds.
import autocannon from 'autocannon';
import { percentile } from './stats';
import { readCpuMilliseconds } from './process-cpu';

export interface LoadOptions {
  readonly port: number;
  readonly connections: number;
  readonly seconds: number;
  readonly body: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
  /** The server's processes, for CPU time per request. */
  readonly serverPids: readonly number[];
}

export interface RoundResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** Server CPU (all its processes) per answered request, in microseconds. */
  readonly serverCpuUsPerRequest: number;
  readonly responses: number;
  readonly failures: number;
}

const REVIEW_PATH = '/imagepolicy?timeout=30s';
const REQUEST_TIMEOUT_SECONDS = 10;
const HTTP_OK = 200;

export function runLoad(options: LoadOptions): Promise<RoundResult> {
  const latencies: number[] = [];
  let firstResponseAt = 0n;
  let lastResponseAt = 0n;
  let notOk = 0;
  const cpuBefore = readCpuMilliseconds(options.serverPids);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `https://127.0.0.1:${options.port}${REVIEW_PATH}`,
        connections: options.connections,
        duration: options.seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: options.body,
        tlsOptions: { cert: options.clientCert, key: options.clientKey, servername: 'localhost' },
        timeout: REQUEST_TIMEOUT_SECONDS,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const cpuMs = readCpuMilliseconds(options.serverPids) - cpuBefore;
        const sorted = Float64Array.from(latencies).sort();
        const seconds = Number(lastResponseAt - firstResponseAt) / 1e9;
        resolve({
          // The first response opens the window, so it is not counted inside it.
          requestsPerSecond: seconds > 0 ? (latencies.length - 1) / seconds : Number.NaN,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          p999Ms: percentile(sorted, 0.999),
          maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
          serverCpuUsPerRequest: latencies.length > 0 ? (cpuMs * 1000) / latencies.length : Number.NaN,
          responses: latencies.length,
          failures: notOk + result.errors + result.timeouts + result.resets,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      const now = process.hrtime.bigint();
      if (firstResponseAt === 0n) firstResponseAt = now;
      lastResponseAt = now;
      if (statusCode !== HTTP_OK) notOk += 1;
      latencies.push(responseTimeMs);
    });
  });
}
