// The one path from a parsed request body to an answer, shared by the HTTP handler and the
// `evaluate --review` command so that the two can never drift apart.
import { evaluate, type CompiledPolicy, type Decision, type ReviewSubject } from '../policy';
import { decodeImageReview } from './decode';
import { buildImageReviewResponse, buildInvalidRequestResponse } from './response';
import type { ImageReviewResponse } from './types';

export type Answer =
  | { readonly kind: 'decision'; readonly response: ImageReviewResponse; readonly decision: Decision; readonly review: ReviewSubject }
  | { readonly kind: 'invalid-request'; readonly response: ImageReviewResponse; readonly fault: string };

export function answerImageReview(policy: CompiledPolicy, body: unknown): Answer {
  const decoded = decodeImageReview(body);
  if (!decoded.ok) {
    return {
      kind: 'invalid-request',
      response: buildInvalidRequestResponse(decoded.fault, { name: policy.name, hash: policy.hash }),
      fault: decoded.fault,
    };
  }
  const decision = evaluate(policy, decoded.review);
  return { kind: 'decision', response: buildImageReviewResponse(decision), decision, review: decoded.review };
}
