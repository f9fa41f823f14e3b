// The decision-log line: one JSON object per review, written by the server and read back by
// `suggest --from-log` and `replay`. Writer and reader share this module, so the two cannot drift
// (a round-trip property holds them together). Every string in it is bounded and so is the line:
// a review built to be enormous must not become an enormous log line.
import { z } from 'zod';
import type { DecisionLabel } from '../imagereview';
import { type Decision, type ReviewSubject, SIGNATURE_RESULTS } from '../policy';

/** The `message` of a review line. */
export const REVIEW_MESSAGE = 'review';
/** The longest image string a valid reference can be; a longer one is invalid, and is cut. */
export const MAX_LOGGED_STRING = 4096;
/** Annotations reach the webhook filtered to the policy's own keys; more than this is not a real pod. */
export const MAX_LOGGED_ANNOTATIONS = 32;
export const MAX_LOGGED_ANNOTATION_LENGTH = 1024;
/** Characters of image entries one line carries before the rest are counted instead of listed. */
export const MAX_LOGGED_IMAGE_CHARACTERS = 64 * 1024;
/** JSON escapes a control or non-ASCII character in up to six characters. */
const WORST_ESCAPE_FACTOR = 6;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const DECISION_LABELS = ['allow', 'deny', 'audit-deny', 'break-glass'] as const satisfies readonly DecisionLabel[];

const signatureSchema = z.union([
  z.object({
    result: z.literal('verified'),
    digest: z.string(),
    signatures: z.array(z.object({ rule: z.string(), key: z.string(), fingerprint: z.string(), checkRepository: z.boolean() }).readonly()).readonly(),
  }),
  z.object({ result: z.enum(SIGNATURE_RESULTS), rule: z.string(), fault: z.string(), digest: z.string().optional() }),
]);

const loggedImageSchema = z.object({
  image: z.string(),
  normalized: z.string().optional(),
  allowed: z.boolean(),
  rule: z.string(),
  digest: z.string().optional(),
  report: z.string().optional(),
  resolveError: z.string().optional(),
  resolveLimited: z.literal(true).optional(),
  signature: signatureSchema.optional(),
});

/** What a review line must hold for the reviews in it to be judged again. */
export const reviewLineSchema = z.object({
  message: z.literal(REVIEW_MESSAGE),
  namespace: z.string(),
  annotations: z.record(z.string(), z.string()).default({}),
  decision: z.enum(DECISION_LABELS),
  allowed: z.boolean(),
  images: z.array(loggedImageSchema),
  /** Images of the review that the line does not list (the review was beyond the line's bounds). */
  imagesOmitted: z.number().int().positive().optional(),
  policy: z.string().optional(),
  policyHash: z.string().optional(),
});

export type LoggedImage = z.infer<typeof loggedImageSchema>;

/** The fields of a review line besides `message` (the logger adds it, with level and time). */
export interface DecisionLine {
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly decision: DecisionLabel;
  readonly allowed: boolean;
  readonly mode: Decision['mode'];
  readonly breakGlass: boolean;
  readonly images: readonly LoggedImage[];
  readonly imagesOmitted?: number;
  readonly reason: string | undefined;
  readonly policy: string;
  readonly policyHash: string;
  readonly durationMs: number;
}

/**
 * Cut to `limit` characters with a marker that says how much is missing. The marker is not
 * ASCII, so a cut image string stays an invalid reference when it is judged again.
 */
export function boundString(value: string, limit: number): string {
  return value.length <= limit ? value : `${value.slice(0, limit)}…[${value.length - limit} more characters]`;
}

/** What a string costs on the line at worst, without serializing it. */
function lineCost(value: string | undefined): number {
  if (value === undefined) return 0;
  return PRINTABLE_ASCII.test(value) ? value.length : value.length * WORST_ESCAPE_FACTOR;
}

function boundAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  const bounded: Record<string, string> = {};
  let kept = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (kept === MAX_LOGGED_ANNOTATIONS) break;
    bounded[boundString(key, MAX_LOGGED_ANNOTATION_LENGTH)] = boundString(value, MAX_LOGGED_ANNOTATION_LENGTH);
    kept += 1;
  }
  return bounded;
}

function logImage(verdict: Decision['images'][number]): LoggedImage {
  return {
    image: boundString(verdict.image, MAX_LOGGED_STRING),
    normalized: verdict.normalized,
    allowed: verdict.allowed,
    rule: boundString(verdict.rule, MAX_LOGGED_STRING),
    digest: verdict.digest,
    report: verdict.report,
    resolveError: verdict.resolveError === undefined ? undefined : boundString(verdict.resolveError, MAX_LOGGED_STRING),
    resolveLimited: verdict.resolveLimited,
    signature: verdict.signature,
  };
}

/**
 * The line for one review: the whole subject (namespace, images, the filtered annotations), so
 * recorded reviews can be judged again under another policy, and each image's verdict.
 */
export function buildDecisionLine(decision: Decision, review: ReviewSubject, label: DecisionLabel, durationMs: number): DecisionLine {
  const images: LoggedImage[] = [];
  let budget = MAX_LOGGED_IMAGE_CHARACTERS;
  for (const verdict of decision.images) {
    const entry = logImage(verdict);
    budget -= lineCost(entry.image) + lineCost(entry.normalized) + lineCost(entry.rule) + lineCost(entry.resolveError) + lineCost(entry.report);
    if (budget < 0) break;
    images.push(entry);
  }
  // A review over limits.maxImagesPerReview has no verdicts at all: its images are omitted too.
  const omitted = review.images.length - images.length;
  return {
    namespace: boundString(review.namespace, MAX_LOGGED_ANNOTATION_LENGTH),
    annotations: boundAnnotations(review.annotations),
    decision: label,
    allowed: decision.allowed,
    mode: decision.mode,
    breakGlass: decision.breakGlass,
    images,
    ...(omitted > 0 ? { imagesOmitted: omitted } : {}),
    reason: decision.reason,
    policy: decision.policy.name,
    policyHash: decision.policy.hash,
    durationMs,
  };
}
