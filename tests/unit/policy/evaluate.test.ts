import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { MAX_REASON_LENGTH, NO_ALLOW_RULE, evaluate } from '../../../src/policy';
import { DIGEST, buildPolicy, buildReview } from './policies';
import { FIXTURES_DIR } from '../../support/paths';

// The contract's example policy: allow registry.example.com/**, deny everything else.
const CONTRACT_POLICY = buildPolicy({ allow: ['registry.example.com/**'] }, 'contract');
const GOOD = 'registry.example.com/app:1.0';
const GOOD_EXISTING = 'registry.example.com/debug/toolbox:3';
const BAD = 'docker.io/library/busybox:1.36';

describe('decision table (upstream TestContainerCombinations)', () => {
  test.each([
    { name: '[good] allows', images: [GOOD], allowed: true },
    { name: '[bad] denies', images: [BAD], allowed: false },
    { name: '[bad, good] denies', images: [BAD, GOOD], allowed: false },
    { name: '[good, good] allows', images: [GOOD, GOOD], allowed: true },
    { name: '[bad, bad] denies', images: [BAD, BAD], allowed: false },
    { name: 'container good + init bad denies', images: [GOOD, BAD], allowed: false },
    { name: 'container bad + init good denies', images: [BAD, GOOD], allowed: false },
    { name: 'container good + init good allows', images: [GOOD, 'registry.example.com/init:1'], allowed: true },
    { name: 'ephemeral [good-existing, bad-new] denies', images: [GOOD_EXISTING, 'busybox:1.36'], allowed: false },
    { name: 'no images allows', images: [], allowed: true },
  ])('$name', ({ images, allowed }) => {
    const decision = evaluate(CONTRACT_POLICY, buildReview(images));
    expect(decision.allowed).toBe(allowed);
    expect(decision.enforcedAllowed).toBe(allowed);
    expect(decision.images).toHaveLength(images.length);
    expect(decision.reason === undefined).toBe(allowed);
  });
});

describe('contract request fixtures', () => {
  const FIXTURES = join(FIXTURES_DIR, 'requests');
  test.each([
    { name: 'plain pod', file: 'request-plain-pod.json', allowed: true },
    { name: 'init containers', file: 'request-init-containers.json', allowed: false },
    { name: 'annotations', file: 'request-annotations.json', allowed: true },
    { name: 'ephemeral container', file: 'request-ephemeral-container.json', allowed: false },
    { name: 'namespace with a look-alike host', file: 'request-namespace.json', allowed: false },
  ])('$name', ({ file, allowed }) => {
    for (const folder of [FIXTURES, join(FIXTURES, 'k8s-1.33-and-older')]) {
      const { spec } = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
        spec: { containers: { image: string }[]; namespace: string; annotations?: Record<string, string> };
      };
      const review = buildReview(spec.containers.map((container) => container.image), spec.namespace, spec.annotations ?? {});
      expect(evaluate(CONTRACT_POLICY, review).allowed).toBe(allowed);
    }
  });
});

describe('every image is judged', () => {
  test('one verdict per image, in order, duplicates kept', () => {
    const decision = evaluate(CONTRACT_POLICY, buildReview([BAD, GOOD, BAD, 'Bad']));
    expect(decision.images).toEqual([
      { image: BAD, normalized: BAD, allowed: false, rule: NO_ALLOW_RULE },
      { image: GOOD, normalized: GOOD, allowed: true, rule: 'allow[0] registry.example.com/**' },
      { image: BAD, normalized: BAD, allowed: false, rule: NO_ALLOW_RULE },
      { image: 'Bad', allowed: false, rule: 'invalid reference: repository path "Bad" must be lowercase' },
    ]);
  });

  test('deny beats allow, and the first matching pattern is the rule', () => {
    const policy = buildPolicy({ allow: ['quay.io/**', 'quay.io/org/*'], deny: ['quay.io/org/bad', 'quay.io/org/*'] });
    const decision = evaluate(policy, buildReview(['quay.io/org/bad:1', 'quay.io/org/good:1', 'quay.io/other/x:1']));
    expect(decision.images.map((verdict) => [verdict.allowed, verdict.rule])).toEqual([
      [false, 'deny[0] quay.io/org/bad'],
      [false, 'deny[1] quay.io/org/*'],
      [true, 'allow[0] quay.io/**'],
    ]);
  });

  test('an empty allow list denies everything', () => {
    expect(evaluate(buildPolicy({}), buildReview(['nginx'])).images[0]?.rule).toBe(NO_ALLOW_RULE);
  });
});

describe('invalid image strings are denied with the fault, never thrown', () => {
  const ALLOW_ALL = buildPolicy({ allow: ['**'] });
  test.each([
    { name: 'empty', image: '', fault: /is empty/ },
    { name: 'whitespace', image: 'nginx :1', fault: /whitespace/ },
    { name: 'newline', image: 'nginx\n', fault: /whitespace/ },
    { name: 'control character', image: 'ngi\u0000nx', fault: /control character/ },
    { name: 'non-ASCII', image: 'ngіnx', fault: /non-ASCII/ },
    { name: 'upper-case path', image: 'Nginx', fault: /lowercase/ },
    { name: 'bad digest', image: 'nginx@sha256:abc', fault: /64 lowercase hex/ },
    { name: 'URL scheme', image: 'https://registry.example.com/app', fault: /scheme/ },
    { name: 'huge', image: 'a'.repeat(100_000), fault: /characters long/ },
  ])('$name', ({ image, fault }) => {
    const decision = evaluate(ALLOW_ALL, buildReview([image]));
    expect(decision.allowed).toBe(false);
    expect(decision.images[0]?.normalized).toBeUndefined();
    expect(decision.images[0]?.rule).toMatch(/^invalid reference: /);
    expect(decision.images[0]?.rule).toMatch(fault);
    expect(decision.reason).toMatch(/is not a valid image reference/);
  });
});

describe('reason', () => {
  const PRODUCTION = buildPolicy({ allow: ['registry.k8s.io/**'], deny: ['**:latest'] }, 'production');

  test('names each denied image as written and normalized, and the rule', () => {
    const decision = evaluate(PRODUCTION, buildReview(['nginx', 'registry.k8s.io/pause:3.9', 'evil.io/x:1']));
    expect(decision.reason).toBe(
      'image "nginx" (docker.io/library/nginx:latest) denied by deny[0] **:latest; ' +
        'image "evil.io/x:1" matches no allow pattern (policy production)',
    );
  });

  test('duplicates are named once', () => {
    const decision = evaluate(PRODUCTION, buildReview(['nginx', 'nginx', 'nginx']));
    expect(decision.reason).toBe('image "nginx" (docker.io/library/nginx:latest) denied by deny[0] **:latest (policy production)');
  });

  test('requireDigest and invalid references are named', () => {
    const policy = buildPolicy({ allow: ['**'], requireDigest: true }, 'pinned');
    const decision = evaluate(policy, buildReview(['quay.io/a:1', 'a b']));
    expect(decision.reason).toBe(
      'image "quay.io/a:1" is not pinned by digest (requireDigest); ' +
        'image "a b" is not a valid image reference: contains whitespace U+0020 at offset 1 (policy pinned)',
    );
  });

  test('too many denials are counted, not listed', () => {
    const images = Array.from({ length: 20 }, (_, index) => `evil.io/app-${index}:1`);
    const reason = evaluate(PRODUCTION, buildReview(images)).reason ?? '';
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    expect(reason).toMatch(/^image "evil.io\/app-0:1" matches no allow pattern; .*; … and \d+ more \(policy production\)$/);
  });

  test('a huge image string is quoted short (and not repeated when already normalized)', () => {
    const image = `evil.io/${'a'.repeat(250)}:1`;
    const reason = evaluate(PRODUCTION, buildReview([image])).reason ?? '';
    expect(reason).toMatch(/^image "evil.io\/a{52}\.\.\." \(260 characters\) matches no allow pattern \(policy production\)$/);
  });

  test('a single denial longer than the limit is cut', () => {
    const longPattern = `evil.io/${'a'.repeat(180)}`;
    const policy = buildPolicy({ allow: ['**'], deny: [longPattern] }, 'production');
    const reason = evaluate(policy, buildReview([`${longPattern}:1`])).reason ?? '';
    expect(reason).toHaveLength(MAX_REASON_LENGTH);
    expect(reason).toMatch(/^image "evil.io\/a+.*denied by deny\[0\] evil.io\/a+… \(policy production\)$/);
  });

  test('stays one printable line whatever the images', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { minLength: 1, maxLength: 30 }), (images) => {
        const reason = evaluate(PRODUCTION, buildReview(images.map((image) => `${image}\n`))).reason ?? '';
        expect(reason.length).toBeGreaterThan(0);
        expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
        expect(reason).toMatch(/^[\x20-\x7e…]+$/);
      }),
    );
  });
});

describe('decisions depend only on the set of images', () => {
  const POOL = [GOOD, GOOD_EXISTING, BAD, 'nginx', `registry.example.com/a@${DIGEST}`, 'Bad', ''];

  test('order and duplicates never change the answer', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...POOL), { maxLength: 12 }), (images) => {
        const decision = evaluate(CONTRACT_POLICY, buildReview(images));
        const shuffled = evaluate(CONTRACT_POLICY, buildReview([...images].reverse().concat(images)));
        expect(shuffled.allowed).toBe(decision.allowed);
        expect(decision.allowed).toBe(images.every((image) => image === GOOD || image === GOOD_EXISTING || image.endsWith(DIGEST)));
      }),
    );
  });

  test('[a, a, b] answers like [b, a]', () => {
    expect(evaluate(CONTRACT_POLICY, buildReview([GOOD, GOOD, BAD])).allowed).toBe(false);
    expect(evaluate(CONTRACT_POLICY, buildReview([BAD, GOOD])).allowed).toBe(false);
    expect(evaluate(CONTRACT_POLICY, buildReview([GOOD, GOOD, GOOD_EXISTING])).allowed).toBe(true);
    expect(evaluate(CONTRACT_POLICY, buildReview([GOOD_EXISTING, GOOD])).allowed).toBe(true);
  });

  test('the same review always gets the same decision', () => {
    const review = buildReview([BAD, GOOD, 'nginx'], 'default', { 'x.image-policy.k8s.io/y': 'z' });
    expect(evaluate(CONTRACT_POLICY, review)).toEqual(evaluate(CONTRACT_POLICY, review));
  });

  test('the decision names the policy and its content hash', () => {
    expect(evaluate(CONTRACT_POLICY, buildReview([])).policy).toEqual({ name: 'contract', hash: CONTRACT_POLICY.hash });
    expect(CONTRACT_POLICY.hash).toMatch(/^[0-9a-f]{12}$/);
  });
});

test('a non-string image from a loose caller is denied, not thrown on', () => {
  const images = [42, null] as unknown as string[];
  const decision = evaluate(CONTRACT_POLICY, buildReview(images));
  expect(decision.allowed).toBe(false);
  expect(decision.images.map((verdict) => verdict.image)).toEqual(['42', 'null']);
});
