// parseImageReference: reads an image string from a pod spec into a normalized ImageReference,
// with distribution's ParseNormalizedNamed + TagNameOnly semantics. The string is split on its
// delimiters by index (never by one big regular expression), then each piece is checked alone.
import { findCharacterFault } from './characters';
import { validateDigest } from './digest';
import { InvalidImageReferenceError, quoteForMessage } from './errors';
import { ANCHORED_IDENTIFIER, ANCHORED_TAG } from './grammar';
import { findRepositoryLengthFault, findRepositoryPathFault } from './path';
import { DEFAULT_TAG, type ImageReference, OFFICIAL_REPOSITORY_PREFIX } from './reference';
import { DEFAULT_REGISTRY, checkRegistry, isRegistryComponent } from './registry';

const MAX_TAG_LENGTH = 128;
/** A tag quoted in a fault is cut short so the fault itself stays short. */
const MAX_QUOTED_TAG = 20;
const URL_SCHEME_SEPARATOR = '://';

interface ReferenceParts {
  readonly name: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

function reject(input: string, fault: string): never {
  throw new InvalidImageReferenceError(input, fault);
}

/** Splits `name[:tag][@digest]`; the tag is after the first ":" that follows the last "/". */
function splitReference(input: string): ReferenceParts {
  const at = input.indexOf('@');
  if (at >= 0 && input.indexOf('@', at + 1) >= 0) reject(input, 'contains more than one "@"');
  const digest = at >= 0 ? input.slice(at + 1) : undefined;
  if (digest === '') reject(input, '"@" must be followed by a digest such as sha256:<64 hex>');
  const nameAndTag = at >= 0 ? input.slice(0, at) : input;
  // A ":" before the last "/" belongs to the registry port, never to the tag.
  const colon = nameAndTag.indexOf(':', nameAndTag.lastIndexOf('/') + 1);
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : undefined;
  if (tag === '') reject(input, '":" must be followed by a tag');
  const name = colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag;
  if (name === '') reject(input, 'has no repository name');
  return { name, tag, digest };
}

function findTagFault(tag: string): string | undefined {
  // Quoted only for a fault: every valid image of every review passes through here.
  if (tag.length > MAX_TAG_LENGTH) return `tag ${quoteForMessage(tag, MAX_QUOTED_TAG)} is longer than ${MAX_TAG_LENGTH} characters`;
  if (!ANCHORED_TAG.test(tag)) {
    return `tag ${quoteForMessage(tag, MAX_QUOTED_TAG)} may contain only letters, digits, "_", "." and "-", and must not start with "." or "-"`;
  }
  return undefined;
}

/** Splits the name into registry and path the way splitDockerDomain does, and normalizes both. */
function resolveName(input: string, name: string): { registry: string; repository: string } {
  if (name.startsWith('/')) reject(input, 'starts with "/"');
  if (name.endsWith('/')) reject(input, 'ends with "/"');
  if (name.includes('//')) reject(input, 'contains an empty path component ("//")');
  const slash = name.indexOf('/');
  const hasRegistry = slash >= 0 && isRegistryComponent(name.slice(0, slash));
  let registry = DEFAULT_REGISTRY;
  if (hasRegistry) {
    const checked = checkRegistry(name.slice(0, slash));
    if (!checked.ok) reject(input, checked.fault);
    registry = checked.value;
  }
  const path = hasRegistry ? name.slice(slash + 1) : name;
  // Docker Hub's one-component names are official images, also when docker.io is written out.
  const repository = registry === DEFAULT_REGISTRY && !path.includes('/') ? OFFICIAL_REPOSITORY_PREFIX + path : path;
  const fault = findRepositoryLengthFault(repository) ?? findRepositoryPathFault(path);
  if (fault !== undefined) reject(input, fault);
  return { registry, repository };
}

/**
 * Parses and normalizes an image string: no registry means docker.io, index.docker.io is
 * docker.io, a one-component Docker Hub path gets library/, no tag and no digest means
 * :latest, the registry host is lower-cased. Throws InvalidImageReferenceError naming the fault.
 */
export function parseImageReference(input: string): ImageReference {
  // The type says string, but image strings arrive from decoded JSON: fail closed on anything else
  // (without String(), which can throw on a hostile object).
  if (typeof input !== 'string') reject('', `must be a string, got ${typeof input}`);
  const characterFault = findCharacterFault(input);
  if (characterFault !== undefined) reject(input, characterFault);
  if (ANCHORED_IDENTIFIER.test(input)) {
    reject(input, 'is a 64-character hexadecimal image ID, which cannot be used as a repository name');
  }
  const scheme = input.indexOf(URL_SCHEME_SEPARATOR);
  if (scheme >= 0) {
    const written = quoteForMessage(input.slice(0, scheme + URL_SCHEME_SEPARATOR.length), MAX_QUOTED_TAG);
    reject(input, `is a URL (${written}), but an image reference has no scheme: write registry/repository[:tag][@digest]`);
  }
  const parts = splitReference(input);
  const { registry, repository } = resolveName(input, parts.name);
  if (parts.tag !== undefined) {
    const tagFault = findTagFault(parts.tag);
    if (tagFault !== undefined) reject(input, tagFault);
  }
  if (parts.digest !== undefined) {
    const digestFault = validateDigest(parts.digest);
    if (digestFault !== undefined) reject(input, digestFault);
  }
  const tag = parts.tag ?? (parts.digest === undefined ? DEFAULT_TAG : undefined);
  return Object.freeze({
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(parts.digest === undefined ? {} : { digest: parts.digest }),
  });
}
