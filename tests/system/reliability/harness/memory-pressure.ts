// Memory pressure on a server started with a small V8 heap: many concurrent reviews near the body
// cap, while a prober asks /healthz and a small review once in a while. The server must either
// keep answering or die at once with Node's loud out-of-memory report, never sit alive and mute.
import { buildPost, exchangeRaw, type RawCredentials } from '../raw-tls';
import { buildReview } from './scenario';
import { getHttpStatus, type ServeExit, type ServeProcess } from '../../../support/serve-process';

export interface MemoryPressureOptions {
  readonly server: ServeProcess;
  readonly credentials: RawCredentials;
  readonly concurrency: number;
  readonly seconds: number;
  /** Size of each flooding review; its images are allowed, its bulk is one annotation. */
  readonly bodyBytes: number;
}

export interface MemoryPressureResult {
  readonly floodAnswered: number;
  readonly floodFailed: number;
  readonly probes: number;
  readonly probesAnswered: number;
  /** Longest stretch, while the process was alive, in which no probe was answered. */
  readonly longestMuteMs: number;
  readonly exit: ServeExit | undefined;
  /** Node's own words when it ran out of heap, if it did. */
  readonly fatal: string | undefined;
}

const PROBE_EVERY_MS = 250;
const PROBE_TIMEOUT_MS = 2_000;
const SMALL_REVIEW = buildReview(['registry.example.com/app:1']);

function bigReview(bytes: number): Buffer {
  const review = JSON.parse(buildReview(['registry.example.com/app:1'])) as { spec: Record<string, unknown> };
  review.spec['annotations'] = { 'x.image-policy.k8s.io/bulk': 'b'.repeat(Math.max(0, bytes - 300)) };
  return buildPost(JSON.stringify(review));
}

export async function runMemoryPressure(options: MemoryPressureOptions): Promise<MemoryPressureResult> {
  const { server, credentials } = options;
  const request = bigReview(options.bodyBytes);
  const deadline = Date.now() + options.seconds * 1000;
  let exit: ServeExit | undefined;
  void server.exited.then((value) => (exit = value));
  let floodAnswered = 0;
  let floodFailed = 0;

  const flooder = async (): Promise<void> => {
    while (Date.now() < deadline && exit === undefined) {
      try {
        const exchange = await exchangeRaw(server.port, credentials, [request], { finalResponses: 1, deadlineMs: 30_000 });
        if (exchange.responses[0]?.status === 200) floodAnswered += 1;
        else floodFailed += 1;
      } catch {
        floodFailed += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  let probes = 0;
  let probesAnswered = 0;
  let lastAnswer = Date.now();
  let longestMuteMs = 0;
  const prober = async (): Promise<void> => {
    while (Date.now() < deadline && exit === undefined) {
      probes += 1;
      const healthy = (await getHttpStatus(server.healthPort, '/healthz', PROBE_TIMEOUT_MS)) === 200;
      let reviewed = false;
      if (healthy) {
        try {
          const exchange = await exchangeRaw(server.port, credentials, [buildPost(SMALL_REVIEW)], { finalResponses: 1, deadlineMs: PROBE_TIMEOUT_MS });
          reviewed = exchange.responses[0]?.status === 200;
        } catch {
          reviewed = false;
        }
      }
      const now = Date.now();
      if (healthy && reviewed) {
        probesAnswered += 1;
        lastAnswer = now;
      } else if (exit === undefined) {
        longestMuteMs = Math.max(longestMuteMs, now - lastAnswer);
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  };

  await Promise.all([...Array.from({ length: options.concurrency }, flooder), prober()]);
  const fatal = /FATAL ERROR:[^\n]*/.exec(server.output())?.[0];
  return { floodAnswered, floodFailed, probes, probesAnswered, longestMuteMs, exit, fatal };
}
