// The decision log read back: lines the real app writes parse into the reviews it judged, other
// lines are skipped, and review lines missing a field are reported rather than lost silently.
import { Writable } from 'node:stream';
import request from 'supertest';
import { parseDecisionLog } from '../../../src/decision-log';
import { createLogger } from '../../../src/logger';
import { loadPolicy } from '../../../src/policy';
import { createApp } from '../../../src/server';
import { readAuditLog } from '../suggest/fixtures';

const REVIEW_LINE = {
  level: 'info',
  message: 'review',
  namespace: 'default',
  annotations: { 'alpha.image-policy.k8s.io/break-glass': 'true' },
  decision: 'audit-deny',
  allowed: true,
  mode: 'audit',
  breakGlass: false,
  images: [{ image: 'nginx', normalized: 'docker.io/library/nginx:latest', allowed: false, rule: 'deny[0] **:latest' }],
  policy: 'prod',
  policyHash: 'abc123def456',
  timestamp: '2026-03-01T10:00:00.000Z',
};

describe('parseDecisionLog', () => {
  test.each([
    { name: 'a review line', line: JSON.stringify(REVIEW_LINE), records: 1, other: 0, malformed: 0 },
    { name: 'behind a journald prefix', line: `Mar 01 10:00:00 cp-1 node[812]: ${JSON.stringify(REVIEW_LINE)}`, records: 1, other: 0, malformed: 0 },
    { name: 'behind a docker compose prefix', line: `webhook-1  | ${JSON.stringify(REVIEW_LINE)}`, records: 1, other: 0, malformed: 0 },
    { name: 'another message', line: JSON.stringify({ level: 'info', message: 'serving' }), records: 0, other: 1, malformed: 0 },
    { name: 'an invalid request line', line: JSON.stringify({ level: 'warn', message: 'invalid request', fault: 'x' }), records: 0, other: 1, malformed: 0 },
    { name: 'plain text', line: 'node: warning: something', records: 0, other: 1, malformed: 0 },
    { name: 'truncated JSON', line: JSON.stringify(REVIEW_LINE).slice(0, 40), records: 0, other: 1, malformed: 0 },
    { name: 'a JSON array', line: '[1,2]', records: 0, other: 1, malformed: 0 },
    { name: 'a blank line', line: '   ', records: 0, other: 0, malformed: 0 },
    { name: 'review without images', line: JSON.stringify({ ...REVIEW_LINE, images: undefined }), records: 0, other: 0, malformed: 1 },
    { name: 'review with an unknown decision', line: JSON.stringify({ ...REVIEW_LINE, decision: 'maybe' }), records: 0, other: 0, malformed: 1 },
    { name: 'review with an image that is not a string', line: JSON.stringify({ ...REVIEW_LINE, images: [{ image: 5 }] }), records: 0, other: 0, malformed: 1 },
  ])('$name', ({ line, records, other, malformed }) => {
    const log = parseDecisionLog(`${line}\n`);
    expect([log.records.length, log.otherLines, log.malformed.length]).toEqual([records, other, malformed]);
  });

  test('a record carries the subject as recorded and the answer given', () => {
    const log = parseDecisionLog(`\n${JSON.stringify(REVIEW_LINE)}\n`);
    expect(log.records).toEqual([
      {
        line: 2,
        review: { namespace: 'default', annotations: { 'alpha.image-policy.k8s.io/break-glass': 'true' }, images: ['nginx'] },
        imagesAllowed: [false],
        allowed: true,
        decision: 'audit-deny',
        policy: 'prod',
        policyHash: 'abc123def456',
      },
    ]);
  });

  test('a malformed review names its line and the field', () => {
    const log = parseDecisionLog(['{"message":"serving"}', JSON.stringify({ ...REVIEW_LINE, namespace: 7 })].join('\n'));
    expect(log.malformed).toEqual([{ line: 2, fault: expect.stringMatching(/^namespace: /) }]);
  });

  test('the fixture log (written by the real app) reads back every review', () => {
    const log = parseDecisionLog(readAuditLog());
    expect(log.malformed).toEqual([]);
    expect(log.otherLines).toBe(2);
    expect(new Set(log.records.map((record) => record.decision))).toEqual(new Set(['allow', 'audit-deny', 'break-glass', 'deny']));
  });
});

describe('what the app logs is what the parser reads', () => {
  test('a review sent to the real app comes back as the same subject and answer', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    const policy = loadPolicy('apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata: {name: t}\nmode: audit\nallow: [registry.k8s.io/**]\n', 't.yaml');
    const app = createApp({ currentPolicy: () => policy, logger, isDraining: () => false });
    const annotations = { 'alpha.image-policy.k8s.io/break-glass': 'true' };
    const body = {
      apiVersion: 'imagepolicy.k8s.io/v1alpha1',
      kind: 'ImageReview',
      spec: { containers: [{ image: 'registry.k8s.io/pause:3.10' }, { image: 'nginx' }], annotations, namespace: 'shop' },
    };
    await request(app).post('/imagepolicy').set('Content-Type', 'application/json').send(JSON.stringify(body)).expect(200);
    const log = parseDecisionLog(lines.join(''));
    expect(log.records).toEqual([
      expect.objectContaining({ review: { namespace: 'shop', annotations, images: ['registry.k8s.io/pause:3.10', 'nginx'] }, allowed: true, decision: 'audit-deny' }),
    ]);
  });
});
