// Policy case files: a policy (inline or by path), reviews, and the outcome each must get —
// gatekeeper-library style, so policy behaviour is proven by data. The project's own tests and
// operators' policy repositories (`image-policy-webhook test DIR`) use this one format.
import { parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { type TagResolution, formatDigestReference, formatTagKey } from '../policy';
import { parseImageReference, validateDigest } from '../reference';

export const EXPECTATIONS = ['allow', 'deny'] as const;
export const DECISION_LABELS = ['allow', 'deny', 'audit-deny', 'break-glass'] as const;

/**
 * What the registry answers for a tag, so that cases of a policy with resolveTags need no network:
 * a digest, or `{error: ...}` for a lookup that fails. A tag a case needs but does not list counts
 * as a lookup that was never made, which is a denial.
 */
const resolutionsSchema = z.record(z.string(), z.union([z.string(), z.strictObject({ error: z.string().min(1) })])).default({});

/**
 * What the signature checks find for an image digest (`registry/repository@sha256:...`), so that
 * cases of a policy with signatures need no registry: the name of the policy's key whose signature
 * covers it (or a list of names), or `{error: ...}` for a check the registry could not answer. A
 * digest a case needs but does not list was never checked, which is a denial.
 */
const verificationsSchema = z
  .record(z.string(), z.union([z.string().min(1), z.array(z.string().min(1)).min(1), z.strictObject({ error: z.string().min(1) })]))
  .default({});

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
    /** Added to (and overriding) the file's `verifications` for this case. */
    verifications: verificationsSchema,
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
    verifications: verificationsSchema,
    cases: z.array(caseSchema).min(1),
  })
  .refine((value) => (value.policyFile === undefined) !== (value.policy === undefined), {
    message: 'give exactly one of `policyFile` or `policy`',
  });

type WrittenResolutions = z.infer<typeof resolutionsSchema>;
type WrittenVerifications = z.infer<typeof verificationsSchema>;

/** A signature check as a case file states it: the policy's keys that verified the digest, or the registry's error. */
export type CaseVerification = { readonly keys: readonly string[] } | { readonly error: string };

export type PolicyCase = Omit<z.infer<typeof caseSchema>, 'resolutions' | 'verifications'> & {
  /** The file's resolutions with this case's own on top, keyed like the evaluation context's. */
  readonly resolutions: ReadonlyMap<string, TagResolution>;
  /** The file's verifications with this case's own on top, keyed by `registry/repository@digest`. */
  readonly verifications: ReadonlyMap<string, CaseVerification>;
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

/** Reads `image@digest: key | [keys] | {error}` entries; each image must name a digest and no tag. */
function readVerifications(written: WrittenVerifications, where: string, fileName: string, into: Map<string, CaseVerification>): void {
  for (const [image, answer] of Object.entries(written)) {
    let key: string;
    try {
      const reference = parseImageReference(image);
      if (reference.digest === undefined || reference.tag !== undefined) throw new Error('must name a digest and no tag: a signature covers a digest');
      key = formatDigestReference({ registry: reference.registry, repository: reference.repository, digest: reference.digest });
    } catch (error) {
      throw new CaseFileError(`${fileName}: ${where}verifications: ${JSON.stringify(image)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    into.set(key, typeof answer === 'string' ? { keys: [answer] } : Array.isArray(answer) ? { keys: answer } : { error: answer.error });
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
  const { description, policyFile, policy, cases, resolutions, verifications } = parsed.data;
  const shared = new Map<string, TagResolution>();
  readResolutions(resolutions, '', fileName, shared);
  const sharedVerifications = new Map<string, CaseVerification>();
  readVerifications(verifications, '', fileName, sharedVerifications);
  return {
    fileName,
    ...(description === undefined ? {} : { description }),
    policy: policyFile !== undefined ? { kind: 'file', path: policyFile } : { kind: 'inline', text: stringify(policy) },
    cases: cases.map((testCase, index) => {
      const own = new Map(shared);
      readResolutions(testCase.resolutions, `cases[${index}].`, fileName, own);
      const ownVerifications = new Map(sharedVerifications);
      readVerifications(testCase.verifications, `cases[${index}].`, fileName, ownVerifications);
      return { ...testCase, resolutions: own, verifications: ownVerifications };
    }),
  };
}
