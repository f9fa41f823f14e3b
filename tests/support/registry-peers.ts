// The other ends a registry client meets, for the cases the real registry cannot play: a token
// server that docker-registry's token auth trusts (ES256 JWTs with an x5c chain to a test CA),
// a server that accepts connections and never answers (timeouts), and a registry that omits
// the Docker-Content-Digest header (the GET fallback).
import { createHash, createPrivateKey, randomUUID, sign } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { BasicLogin } from './registry';

export interface TokenServerOptions {
  readonly service: string;
  readonly issuer: string;
  /** Signing certificate (serverAuth, P-256) and key, PEM; the registry trusts its CA. */
  readonly certificate: string;
  readonly privateKey: string;
  /** Accepted login; absent means everyone may pull. */
  readonly login?: BasicLogin;
}

export interface RunningPeer {
  readonly url: string;
  /** Requests answered so far. */
  readonly requests: () => number;
  stop(): Promise<void>;
}

function base64Url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** `repository:team/app:pull,push` -> the JWT access claim distribution reads. */
function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',') };
}

function signToken(options: TokenServerOptions, access: readonly object[]): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'ES256', x5c: [pemBody(options.certificate)] };
  const claims = { iss: options.issuer, sub: options.login?.username ?? 'anonymous', aud: options.service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access };
  const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(claims))}`;
  // JWS wants ECDSA signatures as r||s, not DER.
  const signature = sign('sha256', Buffer.from(signingInput), { key: createPrivateKey(options.privateKey), dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${base64Url(signature)}`;
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closeWithSockets(server: net.Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function trackSockets(server: net.Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

export async function startTokenServer(options: TokenServerOptions): Promise<RunningPeer> {
  let requests = 0;
  const expected = options.login === undefined ? undefined : `Basic ${Buffer.from(`${options.login.username}:${options.login.password}`).toString('base64')}`;
  const server = http.createServer((request, response) => {
    requests += 1;
    const url = new URL(request.url ?? '/', 'http://token');
    const authorization = request.headers.authorization;
    if (expected !== undefined && authorization !== expected) {
      response.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"invalid credentials"}');
      return;
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => parseScope(scope) ?? []);
    const token = signToken(options, access);
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  const sockets = trackSockets(server);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/token`, requests: () => requests, stop: () => closeWithSockets(server, sockets) };
}

/** Accepts TCP connections and reads requests, but never answers: a hung registry. */
export async function startSilentServer(): Promise<RunningPeer> {
  let requests = 0;
  const server = net.createServer((socket) => {
    requests += 1;
    socket.resume();
  });
  const sockets = trackSockets(server);
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, stop: () => closeWithSockets(server, sockets) };
}

/** A registry that serves one manifest (or whatever body it is given) without Docker-Content-Digest, as the spec allows. */
export async function startRegistryWithoutDigestHeader(manifest: string, contentType = 'application/vnd.oci.image.manifest.v1+json'): Promise<RunningPeer & { readonly digest: string }> {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests += 1;
    const headers = { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(manifest)) };
    if (request.url !== '/v2/team/app/manifests/v1') response.writeHead(404).end();
    else if (request.method === 'HEAD') response.writeHead(200, headers).end();
    else response.writeHead(200, headers).end(manifest);
  });
  const sockets = trackSockets(server);
  const port = await listen(server);
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  return { url: `http://127.0.0.1:${port}`, digest, requests: () => requests, stop: () => closeWithSockets(server, sockets) };
}
