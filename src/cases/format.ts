// Policy case files: a policy (inline or by path), reviews, and the outcome each must get —
// gatekeeper-library style, so policy behaviour is proven by data. The project's own tests and
// operators' policy repositories (`image-policy-webhook test DIR`) use this one format.
import { parseDocument, stringify } from 'yaml';
import { z } from 'zod';

export const EXPECTATIONS = ['allow', 'deny'] as const;
export const DECISION_LABELS = ['allow', 'deny', 'audit-deny', 'break-glass'] as const;

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
    cases: z.array(caseSchema).min(1),
  })
  .refine((value) => (value.policyFile === undefined) !== (value.policy === undefined), {
    message: 'give exactly one of `policyFile` or `policy`',
  });

export type PolicyCase = z.infer<typeof caseSchema>;

export interface CaseFile {
  readonly fileName: string;
  readonly description?: string;
  readonly policy: { readonly kind: 'file'; readonly path: string } | { readonly kind: 'inline'; readonly text: string };
  readonly cases: readonly PolicyCase[];
}

export class CaseFileError extends Error {
  override readonly name = 'CaseFileError';
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
  const { description, policyFile, policy, cases } = parsed.data;
  return {
    fileName,
    ...(description === undefined ? {} : { description }),
    policy: policyFile !== undefined ? { kind: 'file', path: policyFile } : { kind: 'inline', text: stringify(policy) },
    cases,
  };
}
