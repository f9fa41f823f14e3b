// The one-line reason shown to whoever created the pod. It names every denied image (as
// written and normalized) and the rule, escapes whatever the pod author wrote, and stays within
// the ~200 characters kube-apiserver users are shown.
import { quoteForMessage } from '../reference';

export const MAX_REASON_LENGTH = 200;
/** How much of an image string a reason quotes; the rest is summarized by its length. */
const MAX_QUOTED_IMAGE = 60;
const SEPARATOR = '; ';
const ELLIPSIS = '…';

/** Why one image was denied, in words, before it is joined into the reason. */
export function describeDenial(image: string, normalized: string | undefined, why: string): string {
  const written = quoteForMessage(image, MAX_QUOTED_IMAGE);
  // A normalized reference is plain grammar characters, so it only needs shortening.
  const shown = normalized !== undefined && normalized.length > MAX_QUOTED_IMAGE ? `${normalized.slice(0, MAX_QUOTED_IMAGE)}...` : normalized;
  const resolved = shown === undefined || normalized === image ? '' : ` (${shown})`;
  return `image ${written}${resolved} ${why}`;
}

function formatMore(hidden: number): string {
  return hidden > 0 ? `${SEPARATOR}${ELLIPSIS} and ${hidden} more` : '';
}

/**
 * Joins the denials (duplicates dropped) with the policy name, keeping as many whole denials
 * as fit and counting the rest; a single denial that cannot fit is cut.
 */
export function buildReason(denials: readonly string[], policyName: string): string {
  const unique = [...new Set(denials)];
  const suffix = ` (policy ${policyName})`;
  let bestShown = 0;
  let joinedLength = 0;
  for (let shown = 1; shown <= unique.length; shown += 1) {
    joinedLength += (shown > 1 ? SEPARATOR.length : 0) + (unique[shown - 1]?.length ?? 0);
    if (joinedLength > MAX_REASON_LENGTH) break;
    if (joinedLength + formatMore(unique.length - shown).length + suffix.length <= MAX_REASON_LENGTH) bestShown = shown;
  }
  if (bestShown > 0) return unique.slice(0, bestShown).join(SEPARATOR) + formatMore(unique.length - bestShown) + suffix;
  const tail = formatMore(unique.length - 1) + suffix;
  const first = unique[0] ?? '';
  return first.slice(0, MAX_REASON_LENGTH - tail.length - ELLIPSIS.length) + ELLIPSIS + tail;
}
