// What the two baseline servers share with the webhook under test: the same certificates, the
// same TLS settings (TLS 1.2+, client certificate required and verified against the CA) and
// the same answer body, handed over by the harness through environment variables.
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import path from 'node:path';

export interface BaselineConfig {
  readonly port: number;
  readonly tls: ServerOptions;
  /** The ImageReview the webhook answered for the benchmark request, parsed. */
  readonly response: unknown;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} must be set by the harness`);
  return value;
}

export function readBaselineConfig(): BaselineConfig {
  const pkiDir = requireEnv('BENCH_PKI_DIR');
  return {
    port: Number(requireEnv('BENCH_PORT')),
    tls: {
      cert: readFileSync(path.join(pkiDir, 'server.crt')),
      key: readFileSync(path.join(pkiDir, 'server.key')),
      ca: readFileSync(path.join(pkiDir, 'ca.crt')),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    response: JSON.parse(readFileSync(requireEnv('BENCH_RESPONSE_FILE'), 'utf8')) as unknown,
  };
}

/** The line the harness waits for before it sends load. */
export const READY_LINE = 'ready';
