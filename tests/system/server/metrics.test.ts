// /metrics, /readyz and /healthz on the health port of a real webhook: counters move by exactly
// what each review over mutual TLS should add, and nothing a pod author controls becomes a label.
import type { RunningWebhook } from '../../../src/server';
import { generateServingCertificate } from '../../../src/pki';
import { requestHttps } from '../../support/https-client';
import { getPlain, scrapeMetrics, sampleValue, type Sample } from '../../support/metrics-text';
import { createTestPki, TEST_SERVER_SUBJECT_ALT_NAMES, type TestPki } from '../../support/pki';
import { writeTempPolicy } from '../../support/policies';
import { startTestWebhook } from '../../support/webhook';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const METRICS_POLICY = `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: metrics-test
allow:
  - registry.example.com/**
namespaces:
  - names: [audited]
    mode: audit
  - names: [emergency]
    breakGlass: true
`;
const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MS_PER_DAY = 24 * 60 * 60 * 1000;

let pki: TestPki;
let webhook: RunningWebhook;

function review(images: readonly string[], namespace = 'default', annotations: Record<string, string> = {}): string {
  return JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: images.map((image) => ({ image })), namespace, annotations } });
}

function startMetricsWebhook(tlsCertFile: string, tlsKeyFile: string): Promise<RunningWebhook> {
  return startTestWebhook(pki, { policyFile: writeTempPolicy(METRICS_POLICY), tlsCertFile, tlsKeyFile });
}

beforeAll(async () => {
  pki = await createTestPki();
  webhook = await startMetricsWebhook(pki.server.certPath, pki.server.keyPath);
});
afterAll(async () => {
  await webhook.close();
  pki.remove();
});

function send(body: string): Promise<unknown> {
  return requestHttps(webhook.reviewAddress.port, { ca: pki.ca.certificate, cert: pki.apiserverClient.certificate, key: pki.apiserverClient.privateKey }, body);
}

type Counted = { readonly name: string; readonly labels?: Record<string, string>; readonly delta: number };

const REVIEWS = 'image_policy_webhook_reviews_total';
const IMAGES = 'image_policy_webhook_images_total';
const DURATION_COUNT = 'image_policy_webhook_review_duration_seconds_count';
const INVALID = 'image_policy_webhook_invalid_requests_total';
const BREAK_GLASS = 'image_policy_webhook_break_glass_total';

describe('counters move by what each request adds', () => {
  test.each<{ name: string; body: string; counted: Counted[] }>([
    {
      name: 'allowed review',
      body: review(['registry.example.com/app:1', 'registry.example.com/sidecar:2']),
      counted: [
        { name: REVIEWS, labels: { decision: 'allow', mode: 'enforce' }, delta: 1 },
        { name: IMAGES, labels: { decision: 'allow' }, delta: 2 },
        { name: IMAGES, labels: { decision: 'deny' }, delta: 0 },
        { name: DURATION_COUNT, delta: 1 },
      ],
    },
    {
      name: 'denied review counts each image by its own verdict',
      body: review(['registry.example.com/app:1', 'nginx', 'evil.example.net/x:1']),
      counted: [
        { name: REVIEWS, labels: { decision: 'deny', mode: 'enforce' }, delta: 1 },
        { name: IMAGES, labels: { decision: 'allow' }, delta: 1 },
        { name: IMAGES, labels: { decision: 'deny' }, delta: 2 },
        { name: DURATION_COUNT, delta: 1 },
      ],
    },
    {
      name: 'audit-mode would-be denial',
      body: review(['nginx'], 'audited'),
      counted: [
        { name: REVIEWS, labels: { decision: 'audit-deny', mode: 'audit' }, delta: 1 },
        { name: REVIEWS, labels: { decision: 'deny', mode: 'enforce' }, delta: 0 },
        { name: BREAK_GLASS, delta: 0 },
      ],
    },
    {
      name: 'break-glass use',
      body: review(['nginx'], 'emergency', { 'alpha.image-policy.k8s.io/break-glass': 'true' }),
      counted: [
        { name: REVIEWS, labels: { decision: 'break-glass', mode: 'enforce' }, delta: 1 },
        { name: BREAK_GLASS, delta: 1 },
      ],
    },
    {
      name: 'break-glass asked where the policy does not enable it is a plain deny',
      body: review(['nginx'], 'default', { 'alpha.image-policy.k8s.io/break-glass': 'true' }),
      counted: [
        { name: REVIEWS, labels: { decision: 'deny', mode: 'enforce' }, delta: 1 },
        { name: BREAK_GLASS, delta: 0 },
      ],
    },
    {
      name: 'invalid image reference is a denied image',
      body: review(['NOT a reference']),
      counted: [
        { name: REVIEWS, labels: { decision: 'deny', mode: 'enforce' }, delta: 1 },
        { name: IMAGES, labels: { decision: 'deny' }, delta: 1 },
      ],
    },
    {
      name: 'not JSON',
      body: '{"kind": "ImageRev',
      counted: [
        { name: INVALID, labels: { kind: 'not-json' }, delta: 1 },
        { name: DURATION_COUNT, delta: 0 },
      ],
    },
    {
      name: 'JSON that is not an ImageReview',
      body: JSON.stringify({ kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1' }),
      counted: [
        { name: INVALID, labels: { kind: 'not-imagereview' }, delta: 1 },
        { name: REVIEWS, labels: { decision: 'deny', mode: 'enforce' }, delta: 0 },
      ],
    },
    {
      name: 'body over the size cap',
      body: review(['registry.example.com/a'], 'default', { 'x.example.com/pad': 'p'.repeat(MAX_BODY_BYTES) }),
      counted: [
        { name: INVALID, labels: { kind: 'too-large' }, delta: 1 },
        { name: DURATION_COUNT, delta: 0 },
      ],
    },
  ])('$name', async ({ body, counted }) => {
    const before = await scrapeMetrics(webhook.healthAddress.port);
    await send(body);
    const after = await scrapeMetrics(webhook.healthAddress.port);
    for (const { name, labels, delta } of counted) {
      expect({ name, labels, delta: sampleValue(after, name, labels) - sampleValue(before, name, labels) }).toEqual({ name, labels, delta });
    }
  });
});

describe('what /metrics exposes', () => {
  let samples: Sample[];
  beforeAll(async () => {
    await send(review(['hostile.example.net/secret-label-probe:v1'], 'namespace-label-probe'));
    samples = await scrapeMetrics(webhook.healthAddress.port);
  });

  test.each<{ name: string; check: (samples: Sample[]) => void }>([
    { name: 'policy info names the policy and its hash', check: (all) => expect(sampleValue(all, 'image_policy_webhook_policy_info', { name: 'metrics-test', hash: webhook.policy().hash })).toBe(1) },
    { name: 'exactly one policy info series', check: (all) => expect(all.filter((sample) => sample.name === 'image_policy_webhook_policy_info')).toHaveLength(1) },
    {
      name: 'serving certificate expiry is the certificate\'s notAfter',
      check: (all) => expect(sampleValue(all, 'image_policy_webhook_certificate_expiry_timestamp_seconds', { certificate: 'serving' })).toBe(Date.parse(webhook.tls().serving.validTo) / 1000),
    },
    { name: 'client CA expiry is in the future', check: (all) => expect(sampleValue(all, 'image_policy_webhook_certificate_expiry_timestamp_seconds', { certificate: 'client-ca' }) * 1000).toBeGreaterThan(Date.now()) },
    { name: 'startup counts as the last successful load', check: (all) => expect(sampleValue(all, 'image_policy_webhook_last_reload_success_timestamp_seconds', { kind: 'policy' })).toBeGreaterThan(0) },
    { name: 'files in force are the files on disk', check: (all) => expect(sampleValue(all, 'image_policy_webhook_last_reload_successful', { kind: 'policy' }) + sampleValue(all, 'image_policy_webhook_last_reload_successful', { kind: 'tls' })).toBe(2) },
    { name: 'reload counters start at zero', check: (all) => expect(all.filter((sample) => sample.name === 'image_policy_webhook_reloads_total').map((sample) => sample.value)).toEqual([0, 0, 0, 0]) },
    { name: 'latency histogram has sub-millisecond buckets', check: (all) => expect(all.some((sample) => sample.name === 'image_policy_webhook_review_duration_seconds_bucket' && sample.labels.le === '0.0001')).toBe(true) },
    { name: 'process metrics are there too', check: (all) => expect(sampleValue(all, 'process_start_time_seconds')).toBeGreaterThan(0) },
    {
      name: 'no image or namespace ever becomes a label value',
      check: (all) => expect(all.filter((sample) => Object.values(sample.labels).some((value) => /probe|hostile|registry\.example|nginx/.test(value)))).toEqual([]),
    },
  ])('$name', ({ check }) => check(samples));

  test('content type is the Prometheus text format', async () => {
    const response = await getPlain(webhook.healthAddress.port, '/metrics');
    expect(response.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});

describe('health and readiness', () => {
  test.each<{ name: string; path: string; status: number; body: RegExp }>([
    { name: 'healthz is liveness', path: '/healthz', status: 200, body: /^ok$/ },
    { name: 'readyz is ok with a valid policy and certificate', path: '/readyz', status: 200, body: /^ok\n$/ },
    { name: 'readyz?verbose lists every check', path: '/readyz?verbose', status: 200, body: /^\[\+\]policy metrics-test [0-9a-f]{12}\n\[\+\]tls serving certificate [0-9A-F:]+ valid .*\n\[\+\]serving accepting reviews\nok\n$/ },
    { name: 'unknown path is 404', path: '/metricz', status: 404, body: /\/metrics/ },
  ])('$name', async ({ path: requestPath, status, body }) => {
    const response = await getPlain(webhook.healthAddress.port, requestPath);
    expect(response.status).toBe(status);
    expect(response.body).toMatch(body);
  });

  test.each<{ name: string; notBeforeDays: number; notAfterDays: number; ready: boolean }>([
    { name: 'expired serving certificate is not ready', notBeforeDays: -10, notAfterDays: -1, ready: false },
    { name: 'not yet valid serving certificate is not ready', notBeforeDays: 1, notAfterDays: 10, ready: false },
    { name: 'serving certificate valid today is ready', notBeforeDays: -1, notAfterDays: 1, ready: true },
  ])('$name', async ({ notBeforeDays, notAfterDays, ready }) => {
    const now = Date.now();
    const serving = await generateServingCertificate(pki.ca, {
      subjectAltNames: TEST_SERVER_SUBJECT_ALT_NAMES,
      notBefore: new Date(now + notBeforeDays * MS_PER_DAY),
      notAfter: new Date(now + notAfterDays * MS_PER_DAY),
    });
    const certFile = path.join(pki.dir, `serving-${notBeforeDays}-${notAfterDays}.crt`);
    const keyFile = path.join(pki.dir, `serving-${notBeforeDays}-${notAfterDays}.key`);
    writeFileSync(certFile, serving.certificate);
    writeFileSync(keyFile, serving.privateKey);
    const dated = await startMetricsWebhook(certFile, keyFile);
    try {
      const response = await getPlain(dated.healthAddress.port, '/readyz');
      expect(response.status).toBe(ready ? 200 : 503);
      if (!ready) expect(response.body).toMatch(/^\[-\]tls serving certificate .*\nnot ready\n$/);
      expect((await getPlain(dated.healthAddress.port, '/healthz')).status).toBe(200);
    } finally {
      await dated.close();
    }
  });
});
