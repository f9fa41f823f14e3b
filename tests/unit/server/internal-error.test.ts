// Whatever throws while a review is judged leaves the webhook as a 200 denial that says it was an
// internal error (never a 5xx, which kube-apiserver's defaultAllow could turn into an admission),
// counted in a metric and logged once with the stack.
import request from 'supertest';
import { INTERNAL_ERROR_REASON } from '../../../src/imagereview';
import { type CompiledPolicy, type EvaluationContext, PatternSet } from '../../../src/policy';
import { WebhookMetrics, createApp } from '../../../src/server';
import { buildPolicy } from '../policy/policies';
import { createMemoryLogger } from '../../support/memory-logger';
import { parseMetricsText, sampleValue } from '../../support/metrics-text';

const POLICY = buildPolicy({ allow: ['registry.k8s.io/**'] }, 'internal');
const BODY = JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: [{ image: 'registry.k8s.io/pause:3.10' }], namespace: 'default' } });

class ThrowingPatternSet extends PatternSet {
  override findMatch(): never {
    throw new TypeError('pattern index corrupted');
  }
}

test.each([
  { name: 'the review context throws', policy: POLICY, reviewContext: (): EvaluationContext => { throw new Error('report index exploded'); }, stack: /report index exploded/ },
  { name: 'the review context rejects', policy: POLICY, reviewContext: (): Promise<EvaluationContext> => Promise.reject(new RangeError('lookup blew up')), stack: /lookup blew up/ },
  { name: 'evaluate throws', policy: { ...POLICY, allow: new ThrowingPatternSet([]) } satisfies CompiledPolicy, reviewContext: undefined, stack: /pattern index corrupted/ },
])('$name: a 200 deny naming an internal error, one log line with the stack, one count', async ({ policy, reviewContext, stack }) => {
  const memory = createMemoryLogger();
  const metrics = new WebhookMetrics();
  const app = createApp({ currentPolicy: () => policy, logger: memory.logger, isDraining: () => false, observer: metrics, ...(reviewContext === undefined ? {} : { reviewContext }) });
  const response = await request(app).post('/imagepolicy').set('Content-Type', 'application/json').send(BODY);
  expect(response.status).toBe(200);
  expect(response.body.status).toMatchObject({ allowed: false, reason: INTERNAL_ERROR_REASON, auditAnnotations: { decision: 'deny', policy: 'internal' } });
  const errors = memory.entries().filter((entry) => entry.level === 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0]?.['error']).toMatch(stack);
  expect(errors[0]?.['error']).toMatch(/\n\s+at /);
  expect(memory.find('review')).toEqual([]);
  expect(sampleValue(parseMetricsText(await metrics.registry.metrics()), 'image_policy_webhook_internal_errors_total')).toBe(1);
  // The server keeps serving: the next review of a healthy policy is judged normally.
  const healthy = createApp({ currentPolicy: () => POLICY, logger: memory.logger, isDraining: () => false, observer: metrics });
  expect((await request(healthy).post('/imagepolicy').set('Content-Type', 'application/json').send(BODY)).body.status.allowed).toBe(true);
});

test('a review refused as a whole (over limits.maxImagesPerReview) carries no empty denied-images annotation', async () => {
  const policy = buildPolicy({ allow: ['**'], limits: { maxImagesPerReview: 1 } }, 'limited');
  const app = createApp({ currentPolicy: () => policy, logger: createMemoryLogger().logger, isDraining: () => false });
  const body = JSON.stringify({ kind: 'ImageReview', apiVersion: 'imagepolicy.k8s.io/v1alpha1', spec: { containers: [{ image: 'nginx:1' }, { image: 'nginx:2' }], namespace: 'default' } });
  const response = await request(app).post('/imagepolicy').set('Content-Type', 'application/json').send(body);
  expect(response.body.status).toMatchObject({ allowed: false, reason: expect.stringMatching(/limits\.maxImagesPerReview \(1\)/) });
  expect(Object.keys(response.body.status.auditAnnotations)).not.toContain('denied-images');
});
