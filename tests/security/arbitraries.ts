// Generated policies that turn on every feature at once (global and overlay allow and deny lists
// with literal, glob and digest patterns, requireDigest, audit, break-glass, resolveTags with an
// in-memory registry that can fail, scan gating with in-memory reports, signature rules with an
// in-memory record of who signed which digest), and generated images in every spelling the
// grammar accepts. Small universes keep matches, resolutions and reports
// frequent, so the properties are about real decisions, not about "no allow pattern matches".
import fc from 'fast-check';
import {
  type CompiledPolicy,
  type EvaluationContext,
  type SignatureVerification,
  type TagResolution,
  formatDigestReference,
  formatTagKey,
  formatVerificationKey,
  loadPolicy,
} from '../../src/policy';
import { formatReference, parseImageReference } from '../../src/reference';
import { type Finding, ReportIndex, type ScanReport, type Severity, SEVERITIES } from '../../src/vulnerabilities';

export const FIXED_SEED = 20261203;

export function runs(numRuns: number): fc.Parameters<unknown> {
  return { seed: FIXED_SEED, numRuns, endOnFailure: true };
}

export const DIGESTS = [`sha256:${'1'.repeat(64)}`, `sha256:${'2'.repeat(64)}`, `sha256:${'3'.repeat(64)}`] as const;

/**
 * Registries as groups of spellings that reach the same registry. Every spelling in a group must
 * be judged alike; the first one is how the policy generators name it.
 */
export const REGISTRY_SPELLINGS: readonly (readonly string[])[] = [
  ['docker.io', '', 'index.docker.io', 'registry-1.docker.io', 'registry.docker.io', 'registry.hub.docker.com', 'docker.io:443', 'index.docker.io:443', 'registry-1.docker.io:443'],
  ['registry.example.com', 'REGISTRY.example.com', 'Registry.Example.Com'],
  ['registry.example.com:5000', 'Registry.Example.COM:5000'],
  ['10.0.0.1:5000', '[::ffff:a00:1]:5000', '[0:0:0:0:0:ffff:a00:1]:5000', '[::FFFF:0A00:0001]:5000'],
  ['[2001:db8::1]', '[2001:0db8:0:0:0:0:0:1]', '[2001:DB8::1]'],
  ['localhost:5000'],
  ['evil.io'],
  ['sub.evil.io'],
];

/** Spellings no runtime reads as the registry it resembles: always refused. */
export const REFUSED_SPELLINGS = ['DOCKER.IO', 'Index.Docker.Io', 'REGISTRY-1.DOCKER.IO:443', '012.0.0.1:5000', '0xa.0.0.1:5000', '10.1:5000', '167772161:5000'];

export const REPOSITORIES = ['app', 'team/app', 'team/tools/app'] as const;
export const TAGS = ['latest', '1.0', 'dev'] as const;

export interface ImageParts {
  readonly group: number;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/** Writes one image in a given spelling of its registry; `''` is the Docker Hub short name. */
export function spell(parts: ImageParts, spelling: string, officialPrefix = false): string {
  const repository = spelling === '' || !officialPrefix || parts.repository.includes('/') || parts.group !== 0 ? parts.repository : `library/${parts.repository}`;
  const name = spelling === '' ? repository : `${spelling}/${repository}`;
  return `${name}${parts.tag === undefined ? '' : `:${parts.tag}`}${parts.digest === undefined ? '' : `@${parts.digest}`}`;
}

export const imagePartsArbitrary: fc.Arbitrary<ImageParts> = fc.record({
  group: fc.nat({ max: REGISTRY_SPELLINGS.length - 1 }),
  repository: fc.constantFrom(...REPOSITORIES),
  tag: fc.option(fc.constantFrom(...TAGS), { nil: undefined }),
  digest: fc.option(fc.constantFrom(...DIGESTS), { nil: undefined }),
});

/** An image in one random spelling of its registry. */
export const spelledImageArbitrary: fc.Arbitrary<string> = imagePartsArbitrary.chain((parts) =>
  fc.tuple(fc.constantFrom(...REGISTRY_SPELLINGS[parts.group]!), fc.boolean()).map(([spelling, official]) => spell(parts, spelling, official)),
);

export const imageArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: spelledImageArbitrary },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...REFUSED_SPELLINGS), fc.constantFrom(...REPOSITORIES)).map(([registry, repository]) => `${registry}/${repository}:1.0`) },
  { weight: 1, arbitrary: fc.constantFrom('', 'Nginx', 'nginx :1', 'app@sha256:xyz', `${'a'.repeat(64)}`, 'https://registry.example.com/app') },
);

export const imagesArbitrary = fc.array(imageArbitrary, { minLength: 1, maxLength: 5 });

const [D1, D2, D3] = DIGESTS;

export const ALLOW_PATTERNS = [
  'registry.example.com/**',
  'registry.example.com/app',
  'registry.example.com/team/*',
  'registry.example.com/app:1.*',
  '*.example.com/**',
  'docker.io/**',
  'app',
  'registry-1.docker.io/team/app',
  'team/app:1.0',
  `registry.example.com/app@${D1}`,
  `**/app@${D1}`,
  '10.0.0.1:5000/**',
  '[::ffff:a00:1]:5000/team/app',
  '[2001:db8::1]/**',
  'localhost:5000/**',
  'evil.io/**',
  '**/tools/*',
  '**',
];

export const DENY_PATTERNS = [
  '**:latest',
  '**:dev',
  '*.docker.io/**',
  'docker.io/team/**',
  'index.docker.io:443/app',
  `registry.example.com/app@${D2}`,
  `**/app@${D3}`,
  `*.example.com/team/app@${D3}`,
  '10.0.0.1/**',
  '[::ffff:a00:1]:5000/team/tools/app',
  '*.evil.io/**',
  'evil.io/**',
  'registry.example.com/app:1.0',
  'registry.example.com:5000/**',
  '[2001:0db8::1]/team/**',
];

export const RESOLVABLE_REGISTRIES = ['registry.example.com', 'docker.io', '10.0.0.1:5000', 'registry-1.docker.io', '[2001:db8::1]'];
export const NAMESPACES = ['default', 'kube-system', 'dev-a', 'incident'];
const NAMESPACE_GLOBS = ['dev-*', '*', 'kube-system', 'incident'];

export interface VulnerabilityOverlayDocument {
  maxSeverity?: Severity;
  ignore?: string[];
  requireReport?: boolean;
}

/** Key names of the generated signature rules; the files are never read by evaluate. */
export const KEY_NAMES = ['ci', 'vendor', 'release'] as const;
export type KeyName = (typeof KEY_NAMES)[number];
/** Rule patterns name repositories only (the loader refuses a tag or digest in them). */
export const SIGNATURE_PATTERNS = [
  'registry.example.com/**',
  'registry.example.com/team/*',
  'registry.example.com/app',
  '*.example.com/**',
  'docker.io/**',
  'docker.io/team/app',
  '10.0.0.1:5000/**',
  '[2001:db8::1]/**',
  'evil.io/**',
  '**/tools/*',
  '**',
];

export interface SignatureRuleDocument {
  images: string[];
  keys: KeyName[];
  checkRepository?: boolean;
}

export interface SignaturesDocument {
  keys: Record<string, string>;
  require: SignatureRuleDocument[];
  maxImagesPerReview?: number;
}

export const signatureRuleArbitrary: fc.Arbitrary<SignatureRuleDocument> = fc.record(
  {
    images: fc.subarray(SIGNATURE_PATTERNS, { minLength: 1, maxLength: 2 }),
    keys: fc.subarray([...KEY_NAMES], { minLength: 1, maxLength: 2 }),
    checkRepository: fc.boolean(),
  },
  { requiredKeys: ['images', 'keys'] },
);

const KEY_FILES: Record<string, string> = Object.fromEntries(KEY_NAMES.map((name) => [name, `keys/${name}.pub`]));

export interface OverlayDocument {
  names: string[];
  allow?: string[];
  deny?: string[];
  mode?: 'enforce' | 'audit';
  requireDigest?: boolean;
  breakGlass?: boolean;
  vulnerabilities?: VulnerabilityOverlayDocument;
  signatures?: { require: SignatureRuleDocument[] };
}

export interface PolicyDocument {
  apiVersion: 'image-policy-webhook/v1';
  kind: 'ImagePolicy';
  metadata: { name: string };
  mode: 'enforce' | 'audit';
  allow: string[];
  deny: string[];
  requireDigest: boolean;
  breakGlass: boolean;
  namespaces: OverlayDocument[];
  vulnerabilities?: { reports: string; maxSeverity: Severity; ignore: string[]; requireReport: boolean };
  resolveTags?: { registries: string[]; onError: 'deny' | 'allow-with-audit'; maxTagsPerReview: number };
  signatures?: SignaturesDocument;
}

const FINDING_IDS = ['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003'];
const severityArbitrary = fc.constantFrom(...SEVERITIES);

const vulnerabilityOverlayArbitrary: fc.Arbitrary<VulnerabilityOverlayDocument> = fc.record(
  { maxSeverity: severityArbitrary, ignore: fc.subarray(FINDING_IDS, { maxLength: 1 }), requireReport: fc.boolean() },
  { requiredKeys: [] },
);

const overlayArbitrary: fc.Arbitrary<OverlayDocument> = fc.record(
  {
    names: fc.subarray(NAMESPACE_GLOBS, { minLength: 1, maxLength: 2 }),
    allow: fc.subarray(ALLOW_PATTERNS, { maxLength: 3 }),
    deny: fc.subarray(DENY_PATTERNS, { maxLength: 2 }),
    mode: fc.constantFrom<'enforce' | 'audit'>('enforce', 'audit'),
    requireDigest: fc.boolean(),
    breakGlass: fc.boolean(),
    vulnerabilities: vulnerabilityOverlayArbitrary,
    signatures: fc.record({ require: fc.array(signatureRuleArbitrary, { minLength: 1, maxLength: 2 }) }),
  },
  { requiredKeys: ['names'] },
);

export const policyArbitrary: fc.Arbitrary<PolicyDocument> = fc
  .record({
    mode: fc.oneof({ weight: 4, arbitrary: fc.constant<'enforce'>('enforce') }, { weight: 1, arbitrary: fc.constant<'audit'>('audit') }),
    allow: fc.subarray(ALLOW_PATTERNS, { maxLength: 6 }),
    deny: fc.subarray(DENY_PATTERNS, { maxLength: 4 }),
    requireDigest: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    breakGlass: fc.boolean(),
    namespaces: fc.array(overlayArbitrary, { maxLength: 2 }),
    vulnerabilities: fc.option(
      fc.record({ reports: fc.constant('reports'), maxSeverity: severityArbitrary, ignore: fc.subarray(FINDING_IDS, { maxLength: 1 }), requireReport: fc.boolean() }),
      { nil: undefined },
    ),
    resolveTags: fc.option(
      fc.record({
        registries: fc.subarray(RESOLVABLE_REGISTRIES, { minLength: 1 }),
        onError: fc.constantFrom<'deny' | 'allow-with-audit'>('deny', 'allow-with-audit'),
        maxTagsPerReview: fc.integer({ min: 1, max: 4 }),
      }),
      { nil: undefined },
    ),
    signatures: fc.option(
      fc.record({ require: fc.array(signatureRuleArbitrary, { maxLength: 3 }), maxImagesPerReview: fc.integer({ min: 1, max: 4 }) }),
      { nil: undefined },
    ),
  })
  .map((fields) => {
    // An overlay's vulnerabilities need the global section, and signatures need resolveTags to
    // fetch from; without them they are dropped, not refused.
    const namespaces = fields.namespaces.map((overlay) => {
      let kept: OverlayDocument = overlay;
      if (fields.vulnerabilities === undefined) {
        const { vulnerabilities: _dropped, ...rest } = kept;
        kept = rest;
      }
      if (fields.resolveTags === undefined) {
        const { signatures: _dropped, ...rest } = kept;
        kept = rest;
      }
      return kept;
    });
    const document: PolicyDocument = {
      apiVersion: 'image-policy-webhook/v1',
      kind: 'ImagePolicy',
      metadata: { name: 'generated' },
      mode: fields.mode,
      allow: fields.allow,
      deny: fields.deny,
      requireDigest: fields.requireDigest,
      breakGlass: fields.breakGlass,
      namespaces,
    };
    if (fields.vulnerabilities !== undefined) document.vulnerabilities = fields.vulnerabilities;
    if (fields.resolveTags !== undefined) document.resolveTags = fields.resolveTags;
    // Overlay rules name the global keys, so any rule at all brings the global section with them.
    if (fields.resolveTags !== undefined && (fields.signatures !== undefined || namespaces.some((overlay) => overlay.signatures !== undefined))) {
      document.signatures = { keys: KEY_FILES, require: [], ...fields.signatures };
    }
    return document;
  });

/** The same policy with every signature rule added to it (resolveTags too, which signatures need). */
export function withSignatureRule(document: PolicyDocument, rule: SignatureRuleDocument, overlay: number | undefined): PolicyDocument {
  const resolveTags = document.resolveTags ?? { registries: ['registry.example.com'], onError: 'deny' as const, maxTagsPerReview: 32 };
  const signatures = document.signatures ?? { keys: KEY_FILES, require: [] };
  if (overlay === undefined || document.namespaces.length === 0) return { ...document, resolveTags, signatures: { ...signatures, require: [...signatures.require, rule] } };
  const at = overlay % document.namespaces.length;
  const namespaces = document.namespaces.map((entry, index) => (index === at ? { ...entry, signatures: { require: [...(entry.signatures?.require ?? []), rule] } } : entry));
  return { ...document, resolveTags, signatures, namespaces };
}

/** The same policy without any signatures section. */
export function withoutSignatures(document: PolicyDocument): PolicyDocument {
  const { signatures: _signatures, ...rest } = document;
  return { ...rest, namespaces: rest.namespaces.map(({ signatures: _overlay, ...overlay }) => overlay) };
}

const compiled = new Map<string, CompiledPolicy>();

/** JSON is YAML: the document goes through loadPolicy exactly as a policy file would. */
export function compile(document: PolicyDocument): CompiledPolicy {
  const text = JSON.stringify(document);
  let policy = compiled.get(text);
  if (policy === undefined) {
    policy = loadPolicy(text, 'generated.yaml');
    compiled.set(text, policy);
  }
  return policy;
}

/** What the in-memory registry says for one tag. */
export type RegistryAnswer = { readonly kind: 'digest'; readonly digest: string } | { readonly kind: 'error' } | { readonly kind: 'timeout' } | { readonly kind: 'limited' };

const registryAnswerArbitrary: fc.Arbitrary<RegistryAnswer> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...DIGESTS).map((digest) => ({ kind: 'digest' as const, digest })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'error' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'timeout' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'limited' as const }) },
);

/** Every normalized tag key an image of the universe can have. */
export const TAG_KEYS: readonly string[] = REGISTRY_SPELLINGS.flatMap((spellings) =>
  REPOSITORIES.flatMap((repository) =>
    TAGS.map((tag) => {
      const reference = parseImageReference(spell({ group: 0, repository, tag, digest: undefined }, spellings[0] ?? ''));
      return formatTagKey({ registry: reference.registry, repository: reference.repository, tag: reference.tag ?? tag });
    }),
  ),
);

export function toResolution(answer: RegistryAnswer): TagResolution {
  if (answer.kind === 'digest') return { ok: true, digest: answer.digest };
  if (answer.kind === 'timeout') return { ok: false, fault: 'registry: no answer within 2000 ms' };
  if (answer.kind === 'limited') return { ok: false, fault: 'lookup queue is full', limited: true };
  return { ok: false, fault: 'registry: tag not found (HTTP 404)' };
}

export interface ReportSpec {
  /** A digest the report names, or undefined for a report CI filed under a tag only. */
  readonly digest: string | undefined;
  readonly tagKey: string | undefined;
  readonly findings: readonly { readonly id: string; readonly severity: Severity }[];
}

const reportSpecArbitrary: fc.Arbitrary<ReportSpec> = fc.record({
  digest: fc.option(fc.constantFrom(...DIGESTS), { nil: undefined, freq: 3 }),
  tagKey: fc.option(fc.constantFrom(...TAG_KEYS), { nil: undefined }),
  findings: fc.uniqueArray(fc.record({ id: fc.constantFrom(...FINDING_IDS), severity: severityArbitrary }), { maxLength: 2, selector: (finding) => finding.id }),
});

/** Every `registry/repository@digest` an image of the universe can have. */
export const DIGEST_REFERENCES: readonly string[] = REGISTRY_SPELLINGS.flatMap((spellings) =>
  REPOSITORIES.flatMap((repository) =>
    DIGESTS.map((digest) => {
      const reference = parseImageReference(spell({ group: 0, repository, tag: undefined, digest }, spellings[0] ?? ''));
      return formatDigestReference({ registry: reference.registry, repository: reference.repository, digest });
    }),
  ),
);

/** What the in-memory registry's signatures say about one digest. */
export type SignatureAnswer =
  | { readonly kind: 'signed'; readonly keys: readonly KeyName[]; readonly otherRepository: boolean }
  | { readonly kind: 'error' }
  | { readonly kind: 'limited' };

const signatureAnswerArbitrary: fc.Arbitrary<SignatureAnswer> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('signed' as const), keys: fc.subarray([...KEY_NAMES]), otherRepository: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'error' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'limited' as const }) },
);

export interface WorldSpec {
  /** Index-aligned with TAG_KEYS. */
  readonly answers: readonly RegistryAnswer[];
  readonly reports: readonly ReportSpec[];
  /** Index-aligned with DIGEST_REFERENCES. */
  readonly signatures: readonly SignatureAnswer[];
}

export const worldArbitrary: fc.Arbitrary<WorldSpec> = fc.record({
  answers: fc.array(registryAnswerArbitrary, { minLength: TAG_KEYS.length, maxLength: TAG_KEYS.length }),
  reports: fc.array(reportSpecArbitrary, { maxLength: 8 }),
  signatures: fc.array(signatureAnswerArbitrary, { minLength: DIGEST_REFERENCES.length, maxLength: DIGEST_REFERENCES.length }),
});

/** Every key set a rule can name (one or two keys), in both repository-check modes. */
const KEY_SETS: readonly (readonly KeyName[])[] = [['ci'], ['vendor'], ['release'], ['ci', 'vendor'], ['ci', 'release'], ['vendor', 'release'], ['ci', 'vendor', 'release']];

/** Every check a policy of the universe can ask for, with its context key, computed once. */
const SIGNATURE_CHECKS = DIGEST_REFERENCES.flatMap((written, index) => {
  const reference = parseImageReference(written);
  const image = { registry: reference.registry, repository: reference.repository, digest: reference.digest ?? '' };
  return KEY_SETS.flatMap((keys) => [true, false].map((checkRepository) => ({ index, keys, checkRepository, key: formatVerificationKey({ image, keys, checkRepository }) })));
});

/** The check a webhook would make of one digest for one key set: verified by the first key that signed it. */
export function checkSignature(answer: SignatureAnswer, keys: readonly string[], checkRepository: boolean): SignatureVerification {
  if (answer.kind === 'error') return { verified: false, failure: 'unavailable', fault: 'registry: cannot read signatures' };
  if (answer.kind === 'limited') return { verified: false, failure: 'limited', fault: 'lookup queue is full' };
  const key = keys.find((name) => answer.keys.some((signer) => signer === name));
  if (answer.keys.length === 0) return { verified: false, failure: 'unsigned', fault: 'no valid signature: the image has no cosign signature' };
  if (key === undefined) return { verified: false, failure: 'invalid', fault: 'no valid signature: signed by another key' };
  if (answer.otherRepository && checkRepository) return { verified: false, failure: 'invalid', fault: 'no valid signature: names another repository' };
  return { verified: true, key, fingerprint: `sha256:${key}` };
}

function buildReport(spec: ReportSpec, index: number): ScanReport {
  const findings: Finding[] = [...spec.findings]
    .sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || (a.id < b.id ? -1 : 1))
    .map((finding) => ({ id: finding.id, key: finding.id.toUpperCase(), severity: finding.severity, packages: ['pkg'] }));
  return {
    source: `report-${index}.json`,
    artifactName: spec.tagKey ?? spec.digest ?? 'unknown',
    createdAt: index,
    references: spec.tagKey === undefined ? [] : [spec.tagKey],
    manifestDigests: spec.digest === undefined ? [] : [spec.digest],
    imageId: undefined,
    findings,
  };
}

/** The context the server would gather: every listed tag and every signature check answered by the in-memory registry. */
export function buildContext(world: WorldSpec): EvaluationContext {
  const resolutions = new Map<string, TagResolution>();
  TAG_KEYS.forEach((key, index) => resolutions.set(key, toResolution(world.answers[index] ?? { kind: 'error' })));
  const verifications = new Map<string, SignatureVerification>();
  for (const check of SIGNATURE_CHECKS) verifications.set(check.key, checkSignature(world.signatures[check.index] ?? { kind: 'error' }, check.keys, check.checkRepository));
  return { reports: new ReportIndex(world.reports.map(buildReport)), resolutions, verifications };
}

/** What the world says about `written`'s digest (written as `registry/repository@digest`). */
export function findSignatureAnswer(world: WorldSpec, written: string): SignatureAnswer | undefined {
  const index = DIGEST_REFERENCES.indexOf(written);
  return index < 0 ? undefined : world.signatures[index];
}

/** The normalized form of an image of the universe (it parses by construction). */
export function normalize(image: string): string {
  return formatReference(parseImageReference(image));
}
