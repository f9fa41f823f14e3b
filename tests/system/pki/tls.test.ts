// The certificates exist for one purpose: a mutual-TLS handshake between kube-apiserver and the
// webhook. A real node:tls server and client prove it, for every key type, and prove that a
// client from a foreign CA, an expired client or a client without a certificate is refused.
import { once } from 'node:events';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { KEY_TYPES, generatePkiBundle } from '../../../src/pki';
import { createTestPki, type TestCredential, type TestPki } from '../../support/pki';

interface HandshakeResult {
  accepted: boolean;
  /** What the server saw: the client certificate's CN. */
  peerName?: string;
  error?: string;
}

interface ServerCredentials {
  ca: string;
  certificate: string;
  privateKey: string;
}

/**
 * `enforce` is how the webhook runs (handshake refused for an untrusted client); `inspect` accepts
 * every handshake and answers with OpenSSL's verdict, so a test can assert why a client was refused.
 */
async function startServer({ ca, certificate, privateKey }: ServerCredentials, mode: 'enforce' | 'inspect' = 'enforce'): Promise<Server> {
  const options = { ca, cert: certificate, key: privateKey, requestCert: true, rejectUnauthorized: mode === 'enforce', minVersion: 'TLSv1.2' as const };
  const server = createServer(options, (socket) => {
    const subject = socket.getPeerCertificate().subject;
    socket.end(socket.authorized ? `hello ${subject?.CN ?? ''}` : `refused ${String(socket.authorizationError)}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Connects and waits for the server's greeting; TLS 1.3 reports a refused client cert only after the handshake. */
function attemptHandshake(
  server: Server,
  options: { ca: string; certificate?: string; privateKey?: string; servername?: string; host?: string },
): Promise<HandshakeResult> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve) => {
    let greeting = '';
    const socket: TLSSocket = connect({
      host: options.host ?? '127.0.0.1',
      port,
      ca: options.ca,
      cert: options.certificate,
      key: options.privateKey,
      servername: options.servername ?? 'localhost',
      rejectUnauthorized: true,
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (greeting += chunk));
    socket.on('error', (error) => resolve({ accepted: false, error: error.message }));
    socket.on('close', () => {
      if (greeting.startsWith('hello ')) resolve({ accepted: true, peerName: greeting.slice('hello '.length) });
      else resolve({ accepted: false, error: greeting === '' ? 'closed without a greeting' : greeting });
    });
  });
}

describe('mutual TLS with the shared test PKI', () => {
  let pki: TestPki;
  let server: Server;
  let inspector: Server;

  beforeAll(async () => {
    pki = await createTestPki();
    [server, inspector] = await Promise.all([
      startServer({ ca: pki.ca.certificate, ...pki.server }, 'enforce'),
      startServer({ ca: pki.ca.certificate, ...pki.server }, 'inspect'),
    ]);
  });
  afterAll(async () => {
    server.close();
    inspector.close();
    pki.remove();
  });

  type ClientName = 'apiserverClient' | 'intruderClient' | 'foreignClient' | 'expiredClient';
  test.each<{ name: string; client?: ClientName; want: HandshakeResult; verdict: string }>([
    { name: 'kube-apiserver client is accepted', client: 'apiserverClient', want: { accepted: true, peerName: 'kube-apiserver' }, verdict: 'hello kube-apiserver' },
    {
      name: "another client of the same CA gets through TLS (names are the server's job)",
      client: 'intruderClient',
      want: { accepted: true, peerName: 'intruder' },
      verdict: 'hello intruder',
    },
    { name: 'client from a foreign CA is refused', client: 'foreignClient', want: { accepted: false }, verdict: 'refused UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    { name: 'expired client is refused', client: 'expiredClient', want: { accepted: false }, verdict: 'refused CERT_HAS_EXPIRED' },
    { name: 'client without a certificate is refused', want: { accepted: false }, verdict: 'refused UNABLE_TO_GET_ISSUER_CERT' },
  ])('$name', async ({ client, want, verdict }) => {
    const credential: Partial<TestCredential> = client === undefined ? {} : pki[client];
    const options = { ca: pki.ca.certificate, certificate: credential.certificate, privateKey: credential.privateKey };
    const enforced = await attemptHandshake(server, options);
    expect(enforced.accepted).toBe(want.accepted);
    if (want.accepted) expect(enforced).toEqual(want);
    const inspected = await attemptHandshake(inspector, options);
    expect(inspected.accepted ? `hello ${inspected.peerName}` : inspected.error).toBe(verdict);
  });

  test.each([
    { name: 'DNS SAN localhost', host: '127.0.0.1', servername: 'localhost', accepted: true },
    { name: 'IPv4 SAN 127.0.0.1 (no SNI for an IP)', host: '127.0.0.1', servername: '', accepted: true },
    { name: 'a name not in the SANs', host: '127.0.0.1', servername: 'webhook.example.com', accepted: false },
  ])('server identity: $name', async ({ host, servername, accepted }) => {
    const result = await attemptHandshake(server, { ...pki.apiserverClient, ca: pki.ca.certificate, host, servername });
    expect(result.accepted).toBe(accepted);
    if (!accepted) expect(result.error).toMatch(/Hostname\/IP does not match certificate's altnames/);
  });

  test('the client refuses a server whose CA it does not trust', async () => {
    const result = await attemptHandshake(server, { ...pki.apiserverClient, ca: pki.foreignCa.certificate });
    // OpenSSL sends the CA along with the leaf (auto chain), so the untrusted root is what the client sees.
    expect(result).toEqual({ accepted: false, error: 'self-signed certificate in certificate chain' });
  });
});

test.each(KEY_TYPES.map((keyType) => ({ keyType })))('$keyType bundle completes a mutual-TLS handshake', async ({ keyType }) => {
  const bundle = await generatePkiBundle({ keyType });
  const server = await startServer({ ca: bundle.ca.certificate, ...bundle.server });
  try {
    const result = await attemptHandshake(server, { ca: bundle.ca.certificate, ...bundle.apiserverClient });
    expect(result).toEqual({ accepted: true, peerName: 'kube-apiserver' });
  } finally {
    server.close();
  }
});
