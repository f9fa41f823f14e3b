// Properties of POST /imagepolicy over generated and mutated bodies (fixed seed), through the
// real express app: never a 5xx, never a crash, and `allowed: true` only for a genuine
// imagepolicy.k8s.io/v1alpha1 ImageReview whose every image the policy allows on its own.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import request from 'supertest';
import { evaluate, loadPolicy } from '../../../src/policy';
import { createApp } from '../../../src/server';
import { SILENT_LOGGER } from '../../../src/logger';
import { imageStringArbitrary, propertyRuns } from '../../support/arbitraries';

const POLICY = loadPolicy(
  JSON.stringify({
    apiVersion: 'image-policy-webhook/v1',
    kind: 'ImagePolicy',
    metadata: { name: 'property' },
    allow: ['registry.example.com/**', 'nginx:1.*', 'quay.io/good/*'],
    deny: ['**:latest'],
    namespaces: [{ names: ['dev-*'], mode: 'audit' }],
  }),
  'property.yaml',
);
const ALLOWED_IMAGES = ['registry.example.com/app:1', 'nginx:1.25', 'quay.io/good/x:2', 'registry.example.com/a/b/c@sha256:' + 'cd'.repeat(32)];
const API_VERSION = 'imagepolicy.k8s.io/v1alpha1';
const KIND = 'ImageReview';

let server: http.Server;
beforeAll(async () => {
  const app = createApp({ currentPolicy: () => POLICY, logger: SILENT_LOGGER, isDraining: () => false });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An independent reading of the contract (not the decoder under test): which parsed bodies are
 * genuine ImageReviews, and the images and namespace they carry.
 */
function readGenuineReview(body: unknown): { images: string[]; namespace: string; annotations: Record<string, string> } | undefined {
  if (!isPlainObject(body) || body['apiVersion'] !== API_VERSION || body['kind'] !== KIND) return undefined;
  const spec = body['spec'];
  if (!isPlainObject(spec)) return undefined;
  const containers = spec['containers'] ?? [];
  if (!Array.isArray(containers)) return undefined;
  const images: string[] = [];
  for (const container of containers) {
    if (!isPlainObject(container)) return undefined;
    const image = container['image'];
    if (image !== undefined && image !== null && typeof image !== 'string') return undefined;
    images.push(typeof image === 'string' ? image : '');
  }
  const namespace = spec['namespace'] ?? '';
  if (typeof namespace !== 'string') return undefined;
  const annotations = spec['annotations'] ?? {};
  if (!isPlainObject(annotations) || Object.values(annotations).some((value) => typeof value !== 'string')) return undefined;
  return { images, namespace, annotations: annotations as Record<string, string> };
}

/** True when the body may be answered allowed: a genuine review whose images each pass alone. */
function mayBeAllowed(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  const review = readGenuineReview(parsed);
  if (review === undefined) return false;
  return review.images.every((image) => evaluate(POLICY, { images: [image], namespace: review.namespace, annotations: review.annotations }).allowed);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Raw bytes go out through node:http: superagent re-serializes some Buffers (an empty one as `{}`). */
function postBytes(bytes: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', path: '/imagepolicy', headers: { 'Content-Type': 'application/json' } },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(bytes);
  });
}

/** Answers seen, so a test can prove it exercised both outcomes rather than passing vacuously. */
const outcomes = { allowed: 0, denied: 0, badRequest: 0 };

async function postAndCheck(body: string | Buffer): Promise<void> {
  const response =
    typeof body === 'string'
      ? await request(server).post('/imagepolicy?timeout=30s').set('Content-Type', 'application/json').send(body)
      : await postBytes(body);
  const sent = typeof body === 'string' ? body : body.toString('utf8');
  expect(response.status).toBeLessThan(500);
  if (!isJson(sent)) {
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({ kind: 'Status', code: 400 });
    outcomes.badRequest += 1;
    return;
  }
  expect(response.status).toBe(200);
  const answer = JSON.parse(response.text);
  expect(answer).toMatchObject({ apiVersion: API_VERSION, kind: KIND });
  expect(typeof answer.status.allowed).toBe('boolean');
  if (answer.status.allowed) {
    outcomes.allowed += 1;
    if (!mayBeAllowed(sent)) throw new Error(`allowed:true for a body that must be denied: ${sent.slice(0, 300)}`);
  } else {
    outcomes.denied += 1;
    expect(answer.status.reason).toEqual(expect.any(String));
    expect(answer.status.reason).not.toMatch(/[\r\n]/);
  }
}

const containerArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.record({ image: fc.oneof(fc.constantFrom(...ALLOWED_IMAGES), imageStringArbitrary) }) },
  { weight: 1, arbitrary: fc.record({ image: fc.jsonValue() }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.jsonValue() },
);

const reviewArbitrary = fc.record(
  {
    kind: fc.oneof({ weight: 6, arbitrary: fc.constant(KIND) }, { weight: 1, arbitrary: fc.constantFrom('imagereview', 'IMAGEREVIEW', 'AdmissionReview', 'ImageReview ', '') }),
    apiVersion: fc.oneof(
      { weight: 6, arbitrary: fc.constant(API_VERSION) },
      { weight: 1, arbitrary: fc.constantFrom('imagepolicy.k8s.io/v1', 'imagepolicy.k8s.io/v1beta1', 'IMAGEPOLICY.K8S.IO/V1ALPHA1', 'v1', '') },
    ),
    metadata: fc.oneof(fc.constant({}), fc.constant({ creationTimestamp: null }), fc.jsonValue()),
    spec: fc.oneof(
      { weight: 6, arbitrary: fc.record(
        {
          containers: fc.oneof({ weight: 5, arbitrary: fc.array(containerArbitrary, { maxLength: 5 }) }, { weight: 1, arbitrary: fc.jsonValue() }),
          namespace: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('default', 'dev-a', 'kube-system') }, { weight: 1, arbitrary: fc.jsonValue() }),
          annotations: fc.oneof(
            fc.constant({ 'alpha.image-policy.k8s.io/break-glass': 'true' }),
            fc.dictionary(fc.string({ maxLength: 30 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
            fc.jsonValue(),
          ),
        },
        { requiredKeys: [] },
      ) },
      { weight: 1, arbitrary: fc.jsonValue() },
    ),
    status: fc.oneof(fc.constant({ allowed: false }), fc.constant({ allowed: true }), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

type Mutation = (text: string, at: number, piece: string) => string;
const TEXT_MUTATIONS: Record<string, Mutation> = {
  truncate: (text, at) => text.slice(0, at),
  deleteCharacter: (text, at) => text.slice(0, at) + text.slice(at + 1),
  insert: (text, at, piece) => text.slice(0, at) + piece + text.slice(at),
  replace: (text, at, piece) => text.slice(0, at) + piece + text.slice(at + piece.length),
  duplicateKind: (text) => text.replace('{', '{"kind":"NotAReview",'),
  trailingKind: (text) => text.replace(/}\s*$/, ',"kind":"ImageReview","apiVersion":"imagepolicy.k8s.io/v1alpha1"}'),
  protoKey: (text) => text.replace('{', '{"__proto__":{"allowed":true,"kind":"ImageReview"},'),
};
const PIECES = ['"', '{', '}', '[', ']', ',', ':', '\\', '\\u0000', 'null', 'true', '1e999', '-', '\u0000', '\uffff', 'é', '\n', '"allowed":true'];

const mutatedTextArbitrary = fc
  .tuple(reviewArbitrary, fc.constantFrom(...Object.keys(TEXT_MUTATIONS)), fc.nat(), fc.constantFrom(...PIECES))
  .map(([review, mutation, where, piece]) => {
    const text = JSON.stringify(review);
    return TEXT_MUTATIONS[mutation]!(text, where % (text.length + 1), piece);
  });

describe('POST /imagepolicy over generated bodies', () => {
  test('generated ImageReviews and near-misses: never 5xx, allowed only when every image is', async () => {
    await fc.assert(fc.asyncProperty(reviewArbitrary, (review) => postAndCheck(JSON.stringify(review))), propertyRuns(200));
    expect(outcomes.allowed).toBeGreaterThan(10);
    expect(outcomes.denied).toBeGreaterThan(10);
  });

  test('text-mutated ImageReviews: 400 for non-JSON, otherwise a 200 that never admits wrongly', async () => {
    await fc.assert(fc.asyncProperty(mutatedTextArbitrary, (text) => postAndCheck(text)), propertyRuns(200));
    expect(outcomes.badRequest).toBeGreaterThan(10);
  });

  test('arbitrary JSON and arbitrary bytes are never admitted', async () => {
    const anyBody = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null'),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    );
    await fc.assert(fc.asyncProperty(anyBody, (body) => postAndCheck(body)), propertyRuns(150));
  });

  test('the server still answers a known-good review after all of that', async () => {
    const response = await request(server)
      .post('/imagepolicy')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ apiVersion: API_VERSION, kind: KIND, spec: { containers: [{ image: 'registry.example.com/app:1' }], namespace: 'default' } }));
    expect(response.status).toBe(200);
    expect(response.body.status.allowed).toBe(true);
    expect((server.address() as AddressInfo).port).toBeGreaterThan(0);
  });
});
