// The decision log's one contract, as a property: whatever the server decides and writes (through
// the real JSON-lines logger), the reader gets back the same subject and answer, and judging the
// read-back review again under the same policy gives the same decision — what `replay` relies on.
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { type DecisionLine, buildDecisionLine, parseDecisionLog, REVIEW_MESSAGE } from '../../../src/decision-log';
import { labelDecision } from '../../../src/imagereview';
import { createLogger } from '../../../src/logger';
import { BREAK_GLASS_ANNOTATION, type TagResolution, evaluate, formatTagKey, listTagsToResolve, loadPolicy } from '../../../src/policy';
import { digestArbitrary, imageStringArbitrary, propertyRuns } from '../../support/arbitraries';

const POLICY = loadPolicy(
  `apiVersion: image-policy-webhook/v1
kind: ImagePolicy
metadata:
  name: round-trip
allow:
  - registry.example.com/**
  - nginx:1.*
deny:
  - evil.io/x:1
resolveTags:
  registries: [registry.example.com]
  onError: allow-with-audit
namespaces:
  - names: ["dev-*"]
    mode: audit
  - names: [incident]
    breakGlass: true
`,
  'round-trip.yaml',
);

const KNOWN_IMAGES = ['registry.example.com/app:1.0', 'registry.example.com/team/api:2', 'nginx:1.25', 'nginx', 'evil.io/x:1', `registry.example.com/app@sha256:${'c'.repeat(64)}`];
const imageArbitrary = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KNOWN_IMAGES) }, { weight: 1, arbitrary: imageStringArbitrary });
const annotationsArbitrary = fc.oneof(
  fc.constant({}),
  fc.constant({ [BREAK_GLASS_ANNOTATION]: 'true' }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
);
const subjectArbitrary = fc.record({
  namespace: fc.oneof(fc.constantFrom('default', 'dev-a', 'incident'), fc.string({ maxLength: 12 })),
  annotations: annotationsArbitrary,
  images: fc.array(imageArbitrary, { minLength: 1, maxLength: 5 }),
});
/** What each tag the policy resolves turned into: a digest, or a lookup fault. */
const outcomeArbitrary = fc.oneof(digestArbitrary.map((digest): TagResolution => ({ ok: true, digest })), fc.constant<TagResolution>({ ok: false, fault: 'registry registry.example.com: connection refused' }));

/** Writes one decision through the production logger and returns the text it wrote. */
async function writeLogLine(fields: DecisionLine): Promise<string> {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  createLogger('info', sink).info(REVIEW_MESSAGE, { ...fields });
  await new Promise((resolve) => setImmediate(resolve));
  return text;
}

test('write a decision, read the line back: same subject, same answer, same decision when judged again', async () => {
  await fc.assert(
    fc.asyncProperty(subjectArbitrary, fc.infiniteStream(outcomeArbitrary), async (subject, outcomes) => {
      const resolutions = new Map(listTagsToResolve(POLICY, subject.images).map((tag) => [formatTagKey(tag), outcomes.next().value as TagResolution]));
      const decision = evaluate(POLICY, subject, { resolutions });
      const log = parseDecisionLog(await writeLogLine(buildDecisionLine(decision, subject, labelDecision(decision), 0.25)));

      expect(log.malformed).toEqual([]);
      expect(log.records).toHaveLength(1);
      const [record] = log.records;
      expect(record?.review).toEqual(subject);
      expect({ allowed: record?.allowed, decision: record?.decision, policy: record?.policy, policyHash: record?.policyHash }).toEqual({
        allowed: decision.allowed,
        decision: labelDecision(decision),
        policy: POLICY.name,
        policyHash: POLICY.hash,
      });
      expect(evaluate(POLICY, record!.review, record!.resolutions === undefined ? {} : { resolutions: record!.resolutions })).toEqual(decision);
    }),
    propertyRuns(300),
  );
});
