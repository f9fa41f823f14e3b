// The signatures section: how it loads (and how a bad one is refused, at its node), and how
// evaluate decides from the verification outcomes it is handed in its context: a covered image is
// admitted only with a valid signature by one of each matching rule's keys over its digest.
import {
  type EvaluationContext,
  PolicyError,
  type SignatureVerification,
  type TagResolution,
  evaluate,
  expandRecordedSignatures,
  formatVerificationKey,
  listSignatureWork,
  locatePolicyIssue,
} from '../../../src/policy';
import { parseImageReference } from '../../../src/reference';
import { DIGEST, OTHER_DIGEST, buildPolicy, buildReview } from './policies';

const APP = 'registry.example.com/team/app';
const RESOLVE = { registries: ['registry.example.com', 'quay.io'] };
const KEYS = { ci: 'keys/ci.pub', vendor: 'keys/vendor.pub' };
const CI_FINGERPRINT = `sha256:${'c'.repeat(64)}`;
const VENDOR_FINGERPRINT = `sha256:${'e'.repeat(64)}`;

function issuesOf(fields: Record<string, unknown>): string {
  try {
    buildPolicy(fields);
  } catch (error) {
    if (error instanceof PolicyError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n');
    throw error;
  }
  throw new Error('policy loaded, expected a PolicyError');
}

describe('loading', () => {
  test('defaults, the keys of the file and of overlays, and rules compiled with their origins', () => {
    const policy = buildPolicy({
      allow: ['**'],
      resolveTags: RESOLVE,
      signatures: { keys: { ci: 'keys/ci.pub' }, require: [{ images: ['registry.example.com/**'], keys: ['ci'] }] },
      namespaces: [{ names: ['vendor-*'], signatures: { keys: { vendor: 'keys/vendor.pub' }, require: [{ images: ['quay.io/vendor/**'], keys: ['vendor', 'ci'], checkRepository: false }] } }],
    });
    expect(policy.signatures).toMatchObject({ cacheTtlSeconds: 300, cacheSize: 10_000, maxImagesPerReview: 32 });
    expect([...(policy.signatures?.keys.values() ?? [])]).toEqual([
      { name: 'ci', file: 'keys/ci.pub', path: ['signatures', 'keys', 'ci'] },
      { name: 'vendor', file: 'keys/vendor.pub', path: ['namespaces', 0, 'signatures', 'keys', 'vendor'] },
    ]);
    expect(policy.signatures?.rules.map((rule) => [rule.origin, rule.keys, rule.checkRepository])).toEqual([['signatures.require[0]', ['ci'], true]]);
    expect(policy.namespaces[0]?.signatureRules.map((rule) => [rule.origin, rule.keys, rule.checkRepository])).toEqual([['namespaces[0].signatures.require[0]', ['vendor', 'ci'], false]]);
  });

  test('a policy without any signatures section has none', () => {
    expect(buildPolicy({ allow: ['**'] }).signatures).toBeUndefined();
  });

  test.each([
    {
      name: 'a rule naming a key nobody defines',
      fields: { resolveTags: RESOLVE, signatures: { keys: KEYS, require: [{ images: ['registry.example.com/**'], keys: ['ci', 'release'] }] } },
      issue: /^signatures\.require\[0\]\.keys\[1\]: key "release" is not defined in signatures\.keys$/,
    },
    {
      name: 'an overlay rule naming a key only another overlay defines',
      fields: {
        resolveTags: RESOLVE,
        signatures: { keys: { ci: 'ci.pub' } },
        namespaces: [
          { names: ['a'], signatures: { keys: { team: 'team.pub' } } },
          { names: ['b'], signatures: { require: [{ images: ['quay.io/**'], keys: ['team'] }] } },
        ],
      },
      issue: /^namespaces\[1\]\.signatures\.require\[0\]\.keys\[0\]: key "team" is not defined in signatures\.keys or namespaces\[1\]\.signatures\.keys$/,
    },
    {
      name: 'a key name defined twice',
      fields: { resolveTags: RESOLVE, signatures: { keys: { ci: 'ci.pub' } }, namespaces: [{ names: ['a'], signatures: { keys: { ci: 'other.pub' } } }] },
      issue: /^namespaces\[0\]\.signatures\.keys\.ci: key "ci" is already defined at signatures\.keys\.ci: each key name stands for one key file$/,
    },
    {
      name: 'a key name that is not a DNS label',
      fields: { resolveTags: RESOLVE, signatures: { keys: { 'CI@key': 'ci.pub' } } },
      issue: /^signatures\.keys\.CI@key: key name "CI@key" must be a DNS label/,
    },
    {
      name: 'a key file that is empty',
      fields: { resolveTags: RESOLVE, signatures: { keys: { ci: '' } } },
      issue: /^signatures\.keys\.ci: must name a PEM public key file$/,
    },
    {
      name: 'a rule pattern with a tag',
      fields: { resolveTags: RESOLVE, signatures: { keys: KEYS, require: [{ images: ['registry.example.com/app:1.0'], keys: ['ci'] }] } },
      issue: /^signatures\.require\[0\]\.images\[0\]: pattern "registry\.example\.com\/app:1\.0" names a tag: a signature rule covers whole repositories/,
    },
    {
      name: 'a rule pattern with a digest',
      fields: { resolveTags: RESOLVE, signatures: { keys: KEYS, require: [{ images: [`registry.example.com/app@${DIGEST}`], keys: ['ci'] }] } },
      issue: /names a digest: a signature rule covers whole repositories/,
    },
    {
      name: 'a rule without keys',
      fields: { resolveTags: RESOLVE, signatures: { keys: KEYS, require: [{ images: ['registry.example.com/**'], keys: [] }] } },
      issue: /^signatures\.require\[0\]\.keys: must name at least one key/,
    },
    {
      name: 'a rule without images',
      fields: { resolveTags: RESOLVE, signatures: { keys: KEYS, require: [{ images: [], keys: ['ci'] }] } },
      issue: /^signatures\.require\[0\]\.images: must name at least one image pattern$/,
    },
    {
      name: 'an unknown key in a rule',
      fields: { resolveTags: RESOLVE, signatures: { keys: KEYS, require: [{ images: ['quay.io/**'], keys: ['ci'], checkRepo: false }] } },
      issue: /^signatures\.require\[0\]\.checkRepo: unknown key "checkRepo" \(allowed keys: images, keys, checkRepository\)$/,
    },
    {
      name: 'signatures without resolveTags',
      fields: { signatures: { keys: KEYS, require: [{ images: ['quay.io/**'], keys: ['ci'] }] } },
      issue: /^signatures: needs the resolveTags section: signatures are fetched only from the registries it lists/,
    },
    {
      name: 'an overlay with signatures without resolveTags',
      fields: { namespaces: [{ names: ['a'], signatures: { keys: KEYS } }] },
      issue: /^namespaces\[0\]\.signatures: needs the resolveTags section/,
    },
    {
      name: 'a cache TTL out of range',
      fields: { resolveTags: RESOLVE, signatures: { cacheTTLSeconds: 0 } },
      issue: /^signatures\.cacheTTLSeconds: must be at least 1, got number 0$/,
    },
  ])('refused: $name', ({ fields, issue }) => {
    expect(issuesOf(fields)).toMatch(issue);
  });

  test('a fault found after loading is located at the entry that names the key file', () => {
    const text = 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata: {name: p}\nresolveTags: {registries: [quay.io]}\nsignatures:\n  keys:\n    ci: keys/ci.pub\n';
    expect(locatePolicyIssue(text, 'policy.yaml', ['signatures', 'keys', 'ci'], 'cannot read')).toEqual({ file: 'policy.yaml', line: 7, column: 9, path: 'signatures.keys.ci', message: 'cannot read' });
  });
});

const verified = (key: string, fingerprint = CI_FINGERPRINT): SignatureVerification => ({ verified: true, key, fingerprint });

function checked(image: string, keys: readonly string[], outcome: SignatureVerification, checkRepository = true): [string, SignatureVerification] {
  const reference = parseImageReference(image);
  if (reference.digest === undefined) throw new Error(`${image} has no digest`);
  return [formatVerificationKey({ image: { registry: reference.registry, repository: reference.repository, digest: reference.digest }, keys, checkRepository }), outcome];
}

describe('evaluate', () => {
  const policy = buildPolicy({
    allow: ['registry.example.com/**', 'registry.example.com:5000/**', 'quay.io/**', 'docker.io/**'],
    deny: ['registry.example.com/team/banned'],
    resolveTags: { registries: ['registry.example.com', 'quay.io'], onError: 'allow-with-audit' },
    signatures: {
      keys: KEYS,
      require: [
        { images: ['registry.example.com/team/**'], keys: ['ci'] },
        { images: ['quay.io/vendor/**', 'docker.io/vendor/**'], keys: ['vendor', 'ci'] },
      ],
    },
    namespaces: [{ names: ['secure'], signatures: { keys: { release: 'keys/release.pub' }, require: [{ images: ['registry.example.com/team/app'], keys: ['release'] }] } }],
  });
  const resolutions = new Map<string, TagResolution>([
    [`${APP}:1.0`, { ok: true, digest: DIGEST }],
    [`${APP}:down`, { ok: false, fault: 'registry registry.example.com: no answer within 2000 ms' }],
  ]);
  const verifications = new Map<string, SignatureVerification>([
    checked(`${APP}@${DIGEST}`, ['ci'], verified('ci')),
    checked(`${APP}@${DIGEST}`, ['release'], { verified: false, failure: 'invalid', fault: 'no valid signature by release: signed by another key' }),
    checked(`${APP}@${OTHER_DIGEST}`, ['ci'], { verified: false, failure: 'unsigned', fault: 'no valid signature by ci: the image has no cosign signature' }),
    checked(`quay.io/vendor/db@${DIGEST}`, ['vendor', 'ci'], verified('vendor', VENDOR_FINGERPRINT)),
    checked(`quay.io/vendor/db@${OTHER_DIGEST}`, ['ci', 'vendor'], { verified: false, failure: 'unavailable', fault: 'registry quay.io: cannot reach quay.io' }),
  ]);
  const context: EvaluationContext = { resolutions, verifications };

  test.each([
    { name: 'a signed digest is admitted, naming the key that verified it', image: `${APP}@${DIGEST}`, allowed: true, signature: { result: 'verified', digest: DIGEST, signatures: [{ rule: 'signatures.require[0]', key: 'ci', fingerprint: CI_FINGERPRINT, checkRepository: true }] } },
    { name: 'tag plus digest is judged by the digest', image: `${APP}:whatever@${DIGEST}`, allowed: true },
    { name: 'a tag resolved to a signed digest', image: `${APP}:1.0`, allowed: true, signature: { result: 'verified', digest: DIGEST } },
    { name: 'any one of the rule\'s keys suffices', image: `quay.io/vendor/db@${DIGEST}`, allowed: true, signature: { result: 'verified', signatures: [{ key: 'vendor', fingerprint: VENDOR_FINGERPRINT }] } },
    { name: 'unsigned', image: `${APP}@${OTHER_DIGEST}`, allowed: false, rule: 'signatures.require[0]: no valid signature by ci: the image has no cosign signature', signature: { result: 'unsigned' } },
    { name: 'a registry that cannot answer', image: `quay.io/vendor/db@${OTHER_DIGEST}`, allowed: false, rule: /^signatures\.require\[1\]: registry quay\.io: cannot reach/, signature: { result: 'unavailable' } },
    { name: 'no outcome in the context is never an allow', image: `quay.io/vendor/other@${DIGEST}`, allowed: false, rule: 'signatures.require[1]: not verified: no signature check was made', signature: { result: 'not-verified' } },
    { name: 'a tag never looked up is refused before any signature', image: `${APP}:2.0`, allowed: false, rule: 'resolveTags: not resolved: no registry lookup was made', signature: undefined },
    { name: 'a tag whose lookup failed, judged as written under allow-with-audit, has no digest to verify', image: `${APP}:down`, allowed: false, rule: 'signatures.require[0]: cannot verify a signature: the tag could not be resolved to a digest (registry registry.example.com: no answer within 2000 ms)', signature: { result: 'digest-unknown' } },
    { name: 'a tag on a registry resolveTags does not cover', image: 'docker.io/vendor/tool:1', allowed: false, rule: 'signatures.require[1]: cannot verify a signature: the digest is unknown (add the registry to resolveTags or pin the digest)', signature: { result: 'digest-unknown' } },
    { name: 'a pinned digest on a registry whose signatures are never fetched', image: `docker.io/vendor/tool@${DIGEST}`, allowed: false, rule: 'signatures.require[1]: docker.io is not in resolveTags.registries', signature: { result: 'not-verified', digest: DIGEST } },
    { name: 'an image no rule covers is judged as before', image: 'docker.io/library/nginx:1.27', allowed: true, signature: undefined },
    { name: 'a rule covers its host on any port, as a deny entry does', image: `registry.example.com:5000/team/app@${DIGEST}`, allowed: false, rule: 'signatures.require[0]: registry.example.com:5000 is not in resolveTags.registries' },
    { name: 'a deny entry decides before any signature', image: `registry.example.com/team/banned@${DIGEST}`, allowed: false, rule: 'deny[0] registry.example.com/team/banned', signature: undefined },
  ] as const satisfies readonly { name: string; image: string; allowed: boolean; rule?: string | RegExp; signature?: object }[])('$name', (row) => {
    const verdict = evaluate(policy, buildReview([row.image]), context).images[0];
    expect(verdict?.allowed).toBe(row.allowed);
    const rule: string | RegExp | undefined = 'rule' in row ? row.rule : undefined;
    if (rule instanceof RegExp) expect(verdict?.rule).toMatch(rule);
    else if (rule !== undefined) expect(verdict?.rule).toBe(rule);
    if (!('signature' in row)) return;
    if (row.signature === undefined) expect(verdict?.signature).toBeUndefined();
    else expect(verdict?.signature).toMatchObject(row.signature);
  });

  test('the reason names the image and the rule that failed', () => {
    const decision = evaluate(policy, buildReview([`${APP}@${OTHER_DIGEST}`]), context);
    expect(decision.reason).toMatch(/^image "registry\.example\.com\/team\/app@sha256:b+\.\.\." \(101 characters\) failed signatures\.require\[0\]: no valid signature by ci: the image has no cosign signature \(policy test\)$/);
  });

  test('a namespace overlay adds its rule: every matching rule must be met', () => {
    const verdict = evaluate(policy, buildReview([`${APP}@${DIGEST}`], 'secure'), context).images[0];
    expect(verdict).toMatchObject({ allowed: false, rule: 'namespaces[0].signatures.require[0]: no valid signature by release: signed by another key' });
    expect(evaluate(policy, buildReview([`${APP}@${DIGEST}`], 'default'), context).images[0]?.allowed).toBe(true);
  });

  test('with resolveTags switched off, nothing is fetched and every covered image is denied', () => {
    const off = buildPolicy({ allow: ['**'], resolveTags: { enabled: false, registries: ['quay.io'] }, signatures: { keys: KEYS, require: [{ images: ['quay.io/**'], keys: ['ci'] }] } });
    expect(evaluate(off, buildReview([`quay.io/x@${DIGEST}`]), { verifications }).images[0]).toMatchObject({
      allowed: false,
      rule: 'signatures.require[0]: resolveTags is disabled, so no signature is fetched',
      signature: { result: 'not-verified' },
    });
  });

  test('audit mode admits but records the failed requirement', () => {
    const audit = buildPolicy({ mode: 'audit', allow: ['**'], resolveTags: RESOLVE, signatures: { keys: KEYS, require: [{ images: ['quay.io/**'], keys: ['ci'] }] } });
    const decision = evaluate(audit, buildReview([`quay.io/x@${DIGEST}`]), {});
    expect(decision).toMatchObject({ allowed: true, enforcedAllowed: false, reason: expect.stringMatching(/failed signatures\.require\[0\]: not verified/) });
  });

  test('more distinct digests to verify than maxImagesPerReview: every covered image is denied, naming the limit', () => {
    const limited = buildPolicy({ allow: ['**'], resolveTags: { registries: ['registry.example.com'] }, signatures: { keys: KEYS, maxImagesPerReview: 1, require: [{ images: ['registry.example.com/**'], keys: ['ci'] }] } });
    const within = evaluate(limited, buildReview([`${APP}@${DIGEST}`, `${APP}:x@${DIGEST}`, 'docker.io/library/free:1']), context);
    expect(within.images.map((verdict) => verdict.allowed)).toEqual([true, true, true]);
    const over = evaluate(limited, buildReview([`${APP}@${DIGEST}`, `${APP}@${OTHER_DIGEST}`, 'docker.io/library/free:1']), context);
    expect(over.images.map((verdict) => verdict.allowed)).toEqual([false, false, true]);
    expect(over.images[0]).toMatchObject({ rule: 'signatures.maxImagesPerReview: 2 digests to verify, more than 1', signature: { result: 'limited' } });
  });
});

describe('what the server is asked to check', () => {
  const policy = buildPolicy({
    allow: ['**'],
    resolveTags: RESOLVE,
    signatures: { keys: KEYS, require: [{ images: ['registry.example.com/**'], keys: ['ci'] }, { images: ['registry.example.com/team/**'], keys: ['vendor', 'ci'], checkRepository: false }] },
  });
  const work = (images: readonly string[], resolutions: Record<string, TagResolution> = {}) =>
    listSignatureWork(
      policy,
      'default',
      images.map((image) => {
        const reference = parseImageReference(image);
        return { reference, resolution: reference.tag === undefined ? undefined : resolutions[`${reference.registry}/${reference.repository}:${reference.tag}`] };
      }),
    );

  test('one check per digest and rule, deduplicated; nothing for images no rule covers or without a digest', () => {
    const listed = work([`${APP}@${DIGEST}`, `${APP}:1@${DIGEST}`, `${APP}:2`, `quay.io/x@${DIGEST}`, `registry.example.com/solo:1`], { [`${APP}:2`]: { ok: true, digest: OTHER_DIGEST } });
    expect([...listed.subjects.keys()].sort()).toEqual([`${APP}@${DIGEST} ci`, `${APP}@${DIGEST} ci,vendor any-repository`, `${APP}@${OTHER_DIGEST} ci`, `${APP}@${OTHER_DIGEST} ci,vendor any-repository`]);
    expect(listed.limitFault).toBeUndefined();
  });
});

describe('recorded checks (case files, decision logs) as context', () => {
  const policy = buildPolicy({
    allow: ['**'],
    resolveTags: RESOLVE,
    signatures: { keys: KEYS, require: [{ images: ['registry.example.com/**'], keys: ['ci'] }, { images: ['quay.io/**'], keys: ['vendor'], checkRepository: false }] },
  });
  const fingerprints = new Map([['ci', CI_FINGERPRINT], ['vendor', VENDOR_FINGERPRINT]]);

  test.each([
    { name: 'a record of the key verifies under its name', image: `${APP}@${DIGEST}`, record: { verifiedBy: [{ fingerprint: CI_FINGERPRINT, checkRepository: true }] }, allowed: true },
    { name: 'a record by other key material does not', image: `${APP}@${DIGEST}`, record: { verifiedBy: [{ fingerprint: VENDOR_FINGERPRINT, checkRepository: true }] }, allowed: false, rule: /no recorded signature by ci/ },
    { name: 'a record made without the repository check does not meet a rule that checks it', image: `${APP}@${DIGEST}`, record: { verifiedBy: [{ fingerprint: CI_FINGERPRINT, checkRepository: false }] }, allowed: false },
    { name: 'a record made with the repository check meets a rule that does not', image: `quay.io/x@${DIGEST}`, record: { verifiedBy: [{ fingerprint: VENDOR_FINGERPRINT, checkRepository: true }] }, allowed: true },
    { name: 'a recorded registry failure is replayed as it was', image: `${APP}@${DIGEST}`, record: { failure: 'unavailable' as const, fault: 'registry down' }, allowed: false, rule: /: registry down$/ },
  ])('$name', ({ image, record, allowed, rule }) => {
    const verifications = expandRecordedSignatures(policy, fingerprints, new Map([[image, record]]));
    const verdict = evaluate(policy, buildReview([image]), { verifications }).images[0];
    expect(verdict?.allowed).toBe(allowed);
    if (rule !== undefined) expect(verdict?.rule).toMatch(rule);
  });
});
