// The `signatures` section, global and per namespace overlay: named public key files and rules
// saying which images must carry a cosign signature by which keys. Shapes are checked here; that
// every key a rule names is defined, once, is checked across the whole file by checkSignatureKeys.
import { z } from 'zod';
import { DNS_LABEL, boundedInteger, flag, mapping, patternSchema, required } from './schema-parts';

/** Rules name keys by these; they appear in reasons, audit annotations and log lines. */
const keyNameSchema = z.string().regex(DNS_LABEL);

function describeKeyName(input: unknown): string {
  return `key name ${JSON.stringify(String(input).slice(0, 60))} must be a DNS label: lowercase letters, digits and inner "-"`;
}

const keysSchema = z
  .record(keyNameSchema, z.string({ error: required('must be the path of a PEM public key file') }).min(1, { error: 'must name a PEM public key file' }), {
    // A bad key file keeps its own message; zod reports a bad key name as the record's.
    error: (issue) => {
      if (issue.code === 'invalid_key') return describeKeyName(issue.input);
      return issue.code === 'invalid_type' ? required('must map key names to PEM public key files')(issue) : undefined;
    },
  })
  .describe('Key name -> PEM public key file (cosign.pub), relative to the policy file. ECDSA P-256/P-384/P-521, Ed25519 or RSA 2048-4096.');

/**
 * A rule covers whole repositories: with a tag in its pattern, `app:1.0@sha256:...` (pulled by
 * digest, so matched without its tag) would escape a rule written for `app:1.0`.
 */
const rulePatternSchema = patternSchema.check((context) => {
  const spec = context.value;
  if (spec.tag === undefined && spec.digest === undefined) return;
  const message = `pattern ${JSON.stringify(spec.source)} names a ${spec.digest === undefined ? 'tag' : 'digest'}: a signature rule covers whole repositories (every tag and digest), so that no spelling of an image escapes it`;
  context.issues.push({ code: 'custom', input: spec.source, message });
});

const ruleSchema = mapping(
  {
    images: z
      .array(rulePatternSchema, { error: required('must be a list of image patterns') })
      .min(1, { error: 'must name at least one image pattern' })
      .describe('Repositories whose images must be signed: patterns without tag or digest.'),
    keys: z
      .array(z.string({ error: required('must be a key name') }), { error: required('must be a list of key names') })
      .min(1, { error: 'must name at least one key: a signature by any one of them suffices' })
      .describe('Names from signatures.keys (or the overlay\'s keys); a valid signature by any one of them suffices.'),
    checkRepository: flag('true: the signed payload must name the image\'s own repository. false accepts a signature made for another repository (mirrors, promotions).').default(true),
  },
  'a signature rule (a mapping)',
);

const rulesSchema = z
  .array(ruleSchema, { error: required('must be a list of signature rules') })
  .describe('Every rule whose images match applies: an image must satisfy each of them.');

export const DEFAULT_SIGNATURE_CACHE_TTL_SECONDS = 300;
export const DEFAULT_SIGNATURE_CACHE_SIZE = 10_000;
export const DEFAULT_MAX_SIGNED_IMAGES_PER_REVIEW = 32;

export const signaturesSchema = mapping(
  {
    keys: keysSchema.default({}),
    require: rulesSchema.default([]),
    cacheTTLSeconds: boundedInteger(1, 86_400, 'How long a verified signature is trusted before the registry is asked again.').default(DEFAULT_SIGNATURE_CACHE_TTL_SECONDS),
    cacheSize: boundedInteger(1, 1_000_000, 'Most verified results kept (least recently used dropped first).').default(DEFAULT_SIGNATURE_CACHE_SIZE),
    maxImagesPerReview: boundedInteger(1, 1_000, 'Most distinct image digests one review may have verified; a review naming more has those images denied.').default(
      DEFAULT_MAX_SIGNED_IMAGES_PER_REVIEW,
    ),
  },
  'a mapping',
).describe('cosign signature verification: images matching a rule run only when a key the rule names signed their digest.');

export const signatureOverlaySchema = mapping({ keys: keysSchema.optional(), require: rulesSchema.optional() }, 'a mapping').describe(
  'Keys and rules added in these namespaces.',
);

type SignaturesSection = z.infer<typeof signaturesSchema>;
type OverlaySection = z.infer<typeof signatureOverlaySchema>;

export interface SignatureIssue {
  readonly path: readonly (string | number)[];
  readonly input: unknown;
  readonly message: string;
}

function describeKeyPath(overlay: number | undefined, name: string): string {
  return overlay === undefined ? `signatures.keys.${name}` : `namespaces[${overlay}].signatures.keys.${name}`;
}

/**
 * Key names are unique in the file, so a name means one key wherever it is read (reasons, logs,
 * cached results). A global rule may name the global keys; an overlay's rule also its own keys.
 */
export function checkSignatureKeys(global: SignaturesSection | undefined, overlays: readonly (OverlaySection | undefined)[]): SignatureIssue[] {
  const issues: SignatureIssue[] = [];
  const defined = new Map<string, number | undefined>();
  const globalKeys = new Set(Object.keys(global?.keys ?? {}));
  for (const name of globalKeys) defined.set(name, undefined);
  overlays.forEach((section, overlay) => {
    for (const name of Object.keys(section?.keys ?? {})) {
      if (defined.has(name)) {
        const message = `key "${name}" is already defined at ${describeKeyPath(defined.get(name), name)}: each key name stands for one key file`;
        issues.push({ path: ['namespaces', overlay, 'signatures', 'keys', name], input: name, message });
      } else defined.set(name, overlay);
    }
  });
  const checkRules = (rules: SignaturesSection['require'] | undefined, visible: ReadonlySet<string>, prefix: readonly (string | number)[], where: string): void => {
    (rules ?? []).forEach((rule, index) => {
      rule.keys.forEach((name, position) => {
        if (visible.has(name)) return;
        const message = `key "${name}" is not defined in ${where}`;
        issues.push({ path: [...prefix, 'require', index, 'keys', position], input: name, message });
      });
    });
  };
  checkRules(global?.require, globalKeys, ['signatures'], 'signatures.keys');
  overlays.forEach((section, overlay) => {
    const own = Object.keys(section?.keys ?? {});
    checkRules(section?.require, new Set([...globalKeys, ...own]), ['namespaces', overlay, 'signatures'], `signatures.keys or namespaces[${overlay}].signatures.keys`);
  });
  return issues;
}
