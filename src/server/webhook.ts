// Starts the webhook: reads the policy and TLS files, serves reviews over mutual TLS and health
// over plain HTTP, and drains in-flight reviews on close. Startup fails loudly, naming the file,
// rather than serving with a missing policy or certificate.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type https from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadPolicy, type CompiledPolicy } from '../policy';
import { type ListenAddress } from './address';
import { createApp } from './app';
import { createHealthApp } from './health';
import type { Logger } from './logger';
import { createTlsServer, type TlsMaterial } from './tls';

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
}

export interface RunningWebhook {
  readonly reviewAddress: AddressInfo;
  readonly healthAddress: AddressInfo;
  readonly policy: () => CompiledPolicy;
  close(): Promise<void>;
}

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

function readFlagFile(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new StartupError(`cannot read ${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readTlsMaterial(config: WebhookConfig): TlsMaterial {
  const cert = readFlagFile('--tls-cert', config.tlsCertFile);
  const key = readFlagFile('--tls-key', config.tlsKeyFile);
  const clientCa = config.clientCaFile === undefined ? undefined : readFlagFile('--client-ca', config.clientCaFile);
  return clientCa === undefined ? { cert, key } : { cert, key, clientCa };
}

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

export async function startWebhook(config: WebhookConfig): Promise<RunningWebhook> {
  const { logger } = config;
  const policy = loadPolicy(readFlagFile('--policy', config.policyFile).toString('utf8'), config.policyFile);
  let material: TlsMaterial;
  try {
    material = readTlsMaterial(config);
  } catch (error) {
    throw error instanceof StartupError ? error : new StartupError(String(error));
  }

  let draining = false;
  const app = createApp({ currentPolicy: () => policy, logger, isDraining: () => draining });
  let reviewServer: https.Server;
  try {
    reviewServer = createTlsServer(app, { material, allowedClientNames: config.allowedClientNames, logger });
  } catch (error) {
    // Node reports a certificate that does not match its key, or unparsable PEM, here.
    throw new StartupError(
      `cannot use --tls-cert ${config.tlsCertFile} / --tls-key ${config.tlsKeyFile}${config.clientCaFile ? ` / --client-ca ${config.clientCaFile}` : ''}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const healthServer = http.createServer(createHealthApp({ isReady: () => !draining }));

  const reviewAddress = await listen(reviewServer, config.listen, 'reviews');
  let healthAddress: AddressInfo;
  try {
    healthAddress = await listen(healthServer, config.healthListen, 'health checks');
  } catch (error) {
    reviewServer.close();
    throw error;
  }
  logger.info('serving', {
    reviews: `https://${config.listen.host}:${reviewAddress.port}/imagepolicy`,
    health: `http://${config.healthListen.host}:${healthAddress.port}/healthz`,
    policy: policy.name,
    policyHash: policy.hash,
    policyFile: config.policyFile,
    clientAuth: material.clientCa === undefined ? 'DISABLED' : 'required',
    allowedClientNames: config.allowedClientNames,
  });

  const graceMs = config.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  return {
    reviewAddress,
    healthAddress,
    policy: () => policy,
    async close() {
      draining = true;
      await Promise.all([closeServer(reviewServer, graceMs), closeServer(healthServer, graceMs)]);
    },
  };
}
