// Liveness and readiness on a separate plain-HTTP listener, by default bound to loopback, so
// probes never need the client certificates that the review port demands.
import express, { type Express } from 'express';

export interface HealthOptions {
  /** True while a valid policy and valid TLS material are loaded. */
  readonly isReady: () => boolean;
}

export function createHealthApp(options: HealthOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/healthz', (_request, response) => {
    response.type('text/plain').send('ok');
  });
  app.get('/readyz', (_request, response) => {
    const ready = options.isReady();
    response.status(ready ? 200 : 503).type('text/plain').send(ready ? 'ok' : 'not ready');
  });
  app.use((_request, response) => {
    response.status(404).type('text/plain').send('not found: try /healthz or /readyz');
  });
  return app;
}
