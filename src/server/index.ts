// The webhook as a server: the review endpoint as an express app that never listens (createApp),
// the mutual-TLS listener, health, readiness and Prometheus metrics on a plain-HTTP port, and the
// process around them: startup, reload on SIGHUP, drain on SIGTERM, and `serve --workers`.
export { InvalidListenAddressError, type ListenAddress, parseListenAddress } from './address';
export { type AppOptions, MAX_BODY_BYTES, createApp } from './app';
export {
  ALL_WORKERS_READY_MESSAGE,
  InvalidWorkerCountError,
  MAX_WORKERS,
  WORKERS_AUTO,
  onShutdownRequest,
  parseWorkerCount,
  releaseWorker,
  reportWorkerReady,
  shouldSuperviseWorkers,
  superviseWorkers,
} from './cluster';
export { METRIC_PREFIX, REVIEW_DURATION_BUCKETS, WebhookMetrics } from './metrics';
export { type InvalidRequestKind, type ReviewObserver } from './review-observer';
export {
  CIPHER_SUITES,
  CONNECTIONS_CHECK_INTERVAL_MS,
  HANDSHAKE_TIMEOUT_MS,
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MIN_TLS_VERSION,
  REQUEST_TIMEOUT_MS,
  createTlsServer,
} from './tls';
export { type ReloadSummary, type RunningWebhook, StartupError, type WebhookConfig, startWebhook } from './webhook';
