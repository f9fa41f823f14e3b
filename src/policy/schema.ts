// The policy file's shape as one zod schema: it validates loaded YAML, gives the TypeScript type
// and is published as schema/policy.schema.json for editors. Every message names the rule and
// the value found, because it is shown as `policy.yaml:12:5: allow[3]: <message>`.
import { z } from 'zod';
import { NAMESPACE_GLOB, describeNamespaceGlobFault } from './namespace-glob';
import { parsePattern } from './pattern';

export const POLICY_API_VERSION = 'image-policy-webhook/v1';
export const POLICY_KIND = 'ImagePolicy';
export const POLICY_MODES = ['enforce', 'audit'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** The policy name is printed in reasons and audit annotation values, so it stays a DNS label. */
const POLICY_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_SHOWN_VALUE = 60;

/** Describes a YAML value for a message: strings quoted, other kinds named. */
function describeValue(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'an empty value';
  if (typeof input === 'string') {
    const shown = JSON.stringify(input.length > MAX_SHOWN_VALUE ? `${input.slice(0, MAX_SHOWN_VALUE)}...` : input);
    return `the string ${shown}`;
  }
  if (typeof input === 'number' || typeof input === 'boolean') return `${typeof input} ${String(input)}`;
  if (Array.isArray(input)) return 'a list';
  return 'a mapping';
}

function required(rule: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? `is required: ${rule}` : `${rule}, got ${describeValue(issue.input)}`);
}

function mapping<Shape extends z.ZodRawShape>(shape: Shape, what: string) {
  const keys = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    // Unrecognized keys get this text as the list of allowed keys; load.ts names each bad key.
    error: (issue) => (issue.code === 'unrecognized_keys' ? `allowed keys: ${keys}` : required(`must be ${what} with keys ${keys}`)(issue)),
  });
}

const patternSchema = z
  .string({ error: required('must be a string (an image pattern)') })
  .check((context) => {
    const parsed = parsePattern(context.value);
    if (!parsed.ok) context.issues.push({ code: 'custom', input: context.value, message: `pattern ${JSON.stringify(context.value)} ${parsed.fault}` });
  })
  .describe('[registry/]path[:tag][@digest]; "*" matches within one component, "**" any number of components.');

const patternList = (role: string) =>
  z.array(patternSchema, { error: required(`must be a list of image patterns`) }).describe(role);

const modeSchema = z.enum(POLICY_MODES, { error: required('must be "enforce" or "audit"') });

const flag = (rule: string) => z.boolean({ error: required('must be true or false') }).describe(rule);

const MODE_DESCRIPTION = 'enforce: deny what the policy denies. audit: allow everything, but report what enforce would deny.';
const REQUIRE_DIGEST_DESCRIPTION = 'true: every image must be pinned by @sha256:...';
const BREAK_GLASS_DESCRIPTION = 'true: a pod annotated alpha.image-policy.k8s.io/break-glass: "true" is allowed (and reported).';

const namespaceGlob = z
  .string({ error: required('must be a string (a namespace name glob)') })
  .regex(NAMESPACE_GLOB, { error: (issue) => describeNamespaceGlobFault(String(issue.input)) });

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
          .regex(POLICY_NAME, { error: required('must be a DNS label: lowercase letters, digits and inner "-", at most 63 characters') })
          .describe('Appears in reasons, logs and audit annotations.'),
      },
      'a mapping',
    ),
    mode: modeSchema.default('enforce').describe(MODE_DESCRIPTION),
    allow: patternList('Image patterns that may run.').default([]),
    deny: patternList('Image patterns that never run; deny beats allow.').default([]),
    requireDigest: flag(REQUIRE_DIGEST_DESCRIPTION).default(false),
    breakGlass: flag(BREAK_GLASS_DESCRIPTION).default(false),
    namespaces: z
      .array(overlaySchema, { error: required('must be a list of namespace overlays') })
      .default([])
      .describe('Overlays: every overlay whose names match the namespace applies, in file order.'),
  },
  'the ImagePolicy object (a mapping)',
).meta({
  title: 'ImagePolicy',
  description: 'Policy file of image-policy-webhook: which container images may run.',
});

export type PolicyDocument = z.infer<typeof policySchema>;

/** The JSON Schema of the policy file (draft-07, which YAML editors understand), from the same zod schema. */
export function policyJsonSchema(): object {
  return z.toJSONSchema(policySchema, { io: 'input', target: 'draft-7' });
}
