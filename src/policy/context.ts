// What evaluate may know beyond the policy and the review: scan reports and the digests tags
// resolved to. The server and the CLI gather these (files, registry lookups) before calling
// evaluate, so evaluate itself stays synchronous, pure and deterministic for a given context.
import { type ImageReference, parseImageReference } from '../reference';
import type { ReportIndex } from '../vulnerabilities';
import type { CompiledPolicy } from './compile';

/**
 * A tag lookup's outcome; the fault is quoted in the reason when the image is denied. `limited`
 * marks a lookup the webhook's own limits stopped (too many tags, lookups queued too long): such
 * a failure is a denial whatever `onError` says, or a pod author could fill the queue to get the
 * tag judged as written.
 */
export type TagResolution =
  | { readonly ok: true; readonly digest: string }
  | { readonly ok: false; readonly fault: string; readonly limited?: true };

export interface EvaluationContext {
  /** Scan reports for a policy with a vulnerabilities section; none means no image has a report. */
  readonly reports?: ReportIndex;
  /** Keyed by formatTagKey; a tag the policy resolves but that is missing here counts as failed. */
  readonly resolutions?: ReadonlyMap<string, TagResolution>;
}

/** A tag on a registry the policy resolves. */
export interface TagToResolve {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
}

/** `registry/repository:tag`, the key resolutions are stored and looked up by. */
export function formatTagKey(reference: TagToResolve): string {
  return `${reference.registry}/${reference.repository}:${reference.tag}`;
}

function readReference(image: string): ImageReference | undefined {
  try {
    return parseImageReference(image);
  } catch {
    // evaluate denies an invalid reference with its own reason; there is nothing to look up.
    return undefined;
  }
}

/** The distinct tags in a review that the policy wants resolved; empty when resolveTags is off. */
export function listTagsToResolve(policy: CompiledPolicy, images: readonly string[]): TagToResolve[] {
  const settings = policy.resolveTags;
  if (settings === undefined) return [];
  const tags = new Map<string, TagToResolve>();
  for (const image of images) {
    const reference = readReference(image);
    if (reference === undefined || reference.digest !== undefined || reference.tag === undefined || !settings.registries.has(reference.registry)) continue;
    const tag = { registry: reference.registry, repository: reference.repository, tag: reference.tag };
    tags.set(formatTagKey(tag), tag);
  }
  return [...tags.values()];
}
