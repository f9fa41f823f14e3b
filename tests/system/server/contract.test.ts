// kube-apiserver's requests, byte for byte as it sends them (tests/fixtures/requests, current and
// 1.33-and-older shapes), sent unchanged over a real mutual-TLS socket, get the decisions below
// under the "allow only registry.example.com/**" policy.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningWebhook } from '../../../src/server';
import { createTestPki, type TestPki } from '../../support/pki';
import { requestHttps } from '../../support/https-client';
import { FIXTURES_DIR } from '../../support/paths';
import { startTestWebhook } from '../../support/webhook';

const FIXTURES = path.join(FIXTURES_DIR, 'requests');
const AUDIT_KEY = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

const EXPECTED: ReadonlyArray<{ file: string; allowed: boolean; reasonMentions?: string }> = [
  { file: 'request-plain-pod.json', allowed: true },
  { file: 'request-init-containers.json', allowed: false, reasonMentions: 'docker.io/library/busybox:1.36' },
  { file: 'request-annotations.json', allowed: true },
  { file: 'request-ephemeral-container.json', allowed: false, reasonMentions: 'busybox:1.36' },
  { file: 'request-namespace.json', allowed: false, reasonMentions: 'registry.example.com.mirror.example.net/team-a/app:1.0' },
];

let pki: TestPki;
let webhook: RunningWebhook;

beforeAll(async () => {
  pki = await createTestPki();
  webhook = await startTestWebhook(pki);
});
afterAll(async () => {
  await webhook.close();
  pki.remove();
});

const rows = ['', 'k8s-1.33-and-older'].flatMap((folder) =>
  EXPECTED.map((row) => ({ ...row, name: path.join(folder, row.file), bytes: readFileSync(path.join(FIXTURES, folder, row.file)) })),
);

test.each(rows)('$name', async ({ bytes, allowed, reasonMentions }) => {
  expect(bytes.at(-1)).toBe(0x0a); // sent with Go's trailing newline, exactly as recorded
  const result = await requestHttps(
    webhook.reviewAddress.port,
    { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey },
    bytes,
    { path: '/imagepolicy?timeout=30s' },
  );
  expect(result.status).toBe(200);
  expect(result.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(result.body);
  expect(body.apiVersion).toBe('imagepolicy.k8s.io/v1alpha1');
  expect(body.kind).toBe('ImageReview');
  expect(body.status.allowed).toBe(allowed);
  if (allowed) {
    expect(body.status.reason).toBeUndefined();
  } else {
    expect(typeof body.status.reason).toBe('string');
    expect(body.status.reason).toContain(reasonMentions);
    expect(body.status.reason).not.toMatch(/\n/);
    expect(body.status.reason.length).toBeLessThanOrEqual(200);
  }
  for (const [key, value] of Object.entries(body.status.auditAnnotations as Record<string, unknown>)) {
    expect(key).toMatch(AUDIT_KEY);
    expect(key).not.toBe('failed-open');
    expect(typeof value).toBe('string');
  }
});
