// A small HTTPS client for tests: posts a body over a real (mutual) TLS connection and returns
// status, headers and body, with a fresh connection per call unless an agent is given.
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface ClientCredentials {
  readonly ca: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly agent?: https.Agent;
  readonly servername?: string;
}

export function requestHttps(port: number, credentials: ClientCredentials, body: string | Buffer | undefined, options: RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/imagepolicy',
        ca: credentials.ca,
        cert: credentials.cert,
        key: credentials.key,
        servername: options.servername ?? 'localhost',
        agent: options.agent ?? false,
        headers: { 'Content-Type': 'application/json', ...(options.headers ?? {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
