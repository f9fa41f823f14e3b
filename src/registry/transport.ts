// HTTP(S) to registries: keep-alive agents (a lookup after the first costs no handshake), the
// system trust store plus an optional CA, a cap on how much of a body is read, and cancellation
// through an AbortSignal so a lookup's deadline covers connect, TLS, token and manifest requests.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { RegistryLookupError } from './errors';

/** Connections kept per registry host; lookups beyond that wait their turn instead of opening more. */
export const MAX_SOCKETS_PER_HOST = 16;

export interface TransportRequest {
  readonly url: URL;
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  /** Uploaded bytes (blob and manifest pushes); callers set Content-Length and Content-Type. */
  readonly body?: Uint8Array;
  readonly signal: AbortSignal;
  /** A longer body is refused: registries and token servers answer in kilobytes. */
  readonly maxBodyBytes: number;
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const TLS_ERROR_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** What OpenSSL says when the other end answers a ClientHello with plain HTTP. */
const NOT_TLS_MESSAGE = 'wrong version number';

function describeNetworkError(error: unknown, url: URL): RegistryLookupError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  // OpenSSL messages run over several lines; a reason is one line.
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/^Error: /, '') ?? '';
  if (code === 'EPROTO' && message.includes(NOT_TLS_MESSAGE)) {
    return new RegistryLookupError('unreachable', `TLS with ${url.host} failed: it does not speak TLS (plain-HTTP registries go in resolveTags.plainHttpRegistries)`);
  }
  if (TLS_ERROR_CODES.has(code)) {
    return new RegistryLookupError('unreachable', `TLS with ${url.host} failed: ${message} (a private CA goes in resolveTags.caFile)`);
  }
  return new RegistryLookupError('unreachable', `cannot reach ${url.host}: ${message}`);
}

export class RegistryTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST });
  private readonly httpsAgent: https.Agent;

  /** `extraCa`: PEM certificates trusted in addition to the system roots. */
  constructor(extraCa: string | undefined) {
    const ca = extraCa === undefined ? undefined : [...rootCertificates, extraCa];
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST, ...(ca === undefined ? {} : { ca }) });
  }

  send(request: TransportRequest): Promise<TransportResponse> {
    const { url } = request;
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const options = { method: request.method, headers: request.headers, signal: request.signal, agent: secure ? this.httpsAgent : this.httpAgent };
      const outgoing = (secure ? https : http).request(url, options, (incoming) => {
        const chunks: Buffer[] = [];
        let received = 0;
        incoming.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > request.maxBodyBytes) {
            incoming.destroy();
            reject(new RegistryLookupError('protocol', `${url.host} sent more than ${request.maxBodyBytes} bytes for ${url.pathname}`));
            return;
          }
          chunks.push(chunk);
        });
        incoming.on('error', (error) => reject(request.signal.aborted ? error : describeNetworkError(error, url)));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }));
      });
      outgoing.on('error', (error) => reject(request.signal.aborted ? error : describeNetworkError(error, url)));
      outgoing.end(request.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
