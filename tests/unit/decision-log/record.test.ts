// The decision-log line: what the server writes reads back as the review it judged (a round trip
// over generated reviews, decisions and tag resolutions), and every string and the line as a whole
// stay bounded however large the review was built to be.
import fc from 'fast-check';
import { MAX_LOGGED_ANNOTATION_LENGTH, MAX_LOGGED_IMAGE_CHARACTERS, MAX_LOGGED_STRING, REVIEW_MESSAGE, boundString, buildDecisionLine, parseDecisionLog } from '../../../src/decision-log';
import { labelDecision } from '../../../src/imagereview';
import { type Decision, type EvaluationContext, type ReviewSubject, type TagResolution, evaluate } from '../../../src/policy';
import { parseImageReference } from '../../../src/reference';
import { buildPolicy } from '../policy/policies';

const POLICY = buildPolicy({
  allow: ['registry.example.com/**', 'nginx'],
  deny: ['**:latest'],
  resolveTags: { registries: ['registry.example.com'], onError: 'allow-with-audit' },
  limits: { maxImagesPerReview: 50 },
});

/** The line as the JSON logger writes it. */
function writeLine(decision: Decision, review: ReviewSubject): string {
  return JSON.stringify({ level: 'info', message: REVIEW_MESSAGE, ...buildDecisionLine(decision, review, labelDecision(decision), 0.5) });
}

const imageArbitrary = fc.oneof(
  fc.constantFrom('nginx:1.27', 'nginx', 'registry.example.com/team/app:1.0', 'registry.example.com/team/app:down', 'registry.example.com/team/app:full', 'quay.io/x:1', '', 'Nginx', 'a b'),
  fc.string({ maxLength: 40 }),
);
const reviewArbitrary = fc.record({
  images: fc.array(imageArbitrary, { maxLength: 8 }),
  namespace: fc.constantFrom('default', 'kube-system', 'dev-a'),
  annotations: fc.dictionary(fc.constantFrom('alpha.image-policy.k8s.io/break-glass', 'team.image-policy.k8s.io/owner'), fc.string({ maxLength: 20 })),
});
const resolutionsArbitrary = fc.constantFrom<ReadonlyMap<string, TagResolution>>(
  new Map(),
  new Map<string, TagResolution>([
    ['registry.example.com/team/app:1.0', { ok: true, digest: `sha256:${'a'.repeat(64)}` }],
    ['registry.example.com/team/app:down', { ok: false, fault: 'registry registry.example.com: no answer within 2000 ms' }],
    ['registry.example.com/team/app:full', { ok: false, fault: 'registry registry.example.com: lookup refused: 256 lookups are already waiting', limited: true }],
  ]),
);

test('round trip: a written line reads back as the same subject, answer and resolutions', () => {
  fc.assert(
    fc.property(reviewArbitrary, resolutionsArbitrary, (review, resolutions) => {
      const context: EvaluationContext = { resolutions };
      const decision = evaluate(POLICY, review, context);
      const log = parseDecisionLog(writeLine(decision, review));
      expect(log.malformed).toEqual([]);
      const [record] = log.records;
      expect(record?.review).toEqual(review);
      expect(record?.allowed).toBe(decision.allowed);
      expect(record?.decision).toBe(labelDecision(decision));
      // Judged again with what the line recorded, the review gets the same verdicts.
      const again = evaluate(POLICY, record!.review, record!.resolutions === undefined ? {} : { resolutions: record!.resolutions });
      expect(again.images).toEqual(decision.images);
    }),
    { seed: 42, numRuns: 300 },
  );
});

describe('bounds', () => {
  test.each([
    { name: 'an image string of 3 MiB', review: { images: ['a'.repeat(3 * 1024 * 1024)], namespace: 'default', annotations: {} } },
    { name: 'an annotation value of 1 MiB', review: { images: ['nginx:1'], namespace: 'default', annotations: { 'team.image-policy.k8s.io/owner': 'x'.repeat(1024 * 1024) } } },
    { name: 'a thousand distinct annotations', review: { images: ['nginx:1'], namespace: 'default', annotations: Object.fromEntries(Array.from({ length: 1000 }, (_v, index) => [`k${index}.image-policy.k8s.io/x`, 'v'])) } },
    { name: 'forty images of 4 KiB of control characters', review: { images: Array.from({ length: 40 }, () => '\u0001'.repeat(4000)), namespace: 'default', annotations: {} } },
    { name: 'a namespace of 1 MiB', review: { images: ['nginx:1'], namespace: 'n'.repeat(1024 * 1024), annotations: {} } },
  ])('$name stays a bounded line', ({ review }) => {
    const line = writeLine(evaluate(POLICY, review), review);
    expect(line.length).toBeLessThan(MAX_LOGGED_IMAGE_CHARACTERS + 100 * MAX_LOGGED_ANNOTATION_LENGTH);
  });

  test('a cut image string is marked, and stays an invalid reference when judged again', () => {
    const cut = boundString('registry.example.com/' + 'a'.repeat(MAX_LOGGED_STRING), MAX_LOGGED_STRING);
    expect(cut).toMatch(/…\[\d+ more characters\]$/);
    expect(() => parseImageReference(cut)).toThrow();
    // Cut shorter than the grammar's own limit, the marker alone keeps it invalid.
    const short = boundString('nginx:1.27-this-part-is-cut', 10);
    expect(() => parseImageReference(short)).toThrow(/non-ASCII character U\+2026/);
  });

  test('a review beyond the line bounds is recorded with the count of omitted images, and is not replayed as a smaller review', () => {
    const review = { images: Array.from({ length: 60 }, (_value, index) => `nginx:${index}`), namespace: 'default', annotations: {} };
    const decision = evaluate(POLICY, review);
    expect(decision.images).toEqual([]);
    const log = parseDecisionLog(writeLine(decision, review));
    expect(log.records).toEqual([]);
    expect(log.malformed).toEqual([{ line: 1, fault: expect.stringMatching(/lists 0 of the review's images \(60 omitted/) }]);
  });
});
