// Wire types of imagepolicy.k8s.io/v1alpha1 ImageReview, field names copied exactly from
// k8s.io/api/imagepolicy/v1alpha1/types.go. Only decode.ts narrows `unknown` into these.

export const IMAGE_REVIEW_API_VERSION = 'imagepolicy.k8s.io/v1alpha1';
export const IMAGE_REVIEW_KIND = 'ImageReview';

export interface ImageReviewContainerSpec {
  readonly image?: string;
}

export interface ImageReviewSpec {
  readonly containers?: readonly ImageReviewContainerSpec[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly namespace?: string;
}

export interface ImageReviewStatus {
  readonly allowed: boolean;
  readonly reason?: string;
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

/** What kube-apiserver sends. `metadata` and `status` are ignored: the decision depends only on `spec`. */
export interface ImageReviewRequest {
  readonly kind: typeof IMAGE_REVIEW_KIND;
  readonly apiVersion: typeof IMAGE_REVIEW_API_VERSION;
  readonly spec: ImageReviewSpec;
}

/** What the backend answers; `spec` is optional in the API type and we never echo it. */
export interface ImageReviewResponse {
  readonly apiVersion: typeof IMAGE_REVIEW_API_VERSION;
  readonly kind: typeof IMAGE_REVIEW_KIND;
  readonly status: ImageReviewStatus;
}
