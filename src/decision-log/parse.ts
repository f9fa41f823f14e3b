// Reads the webhook's decision log (JSON, one object per line) back into the reviews it recorded,
// so `suggest --from-log` and `replay` can judge them again: the reader of the lines record.ts
// writes. Lines that are not review records (other log messages, text, a collector's prefix before
// the JSON) are counted, not fatal.
import { z } from 'zod';
import type { DecisionLabel } from '../imagereview';
import type { ReviewSubject, TagResolution } from '../policy';
import { REVIEW_MESSAGE } from './record';

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

const reviewLineSchema = z.object({
  message: z.literal(REVIEW_MESSAGE),
  namespace: z.string(),
  annotations: z.record(z.string(), z.string()).default({}),
  images: z.array(z.object({ image: z.string(), normalized: z.string().optional(), digest: z.string().optional(), resolveError: z.string().optional() })),
  allowed: z.boolean(),
  decision: z.enum(DECISION_LABELS),
  policy: z.string().optional(),
  policyHash: z.string().optional(),
});

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
    for (const entry of value.images) {
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
    });
  });
  return { records, otherLines, malformed };
}
