// Reads the webhook's decision log (winston JSON, one object per line) back into the reviews it
// recorded, so `suggest --from-log` and `replay` can judge them again. Lines that are not review
// records (other log messages, text, a collector's prefix before the JSON) are counted, not fatal.
import { z } from 'zod';
import type { DecisionLabel } from '../imagereview';
import { type RecordedSignatures, type ReviewSubject, SIGNATURE_FAILURES, SIGNATURE_RESULTS, type TagResolution, formatDigestReference } from '../policy';
import { parseImageReference } from '../reference';

/** The `message` winston writes for one review (src/server/app.ts logDecision). */
export const REVIEW_MESSAGE = 'review';
const DECISION_LABELS = ['allow', 'deny', 'audit-deny', 'break-glass'] as const satisfies readonly DecisionLabel[];

/** One review as the log recorded it: what was judged and what was answered. */
export interface DecisionRecord {
  /** 1-based line number in the log. */
  readonly line: number;
  readonly review: ReviewSubject;
  /** The answer kube-apiserver received. */
  readonly allowed: boolean;
  readonly decision: DecisionLabel;
  readonly policy: string | undefined;
  readonly policyHash: string | undefined;
  /** What each tag resolved to (or why it did not), keyed like evaluate's context; absent when none was logged. */
  readonly resolutions?: ReadonlyMap<string, TagResolution>;
  /** What the signature checks found, by `registry/repository@digest`; absent when none was logged. */
  readonly signatures?: ReadonlyMap<string, RecordedSignatures>;
}

export interface MalformedLine {
  readonly line: number;
  readonly fault: string;
}

export interface DecisionLog {
  readonly records: readonly DecisionRecord[];
  /** Lines that hold no JSON object, or a JSON object that is another message: skipped by design. */
  readonly otherLines: number;
  /** Review lines that lack a field a replay needs: reported, because they would be silently lost. */
  readonly malformed: readonly MalformedLine[];
}

const signatureSchema = z.union([
  z.object({
    result: z.literal('verified'),
    digest: z.string(),
    signatures: z.array(z.object({ rule: z.string(), key: z.string(), fingerprint: z.string(), checkRepository: z.boolean() })),
  }),
  z.object({ result: z.enum(SIGNATURE_RESULTS), rule: z.string(), fault: z.string(), digest: z.string().optional() }),
]);

const imageSchema = z.object({
  image: z.string(),
  normalized: z.string().optional(),
  digest: z.string().optional(),
  resolveError: z.string().optional(),
  signature: signatureSchema.optional(),
});

const reviewLineSchema = z.object({
  message: z.literal(REVIEW_MESSAGE),
  namespace: z.string(),
  annotations: z.record(z.string(), z.string()).default({}),
  images: z.array(imageSchema),
  allowed: z.boolean(),
  decision: z.enum(DECISION_LABELS),
  policy: z.string().optional(),
  policyHash: z.string().optional(),
});

/** What one image's signature check says about its digest, keyed by `registry/repository@digest`. */
function readSignature(entry: z.infer<typeof imageSchema>): [string, RecordedSignatures] | undefined {
  const { signature, normalized } = entry;
  if (signature === undefined || normalized === undefined || signature.digest === undefined) return undefined;
  let name: { registry: string; repository: string };
  try {
    name = parseImageReference(normalized);
  } catch {
    return undefined;
  }
  const key = formatDigestReference({ registry: name.registry, repository: name.repository, digest: signature.digest });
  if ('signatures' in signature) return [key, { verifiedBy: signature.signatures.map(({ fingerprint, checkRepository }) => ({ fingerprint, checkRepository })) }];
  // A missing digest or a registry never asked is the policy's own verdict: a replay works it out again.
  const failure = SIGNATURE_FAILURES.find((kind) => kind === signature.result);
  return failure === undefined ? undefined : [key, { failure, fault: signature.fault }];
}

/** Two records of one digest: every key seen verifying it counts; a failure only when nothing verified it. */
function mergeSignatures(known: RecordedSignatures | undefined, next: RecordedSignatures): RecordedSignatures {
  if (known === undefined || !('verifiedBy' in next)) return known ?? next;
  return 'verifiedBy' in known ? { verifiedBy: [...known.verifiedBy, ...next.verifiedBy] } : next;
}

/** The JSON object on a line, also behind a prefix such as journald's or docker compose's. */
function readJsonObject(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(start));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(line)'}: ${issue.message}`).join('; ');
}

export function parseDecisionLog(text: string): DecisionLog {
  const records: DecisionRecord[] = [];
  const malformed: MalformedLine[] = [];
  let otherLines = 0;
  const lines = text.split('\n');
  lines.forEach((content, index) => {
    const line = index + 1;
    if (content.trim() === '') return;
    const object = readJsonObject(content);
    if (object === undefined || object['message'] !== REVIEW_MESSAGE) {
      otherLines += 1;
      return;
    }
    const parsed = reviewLineSchema.safeParse(object);
    if (!parsed.success) {
      malformed.push({ line, fault: describeIssues(parsed.error.issues) });
      return;
    }
    const value = parsed.data;
    // A replay judges a tag by the digest it resolved to then, without asking the registry again.
    const resolutions = new Map<string, TagResolution>();
    const signatures = new Map<string, RecordedSignatures>();
    for (const entry of value.images) {
      const signed = readSignature(entry);
      if (signed !== undefined) signatures.set(signed[0], mergeSignatures(signatures.get(signed[0]), signed[1]));
      if (entry.normalized === undefined) continue;
      if (entry.digest !== undefined) resolutions.set(entry.normalized, { ok: true, digest: entry.digest });
      else if (entry.resolveError !== undefined) resolutions.set(entry.normalized, { ok: false, fault: entry.resolveError });
    }
    records.push({
      line,
      review: { namespace: value.namespace, annotations: value.annotations, images: value.images.map((entry) => entry.image) },
      allowed: value.allowed,
      decision: value.decision,
      policy: value.policy,
      policyHash: value.policyHash,
      ...(resolutions.size === 0 ? {} : { resolutions }),
      ...(signatures.size === 0 ? {} : { signatures }),
    });
  });
  return { records, otherLines, malformed };
}
