// Status codes and robustness of the express app: every decision is a 200, non-JSON is a 400,
// and nothing a client sends stops the app from answering the next review.
import request from 'supertest';
import { createApp, MAX_BODY_BYTES } from '../../../src/server';
import { SILENT_LOGGER } from '../../../src/logger';
import { loadPolicy } from '../../../src/policy';
import { CONTRACT_POLICY } from '../../support/policies';

const policy = loadPolicy(CONTRACT_POLICY, 'contract.yaml');
let draining = false;
const app = createApp({ currentPolicy: () => policy, logger: SILENT_LOGGER, isDraining: () => draining });

const review = (images: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: 'ImageReview',
  apiVersion: 'imagepolicy.k8s.io/v1alpha1',
  spec: { containers: images.map((image) => ({ image })), namespace: 'default' },
  ...extra,
});
const GOOD = JSON.stringify(review(['registry.example.com/app:1']));

async function expectStillServing(): Promise<void> {
  const response = await request(app).post('/imagepolicy').set('Content-Type', 'application/json').send(GOOD);
  expect(response.status).toBe(200);
  expect(response.body.status.allowed).toBe(true);
}

describe('answers by input', () => {
  test.each<{ name: string; body: string | Buffer; contentType?: string; status: number; allowed?: boolean; message?: RegExp }>([
    { name: 'allowed review', body: GOOD, status: 200, allowed: true },
    { name: 'denied review is a 200, never a 403', body: JSON.stringify(review(['nginx'])), status: 200, allowed: false },
    { name: 'invalid image is a 200 deny, never a 500', body: JSON.stringify(review(['NGINX with spaces'])), status: 200, allowed: false, message: /not a valid image reference: contains whitespace/ },
    { name: 'empty image string is a 200 deny', body: JSON.stringify(review([''])), status: 200, allowed: false },
    { name: 'no containers: nothing to reject', body: JSON.stringify(review([])), status: 200, allowed: true },
    { name: 'JSON of the wrong kind is a 200 deny', body: JSON.stringify({ ...review(['registry.example.com/a']), kind: 'AdmissionReview' }), status: 200, allowed: false, message: /kind is "AdmissionReview"/ },
    { name: 'JSON of the wrong apiVersion is a 200 deny', body: JSON.stringify({ ...review(['registry.example.com/a']), apiVersion: 'v1' }), status: 200, allowed: false, message: /apiVersion/ },
    { name: 'JSON array is a 200 deny', body: '[]', status: 200, allowed: false },
    { name: 'JSON null is a 200 deny', body: 'null', status: 200, allowed: false },
    { name: 'non-string image is a 200 deny', body: JSON.stringify(review([42])), status: 200, allowed: false, message: /image is a number/ },
    { name: 'not JSON is a 400', body: 'this is not json', status: 400, message: /not JSON/ },
    { name: 'truncated JSON is a 400', body: GOOD.slice(0, 40), status: 400, message: /not JSON/ },
    { name: 'empty body is a 400', body: '', status: 400, message: /not JSON/ },
    { name: 'invalid UTF-8 inside a string is judged, not crashed on', body: Buffer.concat([Buffer.from('{"kind":"ImageReview","apiVersion":"imagepolicy.k8s.io/v1alpha1","spec":{"containers":[{"image":"registry.example.com/a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}}')]), status: 200, allowed: false },
    { name: 'wrong content type is still judged by the body', body: GOOD, contentType: 'text/plain', status: 200, allowed: true },
    { name: '2 MiB body of annotations is accepted', body: JSON.stringify(review(['registry.example.com/a'], { spec: { containers: [{ image: 'registry.example.com/a' }], annotations: { 'x.image-policy.k8s.io/big': 'v'.repeat(2 * 1024 * 1024) } } })), status: 200, allowed: true },
    { name: 'body over the cap is a 200 deny, never a 413', body: JSON.stringify(review(['registry.example.com/a'], { padding: 'p'.repeat(MAX_BODY_BYTES) })), status: 200, allowed: false, message: /larger than/ },
  ])('$name', async ({ body, contentType, status, allowed, message }) => {
    const response = await request(app).post('/imagepolicy?timeout=30s').set('Content-Type', contentType ?? 'application/json').send(body);
    expect(response.status).toBe(status);
    const parsed = JSON.parse(response.text);
    if (allowed !== undefined) {
      expect(parsed.apiVersion).toBe('imagepolicy.k8s.io/v1alpha1');
      expect(parsed.kind).toBe('ImageReview');
      expect(parsed.status.allowed).toBe(allowed);
      if (message) expect(parsed.status.reason).toMatch(message);
    } else {
      expect(parsed.kind).toBe('Status');
      expect(parsed.code).toBe(status);
      expect(parsed.message).toMatch(message ?? /./);
    }
    await expectStillServing();
  });
});

describe('routes', () => {
  test.each([
    { name: 'GET on the review path is 405', method: 'get', path: '/imagepolicy', status: 405 },
    { name: 'PUT on the review path is 405', method: 'put', path: '/imagepolicy', status: 405 },
    { name: 'POST elsewhere is 404', method: 'post', path: '/imagereview', status: 404 },
    { name: 'the root path is not the review path', method: 'get', path: '/', status: 404 },
    { name: 'a trailing slash is not the review path', method: 'post', path: '/imagepolicy/', status: 404 },
    { name: 'routing is case-sensitive', method: 'post', path: '/ImagePolicy', status: 404 },
  ] as const)('$name', async ({ method, path, status }) => {
    const response = await request(app)[method](path).set('Content-Type', 'application/json').send(GOOD);
    expect(response.status).toBe(status);
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});

test('answers carry no ETag and no x-powered-by', async () => {
  const response = await request(app).post('/imagepolicy').set('Content-Type', 'application/json').send(GOOD);
  expect(response.headers.etag).toBeUndefined();
  expect(response.headers['x-powered-by']).toBeUndefined();
});

test('while draining, answers ask the client to close the connection', async () => {
  draining = true;
  try {
    const response = await request(app).post('/imagepolicy').set('Content-Type', 'application/json').send(GOOD);
    expect(response.status).toBe(200);
    expect(response.headers.connection).toBe('close');
  } finally {
    draining = false;
  }
});
