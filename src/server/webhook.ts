// Starts the webhook: loads the policy and TLS files, serves reviews over mutual TLS and health,
// readiness and metrics over plain HTTP, reloads changed files live, and drains in-flight reviews
// on close. Startup fails loudly, naming the file, rather than serving with a missing policy or
// certificate; after startup a broken file is refused and the last good version keeps serving.
import http from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import { REVIEW_PATH } from '../imagereview';
import { PolicyError, type CompiledPolicy } from '../policy';
import {
  Reloader,
  createPolicyReloadTarget,
  createTlsReloadTarget,
  describeTlsExpiry,
  loadPolicyFile,
  loadTlsFiles,
  watchFiles,
  type ReloadOutcome,
  type ReloadTrigger,
  type TlsFiles,
  type ValidatedTlsMaterial,
} from '../reload';
import { ReviewContextSource } from '../review-context';
import { type ListenAddress } from './address';
import { createApp } from './app';
import { exposeMetrics } from './cluster';
import { createHealthApp, type ReadinessCheck } from './health';
import { WebhookMetrics } from './metrics';
import { buildSecureContextOptions, createTlsServer } from './tls';

export interface WebhookConfig {
  readonly policyFile: string;
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  /** Undefined only with the explicit --insecure-skip-client-auth. */
  readonly clientCaFile?: string;
  readonly listen: ListenAddress;
  readonly healthListen: ListenAddress;
  readonly allowedClientNames: readonly string[];
  readonly logger: Logger;
  /** How long close() waits for in-flight reviews before cutting connections. */
  readonly shutdownGraceMs?: number;
  /** Period of the safety-net re-read of the policy and TLS files; 0 switches it off. */
  readonly reloadIntervalMs?: number;
  /** Quiet time after a directory event before the files are re-read. */
  readonly reloadDebounceMs?: number;
}

export interface ReloadSummary {
  readonly policy: ReloadOutcome;
  readonly tls: ReloadOutcome;
}

export interface RunningWebhook {
  readonly reviewAddress: AddressInfo;
  readonly healthAddress: AddressInfo;
  readonly policy: () => CompiledPolicy;
  readonly tls: () => ValidatedTlsMaterial;
  readonly metrics: WebhookMetrics;
  /** Re-reads the policy and TLS files now (what SIGHUP does). */
  reload(trigger?: ReloadTrigger): ReloadSummary;
  close(): Promise<void>;
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

function listen(server: http.Server | https.Server, address: ListenAddress, what: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new StartupError(`cannot listen for ${what} on ${address.host}:${address.port}: ${error.message}`));
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: http.Server | https.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    deadline.unref();
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function checkServingCertificate(material: ValidatedTlsMaterial, now: number): ReadinessCheck {
  const { validFrom, validTo } = material.serving;
  const ok = Date.parse(validFrom) <= now && now <= Date.parse(validTo);
  return { name: 'tls', ok, detail: `serving certificate ${material.serving.fingerprint256} valid ${new Date(validFrom).toISOString()} to ${new Date(validTo).toISOString()}` };
}

export async function startWebhook(config: WebhookConfig): Promise<RunningWebhook> {
  const { logger } = config;
  const metrics = new WebhookMetrics();
  // loadPolicyFile throws PolicyError, whose message lists every issue as file:line:col.
  let initialPolicy: ReturnType<typeof loadPolicyFile>;
  try {
    initialPolicy = loadPolicyFile(config.policyFile);
  } catch (error) {
    throw error instanceof PolicyError ? error : new StartupError(`--policy ${describeError(error)}`);
  }
  const tlsFiles: TlsFiles = {
    certFile: config.tlsCertFile,
    keyFile: config.tlsKeyFile,
    ...(config.clientCaFile === undefined ? {} : { clientCaFile: config.clientCaFile }),
  };
  let initialTls: ReturnType<typeof loadTlsFiles>;
  try {
    initialTls = loadTlsFiles(tlsFiles);
  } catch (error) {
    throw new StartupError(describeError(error));
  }
  // Scan reports and tag resolution, for a policy that uses them: a reports directory, credentials
  // or CA file the starting policy names but that cannot be used fails startup like a bad policy.
  const reviewContext = new ReviewContextSource({
    logger,
    watch: true,
    ...(config.reloadDebounceMs === undefined ? {} : { debounceMs: config.reloadDebounceMs }),
    ...(config.reloadIntervalMs === undefined ? {} : { pollIntervalMs: config.reloadIntervalMs }),
  });
  try {
    reviewContext.follow(initialPolicy.value, true);
  } catch (error) {
    throw new StartupError(describeError(error));
  }
  const startedAt = new Date();
  metrics.recordPolicyLoaded(initialPolicy.value, startedAt);
  metrics.recordTlsLoaded(describeTlsExpiry(initialTls.value), startedAt);

  const policyReloader = new Reloader(createPolicyReloadTarget(config.policyFile, (policy, at) => metrics.recordPolicyLoaded(policy, at)), initialPolicy, logger, metrics);
  let draining = false;
  const app = createApp({
    currentPolicy: () => policyReloader.current(),
    logger,
    isDraining: () => draining,
    observer: metrics,
    reviewContext: (policy, review) => reviewContext.prepare(policy, review),
  });
  const reviewServer = createTlsServer(app, { material: initialTls.value, allowedClientNames: config.allowedClientNames, logger });
  const tlsTarget = createTlsReloadTarget(tlsFiles, {
    apply: (material) => reviewServer.setSecureContext(buildSecureContextOptions(material)),
    recordLoaded: (material, at) => metrics.recordTlsLoaded(describeTlsExpiry(material), at),
  });
  const tlsReloader = new Reloader(tlsTarget, initialTls, logger, metrics);

  const readinessChecks = (): ReadinessCheck[] => {
    const policy = policyReloader.current();
    return [
      { name: 'policy', ok: true, detail: `${policy.name} ${policy.hash}` },
      checkServingCertificate(tlsReloader.current(), Date.now()),
      { name: 'serving', ok: !draining, detail: draining ? 'draining for shutdown' : 'accepting reviews' },
    ];
  };
  const healthServer = http.createServer(createHealthApp({ readinessChecks, metrics: exposeMetrics(metrics.registry) }));

  const reviewAddress = await listen(reviewServer, config.listen, 'reviews');
  let healthAddress: AddressInfo;
  try {
    healthAddress = await listen(healthServer, config.healthListen, 'health checks');
  } catch (error) {
    reviewServer.close();
    throw error;
  }

  const reload = (trigger: ReloadTrigger = 'signal'): ReloadSummary => ({ policy: policyReloader.reload(trigger), tls: tlsReloader.reload(trigger) });
  const watch = watchFiles({
    files: [config.policyFile, config.tlsCertFile, config.tlsKeyFile, ...(config.clientCaFile === undefined ? [] : [config.clientCaFile])],
    onChange: (trigger) => reload(trigger),
    logger,
    ...(config.reloadDebounceMs === undefined ? {} : { debounceMs: config.reloadDebounceMs }),
    ...(config.reloadIntervalMs === undefined ? {} : { pollIntervalMs: config.reloadIntervalMs }),
  });

  const policy = policyReloader.current();
  logger.info('serving', {
    reviews: `https://${config.listen.host}:${reviewAddress.port}${REVIEW_PATH}`,
    health: `http://${config.healthListen.host}:${healthAddress.port}/healthz`,
    policy: policy.name,
    policyHash: policy.hash,
    policyFile: config.policyFile,
    clientAuth: config.clientCaFile === undefined ? 'DISABLED' : 'required',
    allowedClientNames: config.allowedClientNames,
  });

  const graceMs = config.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  return {
    reviewAddress,
    healthAddress,
    policy: () => policyReloader.current(),
    tls: () => tlsReloader.current(),
    metrics,
    reload,
    async close() {
      draining = true;
      watch.close();
      await Promise.all([closeServer(reviewServer, graceMs), closeServer(healthServer, graceMs)]);
      reviewContext.close();
    },
  };
}
