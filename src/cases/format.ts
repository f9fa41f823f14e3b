// Policy case files: a policy (inline or by path), reviews, and the outcome each must get —
// gatekeeper-library style, so policy behaviour is proven by data. The project's own tests and
// operators' policy repositories (`image-policy-webhook test DIR`) use this one format.
import { parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { type TagResolution, formatTagKey } from '../policy';
import { parseImageReference, validateDigest } from '../reference';

export const EXPECTATIONS = ['allow', 'deny'] as const;
export const DECISION_LABELS = ['allow', 'deny', 'audit-deny', 'break-glass'] as const;

/**
 * What the registry answers for a tag, so that cases of a policy with resolveTags need no network:
 * a digest, or `{error: ...}` for a lookup that fails. A tag a case needs but does not list counts
 * as a lookup that was never made, which is a denial.
 */
const resolutionsSchema = z.record(z.string(), z.union([z.string(), z.strictObject({ error: z.string().min(1) })])).default({});

const caseSchema = z
  .strictObject({
    name: z.string().min(1),
    images: z.array(z.string()).optional(),
    namespace: z.string().default('default'),
    annotations: z.record(z.string(), z.string()).default({}),
    /** An ImageReview request file (JSON), relative to the case file, instead of `images`. */
    review: z.string().min(1).optional(),
    /** What kube-apiserver receives: status.allowed. */
    expect: z.enum(EXPECTATIONS),
    /** Optional finer check: allow, deny, audit-deny (audit let a denial through) or break-glass. */
    decision: z.enum(DECISION_LABELS).optional(),
    /** Substrings the deny reason (or the audit annotation `reason`) must contain. */
    reasonIncludes: z.array(z.string()).default([]),
    /** Added to (and overriding) the file's `resolutions` for this case. */
    resolutions: resolutionsSchema,
  })
  .refine((value) => (value.images === undefined) !== (value.review === undefined), {
    message: 'give exactly one of `images` or `review`',
  });

const caseFileSchema = z
  .strictObject({
    description: z.string().optional(),
    /** A policy file relative to the case file ... */
    policyFile: z.string().min(1).optional(),
    /** ... or the policy document itself. */
    policy: z.record(z.string(), z.unknown()).optional(),
    resolutions: resolutionsSchema,
    cases: z.array(caseSchema).min(1),
  })
  .refine((value) => (value.policyFile === undefined) !== (value.policy === undefined), {
    message: 'give exactly one of `policyFile` or `policy`',
  });

type WrittenResolutions = z.infer<typeof resolutionsSchema>;

export type PolicyCase = Omit<z.infer<typeof caseSchema>, 'resolutions'> & {
  /** The file's resolutions with this case's own on top, keyed like the evaluation context's. */
  readonly resolutions: ReadonlyMap<string, TagResolution>;
};

export interface CaseFile {
  readonly fileName: string;
  readonly description?: string;
  readonly policy: { readonly kind: 'file'; readonly path: string } | { readonly kind: 'inline'; readonly text: string };
  readonly cases: readonly PolicyCase[];
}

export class CaseFileError extends Error {
  override readonly name = 'CaseFileError';
}

/** Reads `image: digest | {error}` entries into the context's map; each image must name a tag, each value a digest. */
function readResolutions(written: WrittenResolutions, where: string, fileName: string, into: Map<string, TagResolution>): void {
  for (const [image, answer] of Object.entries(written)) {
    let key: string;
    try {
      const reference = parseImageReference(image);
      if (reference.digest !== undefined || reference.tag === undefined) throw new Error('names a digest: only tags are resolved');
      key = formatTagKey({ registry: reference.registry, repository: reference.repository, tag: reference.tag });
    } catch (error) {
      throw new CaseFileError(`${fileName}: ${where}resolutions: ${JSON.stringify(image)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof answer !== 'string') {
      into.set(key, { ok: false, fault: answer.error });
      continue;
    }
    const fault = validateDigest(answer);
    if (fault !== undefined) throw new CaseFileError(`${fileName}: ${where}resolutions: ${JSON.stringify(image)}: ${fault}`);
    into.set(key, { ok: true, digest: answer });
  }
}

export function parseCaseFile(text: string, fileName: string): CaseFile {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new CaseFileError(document.errors.map((error) => `${fileName}: ${error.message.split('\n')[0]}`).join('\n'));
  }
  const parsed = caseFileSchema.safeParse(document.toJS());
  if (!parsed.success) {
    throw new CaseFileError(
      parsed.error.issues.map((issue) => `${fileName}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('\n'),
    );
  }
  const { description, policyFile, policy, cases, resolutions } = parsed.data;
  const shared = new Map<string, TagResolution>();
  readResolutions(resolutions, '', fileName, shared);
  return {
    fileName,
    ...(description === undefined ? {} : { description }),
    policy: policyFile !== undefined ? { kind: 'file', path: policyFile } : { kind: 'inline', text: stringify(policy) },
    cases: cases.map((testCase, index) => {
      const own = new Map(shared);
      readResolutions(testCase.resolutions, `cases[${index}].`, fileName, own);
      return { ...testCase, resolutions: own };
    }),
  };
}
