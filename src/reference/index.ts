// Public face of the image-reference module: parse and print normalized references, plus the
// named grammar pieces and checks a pattern parser can reuse. Pure: strings in, values out.
export { MAX_REFERENCE_LENGTH } from './characters';
export { DIGEST_HEX_LENGTHS, validateDigest } from './digest';
export { type Checked, InvalidImageReferenceError, quoteForMessage } from './errors';
export {
  ALPHANUMERIC,
  ANCHORED_DOMAIN_NAME,
  ANCHORED_PATH_COMPONENT,
  ANCHORED_PORT,
  ANCHORED_TAG,
  DIGEST,
  DIGEST_ALGORITHM,
  DOMAIN_AND_PORT,
  DOMAIN_COMPONENT,
  DOMAIN_NAME,
  HOST,
  IPV6_ADDRESS,
  PATH_COMPONENT,
  PORT,
  REMOTE_NAME,
  SEPARATOR,
  TAG,
} from './grammar';
export { parseImageReference } from './parse';
export { MAX_REPOSITORY_LENGTH } from './path';
export { DEFAULT_TAG, type ImageReference, OFFICIAL_REPOSITORY_PREFIX, formatReference } from './reference';
export { DEFAULT_REGISTRY, DOCKER_HUB_HOSTS, HTTPS_PORT, LEGACY_DEFAULT_REGISTRY, checkRegistry, isLoopbackRegistry, isRegistryComponent, registryHost } from './registry';
