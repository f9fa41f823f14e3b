// Where kube-apiserver sends its ImageReviews. The API group fixes the body, not the path: the
// webhook kubeconfig names it and the server answers it, so both take it from here.

/** The one path the review server answers, exactly (no trailing slash, case-sensitive). */
export const REVIEW_PATH = '/imagepolicy';
