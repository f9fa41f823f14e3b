// The vulnerabilities and resolveTags sections: how they load (and how a bad one is refused, at its
// node), and how evaluate uses the scan reports and tag resolutions it is handed in its context.
import { type EvaluationContext, NOT_RESOLVED_FAULT, PolicyError, type TagResolution, evaluate, listTagsToResolve, loadPolicy } from '../../../src/policy';
import { ReportIndex } from '../../../src/vulnerabilities';
import { FIXTURE_DIGESTS, UNKNOWN_DIGEST, readValidReports } from '../../support/trivy';
import { buildPolicy, buildReview } from './policies';

const REPORTS = new ReportIndex(readValidReports());
const LEDGER = 'registry.example.com/payments/ledger';
const RESOLVE = { registries: ['registry.example.com'] };

function resolved(entries: Readonly<Record<string, TagResolution>>): ReadonlyMap<string, TagResolution> {
  return new Map(Object.entries(entries));
}

describe('loading', () => {
  function issueOf(fields: Record<string, unknown>): string {
    try {
      buildPolicy(fields);
    } catch (error) {
      if (error instanceof PolicyError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n');
      throw error;
    }
    throw new Error('policy loaded, expected a PolicyError');
  }

  test('defaults: maxSeverity HIGH, nothing ignored, no report required; resolveTags deny on error', () => {
    const policy = buildPolicy({ vulnerabilities: { reports: 'reports' }, resolveTags: { registries: ['Registry.Example.com', 'index.docker.io'] } });
    expect(policy.vulnerabilities).toEqual({
      reports: 'reports',
      gate: { maxSeverity: 'HIGH', ignore: new Set(), requireReport: false, origins: { maxSeverity: 'vulnerabilities', requireReport: 'vulnerabilities' } },
    });
    expect(policy.resolveTags).toEqual({
      registries: new Set(['registry.example.com', 'docker.io']),
      plainHttpRegistries: new Set(),
      timeoutMs: 2_000,
      cacheTtlSeconds: 60,
      cacheSize: 10_000,
      onError: 'deny',
      credentialsFile: undefined,
      caFile: undefined,
      maxTagsPerReview: 32,
    });
  });

  test('resolveTags with enabled: false resolves nothing', () => {
    expect(buildPolicy({ resolveTags: { enabled: false, registries: ['registry.example.com'] } }).resolveTags).toBeUndefined();
  });

  test.each([
    { name: 'reports missing', fields: { vulnerabilities: { maxSeverity: 'HIGH' } }, issue: /^vulnerabilities\.reports: is required: must be the directory of Trivy JSON reports/ },
    { name: 'severity word unknown', fields: { vulnerabilities: { reports: 'r', maxSeverity: 'SEVERE' } }, issue: /^vulnerabilities\.maxSeverity: must be one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL, got the string "SEVERE"/ },
    { name: 'severity lower-case', fields: { vulnerabilities: { reports: 'r', maxSeverity: 'high' } }, issue: /got the string "high"/ },
    { name: 'ignore entry not an ID', fields: { vulnerabilities: { reports: 'r', ignore: ['CVE 2023 1'] } }, issue: /^vulnerabilities\.ignore\[0\]: must be a vulnerability ID such as CVE-2023-12345, got the string "CVE 2023 1"/ },
    { name: 'unknown key', fields: { vulnerabilities: { reports: 'r', maxSeverty: 'LOW' } }, issue: /^vulnerabilities\.maxSeverty: unknown key "maxSeverty" \(allowed keys: reports, maxSeverity, ignore, requireReport\)/ },
    {
      name: 'an overlay without the global section',
      fields: { namespaces: [{ names: ['prod'], vulnerabilities: { maxSeverity: 'LOW' } }] },
      issue: /^namespaces\[0\]\.vulnerabilities: needs the global vulnerabilities section, which names the reports directory$/,
    },
    { name: 'overlay cannot name another reports directory', fields: { vulnerabilities: { reports: 'r' }, namespaces: [{ names: ['prod'], vulnerabilities: { reports: 'x' } }] }, issue: /unknown key "reports"/ },
    { name: 'no registries', fields: { resolveTags: { registries: [] } }, issue: /^resolveTags\.registries: must name at least one registry/ },
    { name: 'registries missing', fields: { resolveTags: { onError: 'deny' } }, issue: /^resolveTags\.registries: is required/ },
    { name: 'registry with a path', fields: { resolveTags: { registries: ['registry.example.com/team'] } }, issue: /^resolveTags\.registries\[0\]: registry "registry.example.com\/team"/ },
    { name: 'plain HTTP registry not listed', fields: { resolveTags: { registries: ['a.example.com'], plainHttpRegistries: ['127.0.0.1:5000'] } }, issue: /^resolveTags\.plainHttpRegistries\[0\]: registry "127.0.0.1:5000" is not in resolveTags\.registries/ },
    {
      name: 'plain HTTP to a registry beyond loopback',
      fields: { resolveTags: { registries: ['registry.example.com'], plainHttpRegistries: ['registry.example.com'] } },
      issue: /^resolveTags\.plainHttpRegistries\[0\]: registry "registry.example.com" is not on loopback: plain HTTP to it can be read and answered by anyone on the path; use HTTPS \(caFile for a private CA\), or set insecureNonLoopbackPlainHttp: true$/,
    },
    { name: 'plain HTTP to a private IPv4 address', fields: { resolveTags: { registries: ['10.0.0.5:5000'], plainHttpRegistries: ['10.0.0.5:5000'] } }, issue: /registry "10\.0\.0\.5:5000" is not on loopback/ },
    { name: 'plain HTTP to a host named like loopback', fields: { resolveTags: { registries: ['localhost.evil.io'], plainHttpRegistries: ['localhost.evil.io'] } }, issue: /registry "localhost\.evil\.io" is not on loopback/ },
    { name: 'plain HTTP to 127.0.0.1 spelled as a mapped IPv6 address is loopback, but must be listed', fields: { resolveTags: { registries: ['a.example.com'], plainHttpRegistries: ['[::ffff:7f00:1]:5000'] } }, issue: /registry "\[::ffff:7f00:1\]:5000" is not in resolveTags\.registries/ },
    { name: 'maxTagsPerReview zero', fields: { resolveTags: { ...RESOLVE, maxTagsPerReview: 0 } }, issue: /^resolveTags\.maxTagsPerReview: must be at least 1/ },
    { name: 'maxImagesPerReview zero', fields: { limits: { maxImagesPerReview: 0 } }, issue: /^limits\.maxImagesPerReview: must be at least 1/ },
    { name: 'limits with an unknown key', fields: { limits: { maxImages: 5 } }, issue: /^limits\.maxImages: unknown key "maxImages" \(allowed keys: maxImagesPerReview\)/ },
    { name: 'timeout too long', fields: { resolveTags: { ...RESOLVE, timeoutMs: 60_000 } }, issue: /^resolveTags\.timeoutMs: must be at most 10000, got number 60000/ },
    { name: 'TTL not a whole number', fields: { resolveTags: { ...RESOLVE, cacheTTLSeconds: 1.5 } }, issue: /^resolveTags\.cacheTTLSeconds: must be a whole number from 1 to 86400/ },
    { name: 'cache size zero', fields: { resolveTags: { ...RESOLVE, cacheSize: 0 } }, issue: /^resolveTags\.cacheSize: must be at least 1/ },
    { name: 'onError unknown', fields: { resolveTags: { ...RESOLVE, onError: 'allow' } }, issue: /^resolveTags\.onError: must be "deny" or "allow-with-audit", got the string "allow"/ },
  ])('$name', ({ fields, issue }) => {
    expect(issueOf(fields)).toMatch(issue);
  });

  test.each([
    { name: 'loopback hosts', plain: ['localhost:5000', '127.0.0.1:5001', '127.1.2.3', '[::1]:5000', '[::ffff:7f00:1]:5000'], insecure: false },
    { name: 'another host, with the insecure switch on', plain: ['registry.example.com'], insecure: true },
  ])('plain HTTP is accepted for $name', ({ plain, insecure }) => {
    const policy = buildPolicy({ allow: ['**'], resolveTags: { registries: plain, plainHttpRegistries: plain, ...(insecure ? { insecureNonLoopbackPlainHttp: true } : {}) } });
    expect(policy.resolveTags?.plainHttpRegistries.size).toBe(plain.length);
  });

  test('a bad section is located at its node', () => {
    const text = 'apiVersion: image-policy-webhook/v1\nkind: ImagePolicy\nmetadata:\n  name: p\nvulnerabilities:\n  reports: r\n  maxSeverity: SEVERE\n';
    expect(() => loadPolicy(text, 'policy.yaml')).toThrow(/^policy\.yaml:7:16: vulnerabilities\.maxSeverity: must be one of/);
  });
});

describe('vulnerability gating in evaluate', () => {
  const policy = buildPolicy({
    allow: ['registry.example.com/**', 'alpine', 'nginx'],
    vulnerabilities: { reports: 'reports', maxSeverity: 'HIGH', ignore: ['CVE-2023-45853'] },
    namespaces: [
      { names: ['payments'], vulnerabilities: { maxSeverity: 'MEDIUM', requireReport: true } },
      { names: ['payments'], vulnerabilities: { ignore: ['cve-2023-44487', 'CVE-2023-4911'] } },
      { names: ['lab-*'], vulnerabilities: { maxSeverity: 'CRITICAL' } },
    ],
  });

  test.each([
    { name: 'CRITICAL above HIGH is denied, the reason names it', namespace: 'default', image: `${LEDGER}:1.4.2`, allowed: false, reason: `image "${LEDGER}:1.4.2" has 1 CRITICAL above maxSeverity HIGH: CVE-2024-3094 (policy test)` },
    { name: 'the fixed release passes', namespace: 'default', image: `${LEDGER}:1.4.3`, allowed: true, report: 'ledger-1.4.3.json' },
    { name: 'by digest (RepoDigests)', namespace: 'default', image: `${LEDGER}@${FIXTURE_DIGESTS.ledger142}`, allowed: false, report: 'ledger-1.4.2.json' },
    { name: 'globally ignored CRITICAL (accepted risk)', namespace: 'default', image: `registry.example.com/platform/api-gateway@${FIXTURE_DIGESTS.gateway}`, allowed: true, report: 'api-gateway-by-digest.json' },
    { name: 'no report and none required', namespace: 'default', image: 'registry.example.com/unscanned:1', allowed: true, report: undefined },
    { name: 'Docker Hub short name matched to its normalized report', namespace: 'default', image: 'alpine:3.19', allowed: true, report: 'alpine-3.19.json' },
    {
      name: 'overlay lowers maxSeverity; its added ignores drop two of the three',
      namespace: 'payments',
      image: `${LEDGER}:1.4.2`,
      allowed: false,
      reason: `image "${LEDGER}:1.4.2" has 1 CRITICAL above maxSeverity MEDIUM: CVE-2024-3094 (policy test)`,
    },
    { name: 'overlay requires a report', namespace: 'payments', image: 'registry.example.com/unscanned:1', allowed: false, reason: 'image "registry.example.com/unscanned:1" has no vulnerability scan report (requireReport) (policy test)' },
    { name: 'overlay raises maxSeverity to CRITICAL', namespace: 'lab-1', image: `${LEDGER}:1.4.2`, allowed: true, report: 'ledger-1.4.2.json' },
    { name: 'name rules come first: a denied name is not gated', namespace: 'default', image: 'quay.io/other/app:1', allowed: false, reason: 'image "quay.io/other/app:1" matches no allow pattern (policy test)' },
  ])('$name', ({ namespace, image, allowed, reason, report }) => {
    const decision = evaluate(policy, buildReview([image], namespace), { reports: REPORTS });
    expect(decision.allowed).toBe(allowed);
    if (reason !== undefined) expect(decision.reason).toBe(reason);
    if (allowed) expect(decision.images[0]?.report).toBe(report);
  });

  test('the verdict names the rule with its origin and the report used', () => {
    const decision = evaluate(policy, buildReview([`${LEDGER}:1.4.2`], 'payments'), { reports: REPORTS });
    expect(decision.images[0]).toEqual({
      image: `${LEDGER}:1.4.2`,
      normalized: `${LEDGER}:1.4.2`,
      allowed: false,
      rule: 'namespaces[0].vulnerabilities.maxSeverity MEDIUM: 1 CRITICAL (CVE-2024-3094)',
      report: 'ledger-1.4.2.json',
    });
  });

  test('without reports in the context every image has no report', () => {
    const strict = buildPolicy({ allow: ['**'], vulnerabilities: { reports: 'r', requireReport: true } });
    expect(evaluate(strict, buildReview([`${LEDGER}:1.4.3`])).allowed).toBe(false);
  });

  test('a policy without the section ignores reports in the context', () => {
    const plain = buildPolicy({ allow: ['registry.example.com/**'] });
    expect(evaluate(plain, buildReview([`${LEDGER}:1.4.2`]), { reports: REPORTS })).toEqual(evaluate(plain, buildReview([`${LEDGER}:1.4.2`])));
  });
});

describe('tag resolution in evaluate', () => {
  const GOOD = FIXTURE_DIGESTS.ledger143;
  const BAD = FIXTURE_DIGESTS.ledger142;
  const policy = buildPolicy({
    allow: [`${LEDGER}@${GOOD}`, 'docker.io/library/**'],
    deny: [`${LEDGER}@${BAD}`],
    resolveTags: { registries: ['registry.example.com'] },
  });
  const lenient = buildPolicy({ allow: [`${LEDGER}@${GOOD}`, `${LEDGER}:1.4.*`], resolveTags: { registries: ['registry.example.com'], onError: 'allow-with-audit' } });
  const tagKey = `${LEDGER}:stable`;
  const tagged = buildPolicy({ allow: [tagKey], deny: [`${LEDGER}@${BAD}`], resolveTags: { registries: ['registry.example.com'] } });

  test.each([
    {
      name: 'a digest-pinned allow entry does not admit a tag that resolves to it: the runtime pulls the tag, which may move',
      policy,
      context: { resolutions: resolved({ [tagKey]: { ok: true, digest: GOOD } }) },
      allowed: false,
      rule: 'no allow pattern matches',
      extras: { digest: GOOD },
    },
    { name: 'a tag allow entry admits the tag, and the digest it resolved to is recorded', policy: tagged, context: { resolutions: resolved({ [tagKey]: { ok: true, digest: GOOD } }) }, allowed: true, rule: `allow[0] ${tagKey}`, extras: { digest: GOOD } },
    { name: 'a digest-pinned deny entry catches a tag an allow entry admits', policy: tagged, context: { resolutions: resolved({ [tagKey]: { ok: true, digest: BAD } }) }, allowed: false, rule: `deny[0] ${LEDGER}@${BAD}`, extras: { digest: BAD } },
    { name: 'a digest-pinned deny entry catches the tag', policy, context: { resolutions: resolved({ [tagKey]: { ok: true, digest: BAD } }) }, allowed: false, rule: `deny[0] ${LEDGER}@${BAD}`, extras: { digest: BAD } },
    { name: 'a tag resolving to an unknown digest matches no allow entry', policy, context: { resolutions: resolved({ [tagKey]: { ok: true, digest: UNKNOWN_DIGEST } }) }, allowed: false, rule: 'no allow pattern matches', extras: { digest: UNKNOWN_DIGEST } },
    {
      name: 'registry error with onError deny',
      policy,
      context: { resolutions: resolved({ [tagKey]: { ok: false, fault: 'registry registry.example.com: no answer within 2000 ms' } }) },
      allowed: false,
      rule: 'resolveTags: registry registry.example.com: no answer within 2000 ms',
      extras: { resolveError: 'registry registry.example.com: no answer within 2000 ms' },
    },
    { name: 'no lookup was made: a failure, never a silent pass', policy, context: {}, allowed: false, rule: `resolveTags: ${NOT_RESOLVED_FAULT}`, extras: { resolveError: NOT_RESOLVED_FAULT, resolveLimited: true } },
    {
      name: 'registry error with onError allow-with-audit: judged as written (no tag pattern matches stable)',
      policy: lenient,
      context: { resolutions: resolved({ [tagKey]: { ok: false, fault: 'registry registry.example.com: tag stable not found (HTTP 404)' } }) },
      allowed: false,
      rule: 'no allow pattern matches',
      extras: { resolveError: 'registry registry.example.com: tag stable not found (HTTP 404)' },
    },
  ])('$name', ({ policy: used, context, allowed, rule, extras }) => {
    const decision = evaluate(used, buildReview([`${LEDGER}:stable`]), context as EvaluationContext);
    expect(decision.allowed).toBe(allowed);
    expect(decision.images[0]).toEqual({ image: `${LEDGER}:stable`, normalized: tagKey, allowed, rule, ...extras });
  });

  test('allow-with-audit: an error still lets a tag pattern admit the image, and the error is kept', () => {
    const context = { resolutions: resolved({ [`${LEDGER}:1.4.3`]: { ok: false, fault: 'registry registry.example.com: credentials refused (HTTP 401)' } }) };
    const decision = evaluate(lenient, buildReview([`${LEDGER}:1.4.3`]), context);
    expect(decision.images[0]).toMatchObject({ allowed: true, rule: `allow[1] ${LEDGER}:1.4.*`, resolveError: 'registry registry.example.com: credentials refused (HTTP 401)' });
  });

  test.each([
    { name: 'pinned by digest: nothing to resolve', image: `${LEDGER}@${GOOD}` },
    { name: 'registry not listed: judged as written', image: 'docker.io/library/alpine:3.19' },
    { name: 'invalid reference: denied for that', image: 'Registry.Example.com/Ledger:1' },
  ])('$name', ({ image }) => {
    expect(listTagsToResolve(policy, [image])).toEqual([]);
    expect(evaluate(policy, buildReview([image])).images[0]?.resolveError).toBeUndefined();
  });

  test('listTagsToResolve: distinct tags on listed registries, :latest included', () => {
    expect(listTagsToResolve(policy, [`${LEDGER}:stable`, `${LEDGER}:stable`, LEDGER, 'nginx:1', `${LEDGER}:1@${GOOD}`])).toEqual([
      { registry: 'registry.example.com', repository: 'payments/ledger', tag: 'stable' },
      { registry: 'registry.example.com', repository: 'payments/ledger', tag: 'latest' },
    ]);
  });

  test('requireDigest is not met by a resolved tag: the runtime still pulls the tag', () => {
    const pinned = buildPolicy({ allow: [LEDGER], requireDigest: true, resolveTags: RESOLVE });
    const decision = evaluate(pinned, buildReview([`${LEDGER}:stable`]), { resolutions: resolved({ [tagKey]: { ok: true, digest: GOOD } }) });
    expect(decision.images[0]).toMatchObject({ allowed: false, rule: 'requireDigest: not pinned by digest', digest: GOOD });
  });

  test('resolved digest and digest-keyed report work together', () => {
    const gated = buildPolicy({ allow: ['registry.example.com/**'], vulnerabilities: { reports: 'r' }, resolveTags: RESOLVE });
    const context = { reports: REPORTS, resolutions: resolved({ [tagKey]: { ok: true, digest: BAD } }) };
    const decision = evaluate(gated, buildReview([`${LEDGER}:stable`]), context);
    expect(decision.images[0]).toMatchObject({ allowed: false, digest: BAD, report: 'ledger-1.4.2.json' });
    expect(decision.reason).toContain('CVE-2024-3094');
  });
});
