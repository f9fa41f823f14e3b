// Reads the webhook's decision log (winston JSON, one object per line) back into the reviews it
// recorded, so `suggest --from-log` and `replay` can judge them again. Lines that are not review
// records (other log messages, text, a collector's prefix before the JSON) are counted, not fatal.
import type { z } from 'zod';
import type { DecisionLabel } from '../imagereview';
import { type RecordedSignatures, type ReviewSubject, SIGNATURE_FAILURES, type TagResolution, formatDigestReference } from '../policy';
import { parseImageReference } from '../reference';
import { type LoggedImage, REVIEW_MESSAGE, reviewLineSchema } from './record';

/** One review as the log recorded it: what was judged and what was answered. */
export interface DecisionRecord {
  /** 1-based line number in the log. */
  readonly line: number;
  readonly review: ReviewSubject;
  /** What enforce mode said of each image, in review order. */
  readonly imagesAllowed: readonly boolean[];
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

/** What one image's signature check says about its digest, keyed by `registry/repository@digest`. */
function readSignature(entry: LoggedImage): [string, RecordedSignatures] | undefined {
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
    if (value.imagesOmitted !== undefined) {
      malformed.push({ line, fault: `the line lists ${value.images.length} of the review's images (${value.imagesOmitted} omitted: the review was beyond the log's bounds), so it cannot be judged again` });
      return;
    }
    // A replay judges a tag by the digest it resolved to then, without asking the registry again.
    const resolutions = new Map<string, TagResolution>();
    const signatures = new Map<string, RecordedSignatures>();
    for (const entry of value.images) {
      const signed = readSignature(entry);
      if (signed !== undefined) signatures.set(signed[0], mergeSignatures(signatures.get(signed[0]), signed[1]));
      if (entry.normalized === undefined) continue;
      if (entry.digest !== undefined) resolutions.set(entry.normalized, { ok: true, digest: entry.digest });
      else if (entry.resolveError !== undefined) {
        resolutions.set(entry.normalized, entry.resolveLimited === true ? { ok: false, fault: entry.resolveError, limited: true } : { ok: false, fault: entry.resolveError });
      }
    }
    records.push({
      line,
      review: { namespace: value.namespace, annotations: value.annotations, images: value.images.map((entry) => entry.image) },
      imagesAllowed: value.images.map((entry) => entry.allowed),
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
