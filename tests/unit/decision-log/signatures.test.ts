// Signature checks recorded in the decision log and in case files, read back as what a replay or
// a case is judged with: verified digests by key fingerprint, failures the registry or the limits
// caused, and nothing for verdicts the policy works out again (no digest, registry not listed).
import { parseCaseFile } from '../../../src/cases';
import { parseDecisionLog } from '../../../src/decision-log';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const FINGERPRINT = `sha256:${'f'.repeat(64)}`;

/** A review line as the server writes it: every image entry carries its verdict and rule. */
function line(images: readonly Record<string, unknown>[]): string {
  const entries = images.map((image) => ({ allowed: false, rule: 'signatures.require[0]', ...image }));
  return JSON.stringify({ level: 'info', message: 'review', namespace: 'default', annotations: {}, decision: 'deny', allowed: false, images: entries });
}

describe('signature verdicts in the decision log', () => {
  test.each([
    {
      name: 'a verified digest, by fingerprint and repository check',
      image: { image: `registry.example.com/app@${DIGEST}`, normalized: `registry.example.com/app@${DIGEST}`, signature: { result: 'verified', digest: DIGEST, signatures: [{ rule: 'signatures.require[0]', key: 'ci', fingerprint: FINGERPRINT, checkRepository: false }] } },
      want: [[`registry.example.com/app@${DIGEST}`, { verifiedBy: [{ fingerprint: FINGERPRINT, checkRepository: false }] }]],
    },
    {
      name: 'a tag verified through the digest it resolved to',
      image: { image: 'REGISTRY.example.com/app:1', normalized: 'registry.example.com/app:1', digest: DIGEST, signature: { result: 'verified', digest: DIGEST, signatures: [{ rule: 'r', key: 'ci', fingerprint: FINGERPRINT, checkRepository: true }] } },
      want: [[`registry.example.com/app@${DIGEST}`, { verifiedBy: [{ fingerprint: FINGERPRINT, checkRepository: true }] }]],
    },
    {
      name: 'a registry that could not answer',
      image: { image: 'x', normalized: `quay.io/app@${DIGEST}`, signature: { result: 'unavailable', rule: 'r', fault: 'cannot read signatures: down', digest: DIGEST } },
      want: [[`quay.io/app@${DIGEST}`, { failure: 'unavailable', fault: 'cannot read signatures: down' }]],
    },
    { name: 'no digest: the policy decides that again', image: { image: 'x', normalized: 'quay.io/app:1', signature: { result: 'digest-unknown', rule: 'r', fault: 'the digest is unknown' } }, want: [] },
    { name: 'a registry never asked: the policy decides that again', image: { image: 'x', normalized: `docker.io/app@${DIGEST}`, signature: { result: 'not-verified', rule: 'r', fault: 'not listed', digest: DIGEST } }, want: [] },
  ])('$name', ({ image, want }) => {
    const log = parseDecisionLog(line([image]));
    expect(log.malformed).toEqual([]);
    expect([...(log.records[0]?.signatures ?? [])]).toEqual(want);
  });

  test('two verdicts on one digest: every key that verified it counts, a failure only when none did', () => {
    const normalized = `registry.example.com/app@${DIGEST}`;
    const verified = (fingerprint: string) => ({ image: normalized, normalized, signature: { result: 'verified', digest: DIGEST, signatures: [{ rule: 'r', key: 'k', fingerprint, checkRepository: true }] } });
    const failed = { image: normalized, normalized, signature: { result: 'invalid', rule: 'r2', fault: 'no valid signature by release', digest: DIGEST } };
    const log = parseDecisionLog(line([verified('sha256:1'), failed, verified('sha256:2')]));
    expect(log.records[0]?.signatures?.get(normalized)).toEqual({ verifiedBy: [{ fingerprint: 'sha256:1', checkRepository: true }, { fingerprint: 'sha256:2', checkRepository: true }] });
  });

  test('a signature field of the wrong shape marks the line malformed rather than replaying it without', () => {
    const log = parseDecisionLog(line([{ image: 'x', normalized: 'x', signature: { result: 'verified', digest: DIGEST } }]));
    expect(log.records).toEqual([]);
    expect(log.malformed).toHaveLength(1);
  });
});

describe('verifications in case files', () => {
  const file = (verifications: string) =>
    `policy: {apiVersion: image-policy-webhook/v1, kind: ImagePolicy, metadata: {name: p}}\n${verifications}cases:\n  - {name: one, images: [x], expect: deny}\n`;

  test('a key, several keys, or the registry\'s error, keyed by the normalized digest reference', () => {
    const parsed = parseCaseFile(file(`verifications:\n  REGISTRY.example.com/app@${DIGEST}: ci\n  quay.io/a@${DIGEST}: [ci, vendor]\n  quay.io/b@${DIGEST}: {error: down}\n`), 'c.yaml');
    expect([...(parsed.cases[0]?.verifications ?? [])]).toEqual([
      [`registry.example.com/app@${DIGEST}`, { keys: ['ci'] }],
      [`quay.io/a@${DIGEST}`, { keys: ['ci', 'vendor'] }],
      [`quay.io/b@${DIGEST}`, { error: 'down' }],
    ]);
  });

  test.each([
    { name: 'a tag instead of a digest', entry: `quay.io/a:1: ci`, fault: /verifications: "quay\.io\/a:1": must name a digest and no tag/ },
    { name: 'a tag beside the digest', entry: `quay.io/a:1@${DIGEST}: ci`, fault: /must name a digest and no tag/ },
    { name: 'not a reference', entry: `"Quay.io/A@${DIGEST}": ci`, fault: /verifications: "Quay\.io\/A@sha256:a+": .*lowercase/ },
    { name: 'an empty key list', entry: `quay.io/a@${DIGEST}: []`, fault: /verifications/ },
  ])('refused: $name', ({ entry, fault }) => {
    expect(() => parseCaseFile(file(`verifications:\n  ${entry}\n`), 'c.yaml')).toThrow(fault);
  });
});
