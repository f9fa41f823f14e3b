// What the review endpoint reports about each request, so that metrics (or anything else that
// counts) hook in without the app knowing about them. Called on the hot path: keep it cheap.
import type { Decision } from '../policy';

/** Why a request got no decision: unparsable body, JSON that is not an ImageReview, over the cap. */
export type InvalidRequestKind = 'not-json' | 'not-imagereview' | 'too-large';

export interface ReviewObserver {
  observeDecision(decision: Decision, durationSeconds: number): void;
  observeInvalidRequest(kind: InvalidRequestKind): void;
  /** Something threw while a review was judged; the review was answered with a denial. */
  observeInternalError(): void;
}
