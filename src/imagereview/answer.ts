// The one path from a parsed request body to an answer, shared by the HTTP handler and the
// `evaluate --review` command so that the two can never drift apart.
import { evaluate, type CompiledPolicy, type Decision, type EvaluationContext, type ReviewSubject } from '../policy';
import { decodeImageReview } from './decode';
import { buildImageReviewResponse, buildInvalidRequestResponse } from './response';
import type { ImageReviewResponse } from './types';

export type Answer =
  | { readonly kind: 'decision'; readonly response: ImageReviewResponse; readonly decision: Decision; readonly review: ReviewSubject }
  | { readonly kind: 'invalid-request'; readonly response: ImageReviewResponse; readonly fault: string };

/** Gathers what evaluate needs from outside for a decoded review (reports, tag digests); a value when at hand. */
export type PrepareContext = (review: ReviewSubject) => EvaluationContext | Promise<EvaluationContext>;

function answerInvalidRequest(policy: CompiledPolicy, fault: string): Answer {
  return { kind: 'invalid-request', response: buildInvalidRequestResponse(fault, { name: policy.name, hash: policy.hash }), fault };
}

function answerDecoded(policy: CompiledPolicy, review: ReviewSubject, context: EvaluationContext | undefined): Answer {
  const decision = evaluate(policy, review, context);
  return { kind: 'decision', response: buildImageReviewResponse(decision), decision, review };
}

export function answerImageReview(policy: CompiledPolicy, body: unknown, context?: EvaluationContext): Answer {
  const decoded = decodeImageReview(body);
  return decoded.ok ? answerDecoded(policy, decoded.review, context) : answerInvalidRequest(policy, decoded.fault);
}

/** The same answer, after `prepare` gathered the context; awaits only when prepare returns a promise. */
export function answerImageReviewWith(policy: CompiledPolicy, body: unknown, prepare: PrepareContext): Answer | Promise<Answer> {
  const decoded = decodeImageReview(body);
  if (!decoded.ok) return answerInvalidRequest(policy, decoded.fault);
  const context = prepare(decoded.review);
  return context instanceof Promise ? context.then((ready) => answerDecoded(policy, decoded.review, ready)) : answerDecoded(policy, decoded.review, context);
}
