// --allowed-client-names over real mutual TLS, with client certificates minted by the real openssl:
// a name counts when it is the CN or a DNS subject alternative name, exactly; URI, email and IP
// SANs never count, and a DNS SAN that spells a list is one (escaped) name, not several.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { SILENT_LOGGER } from '../../../src/logger';
import { startWebhook } from '../../../src/server';
import { eventually } from '../../support/eventually';
import { requestHttps } from '../../support/https-client';
import { createMemoryLogger } from '../../support/memory-logger';
import { createTestPki, runOpenssl, type TestPki } from '../../support/pki';
import { CONTRACT_POLICY, writeTempPolicy } from '../../support/policies';

const ALLOWED_NAME = 'kube-apiserver';
const BODY = JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: [{ image: 'registry.example.com/app:1' }], namespace: 'default' } });

let pki: TestPki;
let policyFile: string;

beforeAll(async () => {
  pki = await createTestPki();
  policyFile = writeTempPolicy(CONTRACT_POLICY);
});
afterAll(() => pki.remove());

/** A client certificate signed by the test CA with this CN and these SAN lines (openssl config syntax). */
function mintClient(name: string, commonName: string, subjectAltNames: readonly string[]): { cert: string; key: string } {
  const base = path.join(pki.dir, name);
  const extensions = ['[ext]', 'extendedKeyUsage = clientAuth', ...(subjectAltNames.length > 0 ? ['subjectAltName = @alt', '[alt]', ...subjectAltNames] : [])].join('\n');
  writeFileSync(`${base}.cnf`, `${extensions}\n`);
  const steps = [
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`],
    ['x509', '-req', '-in', `${base}.csr`, '-CA', pki.ca.certPath, '-CAkey', pki.ca.keyPath, '-CAcreateserial', '-out', `${base}.crt`, '-days', '1', '-extfile', `${base}.cnf`, '-extensions', 'ext'],
  ];
  for (const args of steps) {
    const result = runOpenssl(args);
    if (result.code !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  }
  return { cert: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') };
}

test.each([
  { name: 'the allowed name as the only DNS SAN (CN is another name)', commonName: 'node-7', subjectAltNames: [`DNS.1 = ${ALLOWED_NAME}`], allowed: [ALLOWED_NAME], accepted: true },
  { name: 'the allowed name as the second of two DNS SANs', commonName: 'node-7', subjectAltNames: ['DNS.1 = other.example.com', `DNS.2 = ${ALLOWED_NAME}`], allowed: [ALLOWED_NAME], accepted: true },
  { name: 'the allowed name as a URI SAN does not count', commonName: 'node-7', subjectAltNames: [`URI.1 = ${ALLOWED_NAME}`], allowed: [ALLOWED_NAME], accepted: false },
  { name: 'the allowed name as an email SAN does not count', commonName: 'node-7', subjectAltNames: [`email.1 = ${ALLOWED_NAME}`], allowed: [ALLOWED_NAME], accepted: false },
  { name: 'an IP SAN does not count as a name', commonName: 'node-7', subjectAltNames: ['IP.1 = 127.0.0.1'], allowed: ['127.0.0.1'], accepted: false },
  { name: 'a DNS SAN that only starts with the allowed name', commonName: 'node-7', subjectAltNames: [`DNS.1 = ${ALLOWED_NAME}.evil.example`], allowed: [ALLOWED_NAME], accepted: false },
  { name: 'a DNS SAN that spells a list is one name', commonName: 'node-7', subjectAltNames: [`DNS.1 = evil, DNS:${ALLOWED_NAME}`], allowed: [ALLOWED_NAME], accepted: false },
  { name: 'names are compared exactly, case included', commonName: 'node-7', subjectAltNames: ['DNS.1 = Kube-Apiserver'], allowed: [ALLOWED_NAME], accepted: false },
])('$name', async ({ name, commonName, subjectAltNames, allowed, accepted }) => {
  const client = mintClient(name.replace(/[^a-z0-9]+/gi, '-'), commonName, subjectAltNames);
  const webhook = await startWebhook({
    policyFile,
    tlsCertFile: pki.server.certPath,
    tlsKeyFile: pki.server.keyPath,
    clientCaFile: pki.ca.certPath,
    listen: { host: '127.0.0.1', port: 0 },
    healthListen: { host: '127.0.0.1', port: 0 },
    allowedClientNames: allowed,
    logger: SILENT_LOGGER,
  });
  try {
    const attempt = requestHttps(webhook.reviewAddress.port, { ca: pki.ca.certificate, cert: client.cert, key: client.key }, BODY);
    if (accepted) expect((await attempt).status).toBe(200);
    else await expect(attempt).rejects.toThrow();
  } finally {
    await webhook.close();
  }
});

test('a refused client name never has a review judged, even when its request arrives with the TLS 1.3 handshake', async () => {
  const memory = createMemoryLogger();
  const webhook = await startWebhook({
    policyFile,
    tlsCertFile: pki.server.certPath,
    tlsKeyFile: pki.server.keyPath,
    clientCaFile: pki.ca.certPath,
    listen: { host: '127.0.0.1', port: 0 },
    healthListen: { host: '127.0.0.1', port: 0 },
    allowedClientNames: [ALLOWED_NAME],
    logger: memory.logger,
  });
  const request = `POST /imagepolicy HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`;
  const ATTEMPTS = 20;
  try {
    const closed = Array.from({ length: ATTEMPTS }, () => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: webhook.reviewAddress.port,
        servername: 'localhost',
        ca: pki.ca.certificate,
        cert: pki.intruderClient.certificate,
        key: pki.intruderClient.privateKey,
        minVersion: 'TLSv1.3',
      });
      // Written before the handshake completes: sent in the client's first flight after Finished.
      socket.write(request);
      socket.on('error', () => undefined);
      return new Promise<string>((resolve) => {
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer));
      });
    });
    const answers = await Promise.all(closed);
    expect(answers.filter((answer) => answer !== '')).toEqual([]);
    await eventually(() => memory.find('client certificate name not allowed').length >= ATTEMPTS || undefined, { timeoutMs: 10_000, describe: () => 'a refusal logged for every attempt' });
    expect(memory.find('review')).toEqual([]);
    const text = await webhook.metrics.registry.metrics();
    expect(text).toMatch(/^image_policy_webhook_review_duration_seconds_count 0$/m);
  } finally {
    await webhook.close();
  }
});
