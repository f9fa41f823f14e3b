// imagepolicy.k8s.io/v1alpha1 ImageReview: wire types, request decoding and response building.
export * from './types';
export { decodeImageReview, type DecodeResult } from './decode';
export { REVIEW_PATH } from './endpoint';
export { buildImageReviewResponse, buildInternalErrorResponse, buildInvalidRequestResponse, INTERNAL_ERROR_REASON, labelDecision, AUDIT_ANNOTATION, type DecisionLabel } from './response';
export { answerImageReview, answerImageReviewWith, type Answer, type PrepareContext } from './answer';
