// What evaluate may know beyond the policy and the review: scan reports and the digests tags
// resolved to. The server and the CLI gather these (files, registry lookups) before calling
// evaluate, so evaluate itself stays synchronous, pure and deterministic for a given context.
import type { ReportIndex } from '../vulnerabilities';

/** A tag lookup's outcome; the fault is quoted in the reason when the policy denies on errors. */
export type TagResolution = { readonly ok: true; readonly digest: string } | { readonly ok: false; readonly fault: string };

export interface EvaluationContext {
  /** Scan reports for a policy with a vulnerabilities section; none means no image has a report. */
  readonly reports?: ReportIndex;
  /** Keyed by normalized `registry/repository:tag`; a tag the policy resolves but is missing here failed. */
  readonly resolutions?: ReadonlyMap<string, TagResolution>;
}
