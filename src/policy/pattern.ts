// The image-pattern grammar and its normalization, built on the reference grammar so a pattern
// is read exactly the way an image is, plus `*` inside a component and `**` as a whole component:
//
//   pattern   := [ registry "/" ] path [ ":" tag-glob ] [ "@" digest ]
//   registry  := host-glob [ ":" port ]    ; "*" stays inside one DNS label; IPv6 hosts are literal
//   path      := segment [ "/" segment ]*  ; segment: "**", or a path component that may hold "*"
//   tag-glob  := a tag that may hold "*"
//   A pattern whose first segment is "**" names no registry: it spans every registry and port.
//
// A glob piece is valid when replacing each "*" with "a" yields a valid piece: that is exactly
// when it can match at least one real component, so a pattern that can never match is refused.
import {
  DEFAULT_REGISTRY,
  DOMAIN_COMPONENT,
  OFFICIAL_REPOSITORY_PREFIX,
  ANCHORED_PATH_COMPONENT,
  ANCHORED_TAG,
  type Checked,
  checkRegistry,
  isRegistryComponent,
  quoteForMessage,
  validateDigest,
} from '../reference';
import { STAR } from './glob';

/** A whole path component that matches zero or more components. */
export const GLOBSTAR = '**';

/** Characters a pattern may contain: the reference alphabet plus `*`. */
const PATTERN_CHARACTERS = /^[a-zA-Z0-9._\-/:@[\]*]*$/;
const WHITESPACE = /\s/;
const UPPER_CASE = /[A-Z]/;
/** Stands in for `*` when checking that a glob piece can match a real piece. */
const STAR_STAND_IN = 'a';
/** The host part of a probe registry, used to check a port with the reference rules. */
const PORT_PROBE_HOST = 'localhost';

const ANCHORED_DOMAIN_COMPONENT = new RegExp(`^(?:${DOMAIN_COMPONENT})$`);

/** A registry to compare against: a host (literal or label globs) and the port it names. */
export interface RegistrySpec {
  /** Lower-case host; may contain `*`, which never crosses a `.`. */
  readonly host: string;
  /** Port as written, or undefined when the pattern names none. */
  readonly port: string | undefined;
}

/** A parsed, normalized pattern. `registry: undefined` means the pattern spans every registry. */
export interface PatternSpec {
  readonly source: string;
  readonly registry: RegistrySpec | undefined;
  /** Path segments: component globs, and GLOBSTAR for any number of components. */
  readonly path: readonly string[];
  readonly tag: string | undefined;
  readonly digest: string | undefined;
  /** The normalized pattern printed in one form, e.g. `docker.io/library/nginx`. */
  readonly normalized: string;
}

function withStandIns(glob: string): string {
  // Most pieces have no star; loading a large policy checks every piece of every pattern.
  return glob.includes(STAR) ? glob.replaceAll(STAR, STAR_STAND_IN) : glob;
}

function findCharacterFault(source: string): string | undefined {
  if (source === '') return 'is empty';
  if (PATTERN_CHARACTERS.test(source)) return undefined;
  for (let offset = 0; offset < source.length; offset += 1) {
    const character = source.charAt(offset);
    if (PATTERN_CHARACTERS.test(character)) continue;
    const what = WHITESPACE.test(character) ? 'whitespace' : 'the character';
    return `contains ${what} ${quoteForMessage(character)} at offset ${offset}; patterns use the image reference characters plus "*"`;
  }
  return undefined;
}

function checkHostGlob(registry: string): Checked<RegistrySpec> {
  if (registry.startsWith('[')) return { ok: false, fault: `IPv6 registry host ${quoteForMessage(registry)} cannot contain "*"` };
  const colon = registry.indexOf(':');
  const host = (colon < 0 ? registry : registry.slice(0, colon)).toLowerCase();
  const port = colon < 0 ? undefined : registry.slice(colon + 1);
  for (const label of host.split('.')) {
    if (label.includes(GLOBSTAR)) {
      return { ok: false, fault: `registry host ${quoteForMessage(host)} may use "*" within a label, never "**"` };
    }
    if (!ANCHORED_DOMAIN_COMPONENT.test(withStandIns(label))) {
      return {
        ok: false,
        fault: `registry host label ${quoteForMessage(label)} must be letters, digits, inner dashes and "*"`,
      };
    }
  }
  if (port !== undefined) {
    if (port.includes(STAR)) return { ok: false, fault: `registry port ${quoteForMessage(port)} cannot contain "*"` };
    const checked = checkRegistry(`${PORT_PROBE_HOST}:${port}`);
    if (!checked.ok) return checked;
  }
  return { ok: true, value: { host, port } };
}

function checkRegistrySpec(registry: string): Checked<RegistrySpec> {
  if (registry.includes(STAR)) return checkHostGlob(registry);
  // Literal registries go through the image rules, so both sides normalize identically
  // (lower-case host, canonical IPv6, index.docker.io folded into docker.io).
  const checked = checkRegistry(registry);
  if (!checked.ok) return checked;
  const canonical = checked.value;
  const portColon = canonical.startsWith('[') ? canonical.indexOf(':', canonical.indexOf(']')) : canonical.indexOf(':');
  if (portColon < 0) return { ok: true, value: { host: canonical, port: undefined } };
  return { ok: true, value: { host: canonical.slice(0, portColon), port: canonical.slice(portColon + 1) } };
}

function findPathFault(segments: readonly string[]): string | undefined {
  const path = segments.join('/');
  if (UPPER_CASE.test(path)) return `repository path ${quoteForMessage(path)} must be lowercase`;
  for (const segment of segments) {
    if (segment === '') return `repository path ${quoteForMessage(path)} has an empty component`;
    if (segment === GLOBSTAR) continue;
    if (segment.includes(GLOBSTAR)) {
      return `path component ${quoteForMessage(segment)}: "**" must be a whole component (write "a/**", not "a**")`;
    }
    if (!ANCHORED_PATH_COMPONENT.test(withStandIns(segment))) {
      return `path component ${quoteForMessage(segment)} must be lowercase letters and digits joined by '.', '_', '__' or '-', with "*" anywhere`;
    }
  }
  return undefined;
}

function findTagFault(tag: string): string | undefined {
  if (tag === '') return '":" must be followed by a tag';
  if (!ANCHORED_TAG.test(withStandIns(tag))) {
    return `tag ${quoteForMessage(tag)} may contain only letters, digits, "_", ".", "-" and "*", and must not start with "." or "-"`;
  }
  return undefined;
}

function formatSpec(spec: Omit<PatternSpec, 'normalized' | 'source'>): string {
  const registry = spec.registry === undefined ? '' : `${spec.registry.host}${spec.registry.port === undefined ? '' : `:${spec.registry.port}`}/`;
  const tag = spec.tag === undefined ? '' : `:${spec.tag}`;
  const digest = spec.digest === undefined ? '' : `@${spec.digest}`;
  return `${registry}${spec.path.join('/')}${tag}${digest}`;
}

/** Splits the name part into registry and path segments and applies Docker Hub normalization. */
function resolveName(name: string): Checked<{ registry: RegistrySpec | undefined; path: string[] }> {
  const components = name.split('/');
  const first = components[0] ?? '';
  // A leading `**` spans registries: `**:latest` must catch latest on every registry.
  if (first === GLOBSTAR) return { ok: true, value: { registry: undefined, path: components } };
  const hasRegistry = components.length > 1 && isRegistryComponent(first);
  const registry = hasRegistry ? checkRegistrySpec(first) : checkRegistrySpec(DEFAULT_REGISTRY);
  if (!registry.ok) return registry;
  const path = hasRegistry ? components.slice(1) : components;
  const pathFault = findPathFault(path);
  if (pathFault !== undefined) return { ok: false, fault: pathFault };
  const isDockerHub = registry.value.host === DEFAULT_REGISTRY && registry.value.port === undefined;
  // Same rule as images (`docker.io/*` is `docker.io/library/*`), except before `**`,
  // which already reaches library/ and every other namespace.
  const only = path.length === 1 ? path[0] : undefined;
  const officialPath = isDockerHub && only !== undefined && only !== GLOBSTAR ? (OFFICIAL_REPOSITORY_PREFIX + only).split('/') : path;
  return { ok: true, value: { registry: registry.value, path: officialPath } };
}

/** Parses and normalizes an image pattern; the fault says what is wrong and which rule it breaks. */
export function parsePattern(source: string): Checked<PatternSpec> {
  const characterFault = findCharacterFault(source);
  if (characterFault !== undefined) return { ok: false, fault: characterFault };
  const at = source.indexOf('@');
  if (at >= 0 && source.indexOf('@', at + 1) >= 0) return { ok: false, fault: 'contains more than one "@"' };
  const digest = at >= 0 ? source.slice(at + 1) : undefined;
  if (digest !== undefined) {
    const digestFault = validateDigest(digest);
    if (digestFault !== undefined) return { ok: false, fault: digestFault };
  }
  const nameAndTag = at >= 0 ? source.slice(0, at) : source;
  const colon = nameAndTag.indexOf(':', nameAndTag.lastIndexOf('/') + 1);
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : undefined;
  if (tag !== undefined) {
    const tagFault = findTagFault(tag);
    if (tagFault !== undefined) return { ok: false, fault: tagFault };
  }
  const name = colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag;
  if (name === '') return { ok: false, fault: 'has no repository path' };
  // An image `quay.io` would be the Docker Hub repository library/quay.io; a pattern that
  // reads like a bare registry is almost surely a mistake, so it is refused instead.
  if (!name.includes('/') && isRegistryComponent(name)) {
    return { ok: false, fault: `names only the registry ${quoteForMessage(nameAndTag)}: write "${nameAndTag}/**" for every repository on it` };
  }
  const resolved = resolveName(name);
  if (!resolved.ok) return resolved;
  const spec = { registry: resolved.value.registry, path: resolved.value.path, tag, digest };
  return { ok: true, value: { source, ...spec, normalized: formatSpec(spec) } };
}
