// Sustained review traffic over mutual TLS for fault-injection and soak runs: a fixed number of
// workers, each sending one review after another on keep-alive connections (some on fresh ones,
// so handshakes keep happening), checking every answer against the decision it must have.
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export type Expectation = 'allow' | 'deny' | 'either';

export interface LoadRequest {
  readonly name: string;
  readonly body: string;
  readonly expect: Expectation;
}

export interface LoadOptions {
  readonly port: number;
  readonly ca: string | Buffer;
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly requests: readonly LoadRequest[];
  readonly workers: number;
  /** Every n-th request of a worker goes on a new connection (0: never). */
  readonly freshConnectionEvery?: number;
  /** Per-request bound; kube-apiserver gives up after 30 s. */
  readonly timeoutMs?: number;
}

export type Outcome = 'ok' | 'wrong-decision' | 'bad-answer' | `status-${number}` | `error-${string}`;

export interface Sample {
  /** ms since the load started, at the answer (or failure). */
  readonly at: number;
  readonly latencyMs: number;
  readonly outcome: Outcome;
}

export interface LoadStats {
  readonly sent: number;
  readonly served: number;
  readonly failed: number;
  readonly status5xx: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Distinct policy hashes seen in answers: proof that reloads reached the server. */
  readonly policyHashes: ReadonlySet<string>;
  /** Distinct serving-certificate fingerprints seen on new connections: proof of rotations. */
  readonly certificateFingerprints: ReadonlySet<string>;
}

export interface RunningLoad {
  readonly startedAt: number;
  stats(): LoadStats;
  samples(): readonly Sample[];
  /** Returns the samples gathered since the last call and forgets them (long runs stay small). */
  drainSamples(): Sample[];
  /** Stops sending, waits for what is in flight, and returns the final figures. */
  stop(): Promise<LoadStats>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function post(options: LoadOptions, agent: https.Agent | false, body: string, onSocket: (socket: TLSSocket) => void): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port: options.port,
        method: 'POST',
        path: '/imagepolicy?timeout=30s',
        servername: 'localhost',
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        agent,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, */*' },
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('socket', (socket) => onSocket(socket as TLSSocket));
    request.on('timeout', () => request.destroy(Object.assign(new Error('request timed out'), { code: 'TIMEOUT' })));
    request.on('error', reject);
    request.end(body);
  });
}

function judge(expect: Expectation, status: number, text: string): { outcome: Outcome; policyHash?: string } {
  if (status !== 200) return { outcome: `status-${status}` };
  let answer: { kind?: unknown; status?: { allowed?: unknown; auditAnnotations?: Record<string, unknown> } };
  try {
    answer = JSON.parse(text);
  } catch {
    return { outcome: 'bad-answer' };
  }
  const allowed = answer.status?.allowed;
  if (answer.kind !== 'ImageReview' || typeof allowed !== 'boolean') return { outcome: 'bad-answer' };
  const hash = answer.status?.auditAnnotations?.['policy-hash'];
  const policyHash = typeof hash === 'string' ? hash : undefined;
  const right = expect === 'either' || allowed === (expect === 'allow');
  return { outcome: right ? 'ok' : 'wrong-decision', ...(policyHash === undefined ? {} : { policyHash }) };
}

export function startLoad(options: LoadOptions): RunningLoad {
  const startedAt = Date.now();
  const agent = new https.Agent({ keepAlive: true, maxSockets: options.workers });
  let samples: Sample[] = [];
  const outcomes: Record<string, number> = {};
  const policyHashes = new Set<string>();
  const fingerprints = new Set<string>();
  const inspected = new WeakSet<TLSSocket>();
  let sent = 0;
  let stopping = false;

  const inspect = (socket: TLSSocket): void => {
    if (inspected.has(socket)) return;
    inspected.add(socket);
    const record = (): boolean => {
      const fingerprint = socket.getPeerCertificate()?.fingerprint256;
      if (fingerprint) fingerprints.add(fingerprint);
      return fingerprint !== undefined;
    };
    // A reused keep-alive socket has finished its handshake; a new one has not yet.
    if (!record()) socket.once('secureConnect', record);
  };

  const worker = async (index: number): Promise<void> => {
    for (let round = 0; !stopping; round += 1) {
      const request = options.requests[(index + round) % options.requests.length]!;
      const fresh = options.freshConnectionEvery !== undefined && options.freshConnectionEvery > 0 && round % options.freshConnectionEvery === 0;
      const began = Date.now();
      sent += 1;
      let outcome: Outcome;
      try {
        const { status, text } = await post(options, fresh ? false : agent, request.body, inspect);
        const verdict = judge(request.expect, status, text);
        outcome = verdict.outcome;
        if (verdict.policyHash !== undefined) policyHashes.add(verdict.policyHash);
      } catch (error) {
        outcome = `error-${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      }
      const now = Date.now();
      samples.push({ at: now - startedAt, latencyMs: now - began, outcome });
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      // After a refused connection there is nothing to talk to; do not spin.
      if (outcome !== 'ok') await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const workers = Array.from({ length: options.workers }, (_, index) => worker(index));

  const stats = (): LoadStats => {
    const served = outcomes['ok'] ?? 0;
    const status5xx = Object.entries(outcomes).filter(([outcome]) => /^status-5\d\d$/.test(outcome)).reduce((sum, [, count]) => sum + count, 0);
    const answered = Object.values(outcomes).reduce((sum, count) => sum + count, 0);
    return { sent, served, failed: answered - served, status5xx, outcomes: { ...outcomes }, policyHashes: new Set(policyHashes), certificateFingerprints: new Set(fingerprints) };
  };

  return {
    startedAt,
    stats,
    samples: () => samples,
    drainSamples() {
      const drained = samples;
      samples = [];
      return drained;
    },
    async stop() {
      stopping = true;
      await Promise.all(workers);
      agent.destroy();
      return stats();
    },
  };
}

/** The p-th percentile (0-100) of the numbers, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
