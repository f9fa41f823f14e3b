// Liveness, readiness and metrics on a separate plain-HTTP listener, by default bound to loopback,
// so probes and Prometheus never need the client certificates that the review port demands.
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  /** Shown after the name: what is loaded, or why the check fails. */
  readonly detail: string;
}

/** Where /metrics comes from: a registry, or (serve --workers) the sum over every worker. */
export type MetricsSource = Pick<Registry, 'contentType' | 'metrics'>;

export interface HealthOptions {
  /** Ready only while a valid policy and valid TLS material are loaded and the server is not draining. */
  readonly readinessChecks: () => readonly ReadinessCheck[];
  readonly metrics: MetricsSource;
}

function formatCheck(check: ReadinessCheck): string {
  return `[${check.ok ? '+' : '-'}]${check.name} ${check.detail}`;
}

export function createHealthApp(options: HealthOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/healthz', (_request, response) => {
    response.type('text/plain').send('ok');
  });
  // Like kube-apiserver's: `ok` when ready, every check with `?verbose`, the failing ones when not.
  app.get('/readyz', (request, response) => {
    const checks = options.readinessChecks();
    const ready = checks.every((check) => check.ok);
    const verbose = request.query.verbose !== undefined;
    const shown = verbose ? checks : checks.filter((check) => !check.ok);
    const lines = [...shown.map(formatCheck), ready ? 'ok' : 'not ready'];
    response.status(ready ? 200 : 503).type('text/plain').send(`${lines.join('\n')}\n`);
  });
  app.get('/metrics', async (_request, response) => {
    const body = await options.metrics.metrics();
    response.type(options.metrics.contentType).send(body);
  });
  app.use((_request, response) => {
    response.status(404).type('text/plain').send('not found: try /healthz, /readyz or /metrics');
  });
  return app;
}
