// The parsed, normalized form of an image reference and its one printed form. Every reference
// this module returns is fully qualified, so two equal images always print the same string.

/** Namespace of Docker Hub's official images: `nginx` is `docker.io/library/nginx`. */
export const OFFICIAL_REPOSITORY_PREFIX = 'library/';
/** Tag a runtime pulls when the image names neither a tag nor a digest. */
export const DEFAULT_TAG = 'latest';

export interface ImageReference {
  /** Lower-cased host with optional port: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** Repository path without the registry: `library/nginx`, `grafana/grafana`. */
  readonly repository: string;
  /** The written tag, or DEFAULT_TAG when neither tag nor digest was written. */
  readonly tag?: string;
  /** `algorithm:hex`, e.g. `sha256:<64 lowercase hex>`. */
  readonly digest?: string;
}

/** Prints `registry/repository[:tag][@digest]`, always with the registry. */
export function formatReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${ref.registry}/${ref.repository}${tag}${digest}`;
}
