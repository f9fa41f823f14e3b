// Does a payload's `critical.identity.docker-reference` name the image's repository? cosign writes
// the repository as go-containerregistry prints it (`index.docker.io/library/nginx` for `nginx`,
// `registry.example.com/app` as typed), other signers may add a tag; both sides go through the
// project's reference grammar, so every spelling of one registry and repository compares equal.
import { parseImageReference, quoteForMessage } from '../reference';

export interface ImageRepository {
  /** Normalized, as parseImageReference returns it: `docker.io`, `registry.example.com:5000`. */
  readonly registry: string;
  readonly repository: string;
}

/** Undefined when the reference names `image`'s repository; otherwise why not. */
export function findRepositoryMismatch(dockerReference: string, image: ImageRepository): string | undefined {
  let named: ImageRepository;
  try {
    named = parseImageReference(dockerReference);
  } catch {
    return `names ${quoteForMessage(dockerReference)}, which is not an image reference`;
  }
  if (named.registry === image.registry && named.repository === image.repository) return undefined;
  return `names another repository (${quoteForMessage(`${named.registry}/${named.repository}`)})`;
}
