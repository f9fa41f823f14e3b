// The webhook started in-process the way every server test needs it: mutual TLS with the test
// PKI, both listeners on loopback port 0, the contract policy and no log output, unless a test
// overrides a field. One place, instead of the same option block in every test.
import { SILENT_LOGGER } from '../../src/logger';
import { type RunningWebhook, type WebhookConfig, startWebhook } from '../../src/server';
import type { TestPki } from './pki';
import { CONTRACT_POLICY, writeTempPolicy } from './policies';

/** `clientCaFile: undefined` serves without client authentication (--insecure-skip-client-auth). */
export function startTestWebhook(pki: TestPki, overrides: Partial<WebhookConfig> = {}): Promise<RunningWebhook> {
  return startWebhook({
    policyFile: overrides.policyFile ?? writeTempPolicy(CONTRACT_POLICY),
    tlsCertFile: pki.server.certPath,
    tlsKeyFile: pki.server.keyPath,
    clientCaFile: pki.ca.certPath,
    listen: { host: '127.0.0.1', port: 0 },
    healthListen: { host: '127.0.0.1', port: 0 },
    allowedClientNames: [],
    logger: SILENT_LOGGER,
    ...overrides,
  });
}
