// The policy file's shape as one zod schema: it validates loaded YAML, gives the TypeScript type
// and is published as schema/policy.schema.json for editors. Every message names the rule and
// the value found, because it is shown as `policy.yaml:12:5: allow[3]: <message>`.
import { z } from 'zod';
import { checkRegistry, isLoopbackRegistry } from '../reference';
import { SEVERITIES, VULNERABILITY_ID } from '../vulnerabilities';
import { NAMESPACE_GLOB, describeNamespaceGlobFault, findNamespaceGlobRangeFault } from './namespace-glob';
import { DNS_LABEL, boundedInteger, flag, mapping, patternList, required } from './schema-parts';
import { checkSignatureKeys, signatureOverlaySchema, signaturesSchema } from './signature-schema';

export const POLICY_API_VERSION = 'image-policy-webhook/v1';
export const POLICY_KIND = 'ImagePolicy';
export const POLICY_MODES = ['enforce', 'audit'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

const modeSchema = z.enum(POLICY_MODES, { error: required('must be "enforce" or "audit"') });

const MODE_DESCRIPTION = 'enforce: deny what the policy denies. audit: allow everything, but report what enforce would deny.';
const REQUIRE_DIGEST_DESCRIPTION = 'true: every image must be pinned by @sha256:...';
const BREAK_GLASS_DESCRIPTION = 'true: a pod annotated alpha.image-policy.k8s.io/break-glass: "true" is allowed (and reported).';

const namespaceGlob = z
  .string({ error: required('must be a string (a namespace name glob)') })
  .regex(NAMESPACE_GLOB, { error: (issue) => describeNamespaceGlobFault(String(issue.input)) })
  .check((context) => {
    const fault = findNamespaceGlobRangeFault(context.value);
    if (fault !== undefined) context.issues.push({ code: 'custom', input: context.value, message: fault });
  });

const severitySchema = z
  .enum(SEVERITIES, { error: required(`must be one of ${SEVERITIES.join(', ')}`) })
  .describe('The highest severity allowed: an image with a finding above it is denied (CRITICAL > HIGH > MEDIUM > LOW > UNKNOWN).');
const ignoreSchema = z
  .array(z.string({ error: required('must be a vulnerability ID') }).regex(VULNERABILITY_ID, { error: required('must be a vulnerability ID such as CVE-2023-12345') }), {
    error: required('must be a list of vulnerability IDs'),
  })
  .describe('Vulnerability IDs accepted as risks (case-insensitive); overlays add to the global list.');
const REQUIRE_REPORT_DESCRIPTION = 'true: an image with no scan report is denied.';

const vulnerabilityOverlaySchema = mapping(
  { maxSeverity: severitySchema.optional(), ignore: ignoreSchema.optional(), requireReport: flag(REQUIRE_REPORT_DESCRIPTION).optional() },
  'a mapping',
).describe('Overrides of the global vulnerabilities settings in these namespaces.');

const vulnerabilitiesSchema = mapping(
  {
    reports: z
      .string({ error: required('must be the directory of Trivy JSON reports') })
      .min(1, { error: 'must name the directory of Trivy JSON reports' })
      .describe('Directory of Trivy JSON reports (schema version 2), relative to the policy file; re-read when it changes.'),
    maxSeverity: severitySchema.default('HIGH'),
    ignore: ignoreSchema.default([]),
    requireReport: flag(REQUIRE_REPORT_DESCRIPTION).default(false),
  },
  'a mapping',
).describe('Scan-report gating: deny images with findings above maxSeverity.');

const registryHost = z
  .string({ error: required('must be a registry host[:port]') })
  .check((context) => {
    const checked = checkRegistry(context.value);
    if (!checked.ok) context.issues.push({ code: 'custom', input: context.value, message: `registry ${JSON.stringify(context.value)}: ${checked.fault}` });
  });

export const RESOLVE_ERROR_ACTIONS = ['deny', 'allow-with-audit'] as const;

const resolveTagsSchema = mapping(
  {
    enabled: flag('false keeps the settings but resolves nothing.').default(true),
    registries: z
      .array(registryHost, { error: required('must be a list of registry hosts') })
      .min(1, { error: 'must name at least one registry: only tags on these registries are looked up' })
      .describe('Registries whose tags are resolved; images on any other registry are judged as written.'),
    plainHttpRegistries: z
      .array(registryHost, { error: required('must be a list of registry hosts') })
      .default([])
      .describe('Registries (also listed in registries) spoken to over plain HTTP; loopback hosts only, unless insecureNonLoopbackPlainHttp is true.'),
    insecureNonLoopbackPlainHttp: flag(
      'true: plainHttpRegistries may name hosts beyond loopback; lookups and credentials for them then cross the network unencrypted and unauthenticated.',
    ).default(false),
    maxTagsPerReview: boundedInteger(1, 1_000, 'Most distinct tags one review may ask to resolve; a review naming more has those images denied.').default(32),
    timeoutMs: boundedInteger(100, 10_000, 'Deadline for one lookup (token and manifest requests together).').default(2_000),
    cacheTTLSeconds: boundedInteger(1, 86_400, 'How long a resolved digest is trusted before the registry is asked again.').default(60),
    cacheSize: boundedInteger(1, 1_000_000, 'Most tags kept in the cache (least recently used dropped first).').default(10_000),
    onError: z
      .enum(RESOLVE_ERROR_ACTIONS, { error: required('must be "deny" or "allow-with-audit"') })
      .default('deny')
      .describe('When a tag cannot be resolved: deny the image, or judge it as written and record the error in the audit annotations.'),
    credentialsFile: z.string({ error: required('must be a file name') }).min(1).optional().describe('docker config.json with an "auths" map, relative to the policy file.'),
    caFile: z.string({ error: required('must be a file name') }).min(1).optional().describe('PEM CA certificates trusted for registries, besides the system roots; relative to the policy file.'),
  },
  'a mapping',
).describe('Resolve tags to digests at the registry, so digest-pinned deny entries and digest-keyed reports apply to tag references too; allow entries see the image as written.');

export const DEFAULT_MAX_IMAGES_PER_REVIEW = 1_000;

const limitsSchema = mapping(
  {
    maxImagesPerReview: boundedInteger(1, 100_000, 'Most images one review may carry; a review with more is denied without judging them.').default(DEFAULT_MAX_IMAGES_PER_REVIEW),
  },
  'a mapping',
).describe('Bounds on one review, so that no single request can stall the others.');

const overlaySchema = mapping(
  {
    names: z
      .array(namespaceGlob, { error: required('must be a list of namespace name globs') })
      .min(1, { error: 'must name at least one namespace glob' })
      .describe('Globs over the whole namespace name, e.g. kube-system or "dev-*".'),
    allow: patternList('Image patterns added to the global allow list in these namespaces.').optional(),
    deny: patternList('Image patterns added to the global deny list in these namespaces.').optional(),
    mode: modeSchema.describe(MODE_DESCRIPTION).optional(),
    requireDigest: flag(REQUIRE_DIGEST_DESCRIPTION).optional(),
    breakGlass: flag(BREAK_GLASS_DESCRIPTION).optional(),
    vulnerabilities: vulnerabilityOverlaySchema.optional(),
    signatures: signatureOverlaySchema.optional(),
  },
  'a namespace overlay (a mapping)',
);

export const policySchema = mapping(
  {
    apiVersion: z.literal(POLICY_API_VERSION, { error: required(`must be "${POLICY_API_VERSION}"`) }),
    kind: z.literal(POLICY_KIND, { error: required(`must be "${POLICY_KIND}"`) }),
    metadata: mapping(
      {
        name: z
          .string({ error: required('must be the policy name, a DNS label') })
          .regex(DNS_LABEL, { error: required('must be a DNS label: lowercase letters, digits and inner "-", at most 63 characters') })
          .describe('Appears in reasons, logs and audit annotations.'),
      },
      'a mapping',
    ),
    mode: modeSchema.default('enforce').describe(MODE_DESCRIPTION),
    // prefault, not default: the JSON Schema (io: 'input') keeps a default only before a transform.
    allow: patternList('Image patterns that may run.').prefault([]),
    deny: patternList('Image patterns that never run; deny beats allow.').prefault([]),
    requireDigest: flag(REQUIRE_DIGEST_DESCRIPTION).default(false),
    breakGlass: flag(BREAK_GLASS_DESCRIPTION).default(false),
    namespaces: z
      .array(overlaySchema, { error: required('must be a list of namespace overlays') })
      .prefault([])
      .describe('Overlays: every overlay whose names match the namespace applies, in file order.'),
    vulnerabilities: vulnerabilitiesSchema.optional(),
    resolveTags: resolveTagsSchema.optional(),
    signatures: signaturesSchema.optional(),
    limits: limitsSchema.prefault({}),
  },
  'the ImagePolicy object (a mapping)',
)
  .check((context) => {
    const policy = context.value;
    policy.namespaces.forEach((overlay, index) => {
      if (overlay.vulnerabilities !== undefined && policy.vulnerabilities === undefined) {
        const message = 'needs the global vulnerabilities section, which names the reports directory';
        context.issues.push({ code: 'custom', input: overlay.vulnerabilities, path: ['namespaces', index, 'vulnerabilities'], message });
      }
    });
    for (const issue of checkSignatureKeys(policy.signatures, policy.namespaces.map((overlay) => overlay.signatures))) context.issues.push({ code: 'custom', ...issue, path: [...issue.path] });
    const resolveTags = policy.resolveTags;
    if (resolveTags === undefined) {
      // Signatures are read from the registries resolveTags lists, with its credentials and CA.
      const signed = [...(policy.signatures === undefined ? [] : [['signatures']]), ...policy.namespaces.flatMap((overlay, index) => (overlay.signatures === undefined ? [] : [['namespaces', index, 'signatures']]))];
      for (const path of signed) {
        const message = 'needs the resolveTags section: signatures are fetched only from the registries it lists, with its credentials and CA';
        context.issues.push({ code: 'custom', input: undefined, path, message });
      }
      return;
    }
    const listed = new Set(resolveTags.registries.map((registry) => checkRegistry(registry)).flatMap((checked) => (checked.ok ? [checked.value] : [])));
    resolveTags.plainHttpRegistries.forEach((registry, index) => {
      const checked = checkRegistry(registry);
      if (!checked.ok) return;
      const path = ['resolveTags', 'plainHttpRegistries', index];
      if (!listed.has(checked.value)) {
        const message = `registry ${JSON.stringify(registry)} is not in resolveTags.registries, so it is never looked up`;
        context.issues.push({ code: 'custom', input: registry, path, message });
      }
      if (!isLoopbackRegistry(checked.value) && !resolveTags.insecureNonLoopbackPlainHttp) {
        const message = `registry ${JSON.stringify(registry)} is not on loopback: plain HTTP to it can be read and answered by anyone on the path; use HTTPS (caFile for a private CA), or set insecureNonLoopbackPlainHttp: true`;
        context.issues.push({ code: 'custom', input: registry, path, message });
      }
    });
  })
  .meta({
  title: 'ImagePolicy',
  description: 'Policy file of image-policy-webhook: which container images may run.',
});

export type PolicyDocument = z.infer<typeof policySchema>;

/** The JSON Schema of the policy file (draft-07, which YAML editors understand), from the same zod schema. */
export function policyJsonSchema(): object {
  return z.toJSONSchema(policySchema, { io: 'input', target: 'draft-7' });
}
