// The HTTPS listener for reviews: TLS 1.2 or newer, client certificates required and verified
// against the client CA, optionally restricted to named clients. Keep-alive outlives Go's 90 s
// idle-connection timeout so kube-apiserver never reuses a socket the server is closing.
import { constants } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { Express } from 'express';
import type { Logger } from '../logger';

export const KEEP_ALIVE_TIMEOUT_MS = 120_000;
// Node (20+) times headers from a request's first byte, so idle keep-alive is unaffected; and it
// applies the larger of these two bounds to the whole request, so headers must not exceed it.
export const HEADERS_TIMEOUT_MS = 10_000;
// kube-apiserver abandons a review after 30 s; a client slower than that is not the apiserver.
export const REQUEST_TIMEOUT_MS = 30_000;
// How often Node looks for requests past those bounds; its default (30 s) doubles a slow client's hold.
export const CONNECTIONS_CHECK_INTERVAL_MS = 2_000;
// A TLS handshake still unfinished after this is not kube-apiserver's (Node's default is 120 s).
export const HANDSHAKE_TIMEOUT_MS = 10_000;
export const MIN_TLS_VERSION = 'TLSv1.2';
/**
 * Forward-secret key exchange with AEAD ciphers only (Mozilla "intermediate" without DHE): no
 * CBC, RSA key exchange, CCM-8 or ARIA, which Node's default list still offers over TLS 1.2.
 */
export const CIPHER_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface TlsMaterial {
  readonly cert: string | Buffer;
  readonly key: Buffer;
  /** The client CA bundle, one PEM block per CA; undefined only when client authentication is switched off. */
  readonly clientCa?: readonly string[];
}

export interface TlsServerOptions {
  readonly material: TlsMaterial;
  /** When non-empty, a client certificate's CN or a DNS SAN must be one of these names. */
  readonly allowedClientNames: readonly string[];
  readonly logger: Logger;
}

/** The names a client certificate presents: its CN and its DNS subject alternative names. */
export function clientCertificateNames(socket: TLSSocket): string[] {
  const certificate = socket.getPeerCertificate();
  const names: string[] = [];
  const commonName = certificate.subject?.CN;
  if (typeof commonName === 'string') names.push(commonName);
  for (const entry of (certificate.subjectaltname ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) names.push(entry.slice('DNS:'.length));
  }
  return names;
}

/**
 * The parts of the TLS setup that a certificate rotation replaces (through server.setSecureContext),
 * so the protocol, cipher and renegotiation settings travel with every rotation.
 */
export function buildSecureContextOptions(material: TlsMaterial): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.clientCa === undefined ? {} : { ca: [...material.clientCa] }),
    minVersion: MIN_TLS_VERSION,
    ciphers: CIPHER_SUITES,
    honorCipherOrder: true,
    // A client-initiated renegotiation costs the server a full handshake and buys the client nothing.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  };
}

/**
 * The client-name check for --allowed-client-names, answered once per connection. Undefined when
 * every client the CA signed may ask.
 */
function buildClientNameCheck(allowedClientNames: readonly string[], logger: Logger): ((socket: TLSSocket) => boolean) | undefined {
  if (allowedClientNames.length === 0) return undefined;
  const allowed = new Set(allowedClientNames);
  const verdicts = new WeakMap<TLSSocket, boolean>();
  return (socket) => {
    const known = verdicts.get(socket);
    if (known !== undefined) return known;
    const names = clientCertificateNames(socket);
    const verdict = names.some((name) => allowed.has(name));
    verdicts.set(socket, verdict);
    if (!verdict) logger.warn('client certificate name not allowed', { names, remoteAddress: socket.remoteAddress });
    return verdict;
  };
}

export function createTlsServer(app: Express, options: TlsServerOptions): https.Server {
  const { material, allowedClientNames, logger } = options;
  const isAllowedClient = buildClientNameCheck(allowedClientNames, logger);
  // Checked again for every request, not only when the connection is set up: with TLS 1.3 a
  // client's first request can arrive with its handshake and reach the HTTP parser before any
  // connection listener could refuse the socket. A refused client's request is never judged.
  const handleRequest =
    isAllowedClient === undefined
      ? app
      : (request: IncomingMessage, response: ServerResponse): void => {
          if (isAllowedClient(request.socket as TLSSocket)) app(request, response);
          else request.socket.destroy();
        };
  const server = https.createServer(
    {
      ...buildSecureContextOptions(material),
      // Whether clients must authenticate is fixed at startup; a rotation only swaps the files.
      requestCert: material.clientCa !== undefined,
      rejectUnauthorized: material.clientCa !== undefined,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
    },
    handleRequest,
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;

  if (isAllowedClient !== undefined) {
    // Before the HTTP server's own listener, so a refused socket is closed before it is parsed.
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      if (!isAllowedClient(socket)) socket.destroy();
    });
  }
  server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
    logger.warn('TLS handshake failed', { error: error.message, remoteAddress: socket.remoteAddress });
  });
  return server;
}
