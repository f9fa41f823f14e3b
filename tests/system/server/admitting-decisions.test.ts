// The two ways an enforce-mode denial becomes an admission — audit mode and break-glass — answered
// over real mutual TLS by the running server: allowed true, with the audit annotations that say why.
// A server path that denied them would break every cluster in audit mode, so it is tested here and
// not only through the case files.
import { SILENT_LOGGER } from '../../../src/logger';
import { type RunningWebhook, startWebhook } from '../../../src/server';
import { requestHttps } from '../../support/https-client';
import { createTestPki, type TestPki } from '../../support/pki';
import { writeTempPolicy } from '../../support/policies';

const POLICY = `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: admitting
allow: [registry.k8s.io/**]
deny: ["**:latest"]
namespaces:
  - names: ["dev-*"]
    mode: audit
  - names: [incident]
    breakGlass: true
`;

let pki: TestPki;
let webhook: RunningWebhook;

beforeAll(async () => {
  pki = await createTestPki();
  webhook = await startWebhook({
    policyFile: writeTempPolicy(POLICY),
    tlsCertFile: pki.server.certPath,
    tlsKeyFile: pki.server.keyPath,
    clientCaFile: pki.ca.certPath,
    listen: { host: '127.0.0.1', port: 0 },
    healthListen: { host: '127.0.0.1', port: 0 },
    allowedClientNames: ['kube-apiserver'],
    logger: SILENT_LOGGER,
  });
});

afterAll(async () => {
  await webhook?.close();
  pki?.remove();
});

function review(namespace: string, annotations: Record<string, string> = {}): string {
  return JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: [{ image: 'nginx:latest' }], annotations, namespace } });
}

test.each([
  { name: 'audit mode admits a would-be denial', namespace: 'dev-alice', annotations: {} as Record<string, string>, allowed: true, decision: 'audit-deny', extra: { mode: 'audit', 'denied-images': 'docker.io/library/nginx:latest' } },
  { name: 'break-glass admits where the policy enables it', namespace: 'incident', annotations: { 'alpha.image-policy.k8s.io/break-glass': 'true' }, allowed: true, decision: 'break-glass', extra: { 'break-glass': 'true' } },
  { name: 'the same pod is denied in an enforced namespace', namespace: 'default', annotations: { 'alpha.image-policy.k8s.io/break-glass': 'true' }, allowed: false, decision: 'deny', extra: { mode: 'enforce' } },
])('$name', async ({ namespace, annotations, allowed, decision, extra }) => {
  const answer = await requestHttps(webhook.reviewAddress.port, { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey }, review(namespace, annotations));
  expect(answer.status).toBe(200);
  const status = JSON.parse(answer.body).status;
  expect(status.allowed).toBe(allowed);
  expect(status.auditAnnotations).toMatchObject({ decision, policy: 'admitting', ...extra });
  if (allowed) expect(status.reason).toBeUndefined();
  else expect(status.reason).toMatch(/\*\*:latest/);
});
