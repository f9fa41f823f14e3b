// The review port over real TLS sockets with generated certificates: who may connect, and how.
import tls from 'node:tls';
import type { RunningWebhook } from '../../../src/server';
import { createTestPki, type TestCredential, type TestPki } from '../../support/pki';
import { requestHttps } from '../../support/https-client';
import { CONTRACT_POLICY, writeTempPolicy } from '../../support/policies';
import { startTestWebhook } from '../../support/webhook';

const ALLOWED_BODY = JSON.stringify({
  kind: 'ImageReview',
  apiVersion: 'imagepolicy.k8s.io/v1alpha1',
  spec: { containers: [{ image: 'registry.example.com/app:1' }], namespace: 'default' },
});

let pki: TestPki;
let policyFile: string;

beforeAll(async () => {
  pki = await createTestPki();
  policyFile = writeTempPolicy(CONTRACT_POLICY);
});
afterAll(() => pki.remove());

async function withWebhook<T>(options: { allowedClientNames?: string[]; skipClientAuth?: boolean }, run: (webhook: RunningWebhook) => Promise<T>): Promise<T> {
  const webhook = await startTestWebhook(pki, {
    policyFile,
    ...(options.skipClientAuth ? { clientCaFile: undefined } : {}),
    allowedClientNames: options.allowedClientNames ?? [],
  });
  try {
    return await run(webhook);
  } finally {
    await webhook.close();
  }
}

type ClientChoice = 'apiserver' | 'intruder' | 'foreign' | 'expired' | 'none';

function clientCredential(choice: ClientChoice): TestCredential | undefined {
  switch (choice) {
    case 'apiserver': return pki.apiserverClient;
    case 'intruder': return pki.intruderClient;
    case 'foreign': return pki.foreignClient;
    case 'expired': return pki.expiredClient;
    case 'none': return undefined;
  }
}

describe('mutual TLS on the review port', () => {
  test.each<{ name: string; client: ClientChoice; allowedClientNames?: string[]; skipClientAuth?: boolean; accepted: boolean }>([
    { name: 'trusted client certificate passes', client: 'apiserver', accepted: true },
    { name: 'no client certificate is refused', client: 'none', accepted: false },
    { name: 'client certificate from another CA is refused', client: 'foreign', accepted: false },
    { name: 'expired client certificate is refused', client: 'expired', accepted: false },
    { name: 'client name on the allowed list passes', client: 'apiserver', allowedClientNames: ['kube-apiserver'], accepted: true },
    { name: 'client name outside --allowed-client-names is refused', client: 'intruder', allowedClientNames: ['kube-apiserver'], accepted: false },
    { name: 'allowed names never admit a foreign CA', client: 'foreign', allowedClientNames: ['kube-apiserver'], accepted: false },
    { name: 'explicitly insecure mode serves a client without certificate', client: 'none', skipClientAuth: true, accepted: true },
  ])('$name', async ({ client, allowedClientNames, skipClientAuth, accepted }) => {
    await withWebhook({ ...(allowedClientNames ? { allowedClientNames } : {}), ...(skipClientAuth ? { skipClientAuth } : {}) }, async (webhook) => {
      const credential = clientCredential(client);
      const attempt = requestHttps(
        webhook.reviewAddress.port,
        { ca: pki.ca.certificate, ...(credential ? { cert: credential.certificate, key: credential.privateKey } : {}) },
        ALLOWED_BODY,
      );
      if (accepted) {
        const result = await attempt;
        expect(result.status).toBe(200);
        expect(JSON.parse(result.body).status.allowed).toBe(true);
      } else {
        await expect(attempt).rejects.toThrow();
      }
    });
  });
});

describe('TLS protocol versions', () => {
  test.each<{ name: string; version: tls.SecureVersion; accepted: boolean }>([
    { name: 'TLS 1.0 is refused', version: 'TLSv1', accepted: false },
    { name: 'TLS 1.1 is refused', version: 'TLSv1.1', accepted: false },
    { name: 'TLS 1.2 is accepted', version: 'TLSv1.2', accepted: true },
    { name: 'TLS 1.3 is accepted', version: 'TLSv1.3', accepted: true },
  ])('$name', async ({ version, accepted }) => {
    await withWebhook({}, async (webhook) => {
      const outcome = await new Promise<string>((resolve) => {
        const socket = tls.connect({
          host: '127.0.0.1',
          port: webhook.reviewAddress.port,
          servername: 'localhost',
          ca: pki.ca.certificate,
          cert: pki.apiserverClient.certificate,
          key: pki.apiserverClient.privateKey,
          minVersion: version,
          maxVersion: version,
          // OpenSSL's default security level forbids TLS < 1.2 on the client side too; lower it so
          // that the refusal we observe is the server's.
          ciphers: 'DEFAULT:@SECLEVEL=0',
        });
        socket.once('secureConnect', () => {
          resolve(socket.getProtocol() ?? 'unknown');
          socket.end();
        });
        socket.once('error', (error) => resolve(`error: ${error.message}`));
      });
      if (accepted) expect(outcome).toBe(version);
      else expect(outcome).toMatch(/^error: /);
    });
  });
});

describe('connection handling', () => {
  test('idle keep-alive outlives kube-apiserver\'s 90 s idle timeout', async () => {
    await withWebhook({}, async (webhook) => {
      const result = await requestHttps(
        webhook.reviewAddress.port,
        { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey },
        ALLOWED_BODY,
        { headers: { Connection: 'keep-alive' } },
      );
      const keepAlive = result.headers['keep-alive'];
      expect(keepAlive).toMatch(/timeout=(\d+)/);
      expect(Number(/timeout=(\d+)/.exec(String(keepAlive))?.[1])).toBeGreaterThan(90);
    });
  });
});
