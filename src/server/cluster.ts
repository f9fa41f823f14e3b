// `serve --workers N`: N processes share the review and health ports through node:cluster, so a
// node with more cores answers proportionally more reviews. The primary serves nothing itself: it
// starts the workers, replaces one that dies, forwards SIGHUP (reload), sums the workers' metrics
// for /metrics, and on SIGTERM or SIGINT asks each to drain and exits 0 once all have. Every
// worker runs the ordinary single-process serve code.
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { AggregatorRegistry, type Registry, type RegistryContentType } from 'prom-client';
import type { MetricsSource } from './health';
import type { Logger } from '../logger';

export const WORKERS_AUTO = 'auto';
/** Logged by the primary once every worker serves; scripts (make bench) wait for it. */
export const ALL_WORKERS_READY_MESSAGE = 'all workers ready';
/** A sanity bound: more processes than this is a typo, not a machine. */
export const MAX_WORKERS = 256;

// A worker that keeps failing (say, its policy file was broken since) is retried ever more slowly.
const FIRST_RESPAWN_DELAY_MS = 1_000;
const MAX_RESPAWN_DELAY_MS = 30_000;
// Each worker bounds its own drain (serve's shutdown grace); this only catches a hung worker.
const DRAIN_DEADLINE_MS = 30_000;

// prom-client's own exchange with the workers has a 5 s limit; this covers it and the reply.
const METRICS_TIMEOUT_MS = 10_000;

const READY_MESSAGE = 'image-policy-webhook:worker-ready';
const DRAIN_MESSAGE = 'image-policy-webhook:drain';
const METRICS_REQUEST = 'image-policy-webhook:metrics-request';
const METRICS_RESPONSE = 'image-policy-webhook:metrics-response';

interface MetricsRequest {
  readonly type: typeof METRICS_REQUEST;
  readonly id: number;
}

interface MetricsResponse {
  readonly type: typeof METRICS_RESPONSE;
  readonly id: number;
  readonly body?: string;
  readonly error?: string;
}

export class InvalidWorkerCountError extends Error {
  override readonly name = 'InvalidWorkerCountError';
}

/** `auto` is one worker per core the process may use; otherwise a whole number from 1. */
export function parseWorkerCount(value: string, cores: number = os.availableParallelism()): number {
  if (value === WORKERS_AUTO) return Math.max(1, cores);
  const count = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!(count >= 1 && count <= MAX_WORKERS)) {
    throw new InvalidWorkerCountError(`--workers must be a whole number from 1 to ${MAX_WORKERS} or "${WORKERS_AUTO}", got ${JSON.stringify(value)}`);
  }
  return count;
}

/** True in the process that must supervise workers instead of serving. */
export function shouldSuperviseWorkers(workers: number): boolean {
  return workers > 1 && cluster.isPrimary;
}

function isMessage(message: unknown, type: typeof READY_MESSAGE | typeof DRAIN_MESSAGE): boolean;
function isMessage(message: unknown, type: typeof METRICS_REQUEST): message is MetricsRequest;
function isMessage(message: unknown, type: typeof METRICS_RESPONSE): message is MetricsResponse;
function isMessage(message: unknown, type: string): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** Sums every worker's metrics (prom-client's cluster aggregation) and answers the asking worker. */
function answerMetricsRequest(aggregator: AggregatorRegistry<RegistryContentType>, worker: Worker, request: MetricsRequest): void {
  aggregator.clusterMetrics().then(
    (body) => worker.send({ type: METRICS_RESPONSE, id: request.id, body } satisfies MetricsResponse),
    (error: unknown) => worker.send({ type: METRICS_RESPONSE, id: request.id, error: String(error) } satisfies MetricsResponse),
  );
}

/** Starts `workers` copies of this command line as workers and supervises them until drained. */
export function superviseWorkers(workers: number, logger: Logger): void {
  const ready = new Set<Worker>();
  let draining = false;
  let everReady = false;
  let failed = false;
  let respawnDelayMs = FIRST_RESPAWN_DELAY_MS;
  const respawnTimers = new Set<NodeJS.Timeout>();
  const aggregator = new AggregatorRegistry();

  const fork = (): void => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (isMessage(message, METRICS_REQUEST)) answerMetricsRequest(aggregator, worker, message);
      if (!isMessage(message, READY_MESSAGE)) return;
      // A worker still starting when the drain began could not hear it: tell it now.
      if (draining) {
        worker.send({ type: DRAIN_MESSAGE });
        return;
      }
      ready.add(worker);
      respawnDelayMs = FIRST_RESPAWN_DELAY_MS;
      // One worker first: a bad policy or certificate then fails once, not N times in parallel.
      if (!everReady) {
        everReady = true;
        for (let index = 1; index < workers; index += 1) fork();
      }
      if (ready.size === workers) logger.info(ALL_WORKERS_READY_MESSAGE, { workers, pids: [...ready].map((each) => each.process.pid) });
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker);
    if (draining) {
      if (code !== 0) failed = true;
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('all workers stopped', { failed });
        process.exitCode = failed ? 1 : 0;
      }
      return;
    }
    if (!everReady) {
      // The first worker could not start (its error is already on stderr): so would any other.
      logger.error('worker failed to start; stopping', { pid: worker.process.pid, code, signal });
      process.exitCode = code === 0 || code === null ? 1 : code;
      return;
    }
    logger.error('worker exited unexpectedly; replacing it', { pid: worker.process.pid, code, signal, inMs: respawnDelayMs });
    const timer = setTimeout(() => {
      respawnTimers.delete(timer);
      fork();
    }, respawnDelayMs);
    respawnTimers.add(timer);
    respawnDelayMs = Math.min(respawnDelayMs * 2, MAX_RESPAWN_DELAY_MS);
  });

  const drain = (signal: NodeJS.Signals): void => {
    if (draining) return;
    draining = true;
    logger.info('shutting down workers', { signal });
    for (const timer of respawnTimers) clearTimeout(timer);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exitCode = 0;
    for (const worker of ready) worker.send({ type: DRAIN_MESSAGE });
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, DRAIN_DEADLINE_MS).unref();
  };
  process.on('SIGTERM', drain);
  process.on('SIGINT', drain);
  // Without a listener Node would exit on SIGHUP; an operator's reload goes to every worker.
  process.on('SIGHUP', () => {
    logger.info('reloading workers', { signal: 'SIGHUP' });
    for (const worker of ready) worker.process.kill('SIGHUP');
  });
  fork();
}

/**
 * What /metrics serves: this process's registry or, in a worker, every worker's metrics summed
 * by the primary, so a scrape that lands on any worker counts every review of the process.
 */
export function exposeMetrics(registry: Registry): MetricsSource {
  if (!cluster.isWorker) return registry;
  // prom-client answers the primary's aggregation requests from these registries; constructing an
  // AggregatorRegistry is what installs its listener for them in a worker.
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
  const pending = new Map<number, { resolve: (body: string) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isMessage(message, METRICS_RESPONSE)) return;
    const request = pending.get(message.id);
    pending.delete(message.id);
    if (message.body !== undefined) request?.resolve(message.body);
    else request?.reject(new Error(`metrics from the workers: ${message.error ?? 'no answer'}`));
  });
  return {
    contentType: registry.contentType,
    metrics: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId;
        nextId += 1;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`metrics from the workers: no answer within ${METRICS_TIMEOUT_MS} ms`));
        }, METRICS_TIMEOUT_MS);
        pending.set(id, {
          resolve: (body) => {
            clearTimeout(timer);
            resolve(body);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        process.send?.({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
      }),
  };
}

/** In a worker, tells the primary that this worker serves; a no-op in a single process. */
export function reportWorkerReady(): void {
  if (cluster.isWorker) process.send?.({ type: READY_MESSAGE });
}

/**
 * In a worker, lets go of the channel to the primary, which otherwise keeps the worker alive:
 * call it when the worker has drained or could not start. A no-op in a single process.
 */
export function releaseWorker(): void {
  // Worker.disconnect, not process.disconnect: the latter makes node exit at once with code 0.
  if (cluster.isWorker && process.connected) cluster.worker?.disconnect();
}

/**
 * Runs `shutdown` once, on the first SIGTERM or SIGINT or, in a worker, on the primary's drain
 * request (a terminal's Ctrl-C reaches the primary and every worker alike). A drained worker
 * then releases its channel, so it exits like a single process does.
 */
export function onShutdownRequest(shutdown: (signal: NodeJS.Signals) => Promise<void>): void {
  let requested = false;
  const request = (signal: NodeJS.Signals): void => {
    if (requested) return;
    requested = true;
    void shutdown(signal).finally(releaseWorker);
  };
  process.once('SIGTERM', request);
  process.once('SIGINT', request);
  if (cluster.isWorker) {
    process.on('message', (message: unknown) => {
      if (isMessage(message, DRAIN_MESSAGE)) request('SIGTERM');
    });
  }
}
