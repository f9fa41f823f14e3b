// The decision log's review line, written by the server once per review. It carries the whole
// subject (namespace, images as written, the filtered annotations) and each image's verdict, so
// `suggest --from-log` and `replay` (parse.ts, beside this file) can judge recorded reviews again.
import { type DecisionLabel, labelDecision } from '../imagereview';
import type { Decision, ReviewSubject } from '../policy';

/** The log message of a review line; the reader picks review lines by it. */
export const REVIEW_MESSAGE = 'review';

export interface LoggedImageVerdict {
  readonly image: string;
  readonly normalized: string | undefined;
  readonly allowed: boolean;
  readonly rule: string;
  /** What the tag resolved to; replay judges the tag by it instead of asking the registry again. */
  readonly digest: string | undefined;
  readonly report: string | undefined;
  readonly resolveError: string | undefined;
}

/** The fields of a review line (the logger adds level, message and timestamp); a type alias, so it passes as log fields. */
export type DecisionLogFields = {
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly decision: DecisionLabel;
  readonly allowed: boolean;
  readonly mode: Decision['mode'];
  readonly breakGlass: boolean;
  readonly images: readonly LoggedImageVerdict[];
  readonly reason: string | undefined;
  readonly policy: string;
  readonly policyHash: string;
  readonly durationMs: number;
};

export function buildDecisionLogFields(decision: Decision, review: ReviewSubject, durationMs: number): DecisionLogFields {
  return {
    namespace: review.namespace,
    annotations: review.annotations,
    decision: labelDecision(decision),
    allowed: decision.allowed,
    mode: decision.mode,
    breakGlass: decision.breakGlass,
    images: decision.images.map((verdict) => ({
      image: verdict.image,
      normalized: verdict.normalized,
      allowed: verdict.allowed,
      rule: verdict.rule,
      digest: verdict.digest,
      report: verdict.report,
      resolveError: verdict.resolveError,
    })),
    reason: decision.reason,
    policy: decision.policy.name,
    policyHash: decision.policy.hash,
    durationMs,
  };
}
