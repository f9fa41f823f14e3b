// Compiled patterns and the per-component comparison of a pattern with an image. Every glob is
// compiled once at load; an image is split once per review (ImageSubject) and then compared
// component by component, so no substring or prefix test can ever decide a match.
import { DEFAULT_REGISTRY, DOCKER_HUB_HOSTS, HTTPS_PORT, type ImageReference } from '../reference';
import { ComponentGlob, STAR, StarGlob } from './glob';
import { GLOBSTAR, type PatternSpec, type RegistrySpec } from './pattern';
import { describeIndexKey, type IndexKey, PatternIndex } from './pattern-index';

/** Allow patterns match only the port they name; deny patterns without a port match every port. */
export type PatternKind = 'allow' | 'deny';

/** An image split into the pieces patterns compare, built once per image per review. */
export interface ImageSubject {
  readonly host: string;
  readonly port: string | undefined;
  /** Dot-separated labels of a DNS host; undefined for an IPv6 literal, which host globs never match. */
  readonly hostLabels: readonly string[] | undefined;
  /** The repository path, e.g. `library/nginx`, and its components. */
  readonly repository: string;
  readonly components: readonly string[];
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/**
 * Host labels and path components are split on first use: most lookups end at an exact
 * repository and need neither, and a review splits nothing it does not compare.
 */
class PreparedSubject implements ImageSubject {
  readonly host: string;
  readonly port: string | undefined;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
  private readonly isIPv6: boolean;
  private labels: readonly string[] | undefined;
  private pathComponents: readonly string[] | undefined;

  constructor(reference: ImageReference) {
    const registry = reference.registry;
    this.isIPv6 = registry.startsWith('[');
    const portColon = this.isIPv6 ? registry.indexOf(':', registry.indexOf(']')) : registry.indexOf(':');
    this.host = portColon < 0 ? registry : registry.slice(0, portColon);
    this.port = portColon < 0 ? undefined : registry.slice(portColon + 1);
    this.repository = reference.repository;
    this.tag = reference.tag;
    this.digest = reference.digest;
  }

  get hostLabels(): readonly string[] | undefined {
    if (this.isIPv6) return undefined;
    return (this.labels ??= this.host.split('.'));
  }

  get components(): readonly string[] {
    return (this.pathComponents ??= this.repository.split('/'));
  }
}

export function prepareSubject(reference: ImageReference): ImageSubject {
  return new PreparedSubject(reference);
}

const NO_LABEL_GLOBS: readonly StarGlob[] = [];

function matchLabels(globs: readonly StarGlob[], labels: readonly string[]): boolean {
  return labels.length === globs.length && globs.every((glob, index) => glob.matches(labels[index] ?? ''));
}

class RegistryMatcher {
  private readonly literalHost: string | undefined;
  private readonly labelGlobs: readonly StarGlob[];
  private readonly port: string | undefined;
  private readonly anyPort: boolean;
  /**
   * A deny host glob that matches any of Docker Hub's host names (`*.docker.io` matches
   * registry-1.docker.io) denies Docker Hub, which every image names as docker.io: a deny entry
   * judges every spelling of a registry, not only the canonical one.
   */
  readonly deniesDockerHub: boolean;

  constructor(spec: RegistrySpec, kind: PatternKind) {
    // Most hosts are literal: they cost one string comparison and no glob objects.
    const isLiteral = !spec.host.includes(STAR);
    this.literalHost = isLiteral ? spec.host : undefined;
    this.labelGlobs = isLiteral ? NO_LABEL_GLOBS : spec.host.split('.').map((label) => new StarGlob(label));
    this.port = spec.port;
    // A denied host stays denied when someone reaches it through another port.
    this.anyPort = kind === 'deny' && spec.port === undefined;
    const namesDockerHubPort = spec.port === undefined || spec.port === HTTPS_PORT;
    this.deniesDockerHub = kind === 'deny' && !isLiteral && namesDockerHubPort && DOCKER_HUB_HOSTS.some((host) => matchLabels(this.labelGlobs, host.split('.')));
  }

  matches(subject: ImageSubject): boolean {
    // Docker Hub on its HTTPS port is written without one (the reference module drops :443).
    if (this.deniesDockerHub && subject.host === DEFAULT_REGISTRY && (this.anyPort || subject.port === undefined)) return true;
    if (!this.anyPort && subject.port !== this.port) return false;
    if (this.literalHost !== undefined) return subject.host === this.literalHost;
    const labels = subject.hostLabels;
    return labels !== undefined && matchLabels(this.labelGlobs, labels);
  }
}

/** One pattern from the policy file, ready to compare with images. */
export class CompiledPattern {
  readonly source: string;
  readonly normalized: string;
  readonly kind: PatternKind;
  /** Where the pattern is written, e.g. `allow[2]` or `namespaces[0].deny[1]`. */
  readonly origin: string;
  /** What an image must share with this pattern to match it, for PatternSet's index. */
  readonly indexKey: IndexKey;
  private readonly registry: RegistryMatcher | undefined;
  /** The repository a path without wildcards names, compared as a whole string. */
  private readonly repository: string | undefined;
  private readonly path: ComponentGlob | undefined;
  private readonly tag: StarGlob | undefined;
  private readonly digest: string | undefined;

  constructor(spec: PatternSpec, kind: PatternKind, origin: string) {
    this.source = spec.source;
    this.normalized = spec.normalized;
    this.kind = kind;
    this.origin = origin;
    this.registry = spec.registry === undefined ? undefined : new RegistryMatcher(spec.registry, kind);
    const isLiteralPath = spec.path.every((segment) => !segment.includes(STAR));
    this.repository = isLiteralPath ? spec.path.join('/') : undefined;
    this.indexKey = describeIndexKey(spec, this.repository, this.registry?.deniesDockerHub === true);
    this.path = isLiteralPath ? undefined : new ComponentGlob(spec.path.map((segment) => (segment === GLOBSTAR ? null : new StarGlob(segment))));
    // With a digest the runtime pulls exactly that content, so a tag written beside it decides nothing.
    this.tag = spec.tag === undefined || spec.digest !== undefined ? undefined : new StarGlob(spec.tag);
    this.digest = spec.digest;
  }

  /** What decided a verdict, as shown in reasons: `deny[0] **:latest`. */
  get rule(): string {
    return `${this.origin} ${this.source}`;
  }

  private matchesPath(subject: ImageSubject): boolean {
    if (this.repository !== undefined) return subject.repository === this.repository;
    return this.path !== undefined && this.path.matches(subject.components);
  }

  matches(subject: ImageSubject): boolean {
    if (this.registry !== undefined && !this.registry.matches(subject)) return false;
    if (!this.matchesPath(subject)) return false;
    if (this.digest !== undefined) return subject.digest === this.digest;
    if (this.tag === undefined) return true;
    // The runtime pulls the digest and ignores the tag, so a tag pin says nothing about such an image.
    return subject.digest === undefined && subject.tag !== undefined && this.tag.matches(subject.tag);
  }
}

/**
 * The patterns of one list (global allow, an overlay's deny, ...), in file order, with an index
 * so that finding a match costs the same for ten patterns as for a hundred thousand.
 */
export class PatternSet {
  readonly patterns: readonly CompiledPattern[];
  private readonly index: PatternIndex;

  constructor(patterns: readonly CompiledPattern[]) {
    this.patterns = patterns;
    this.index = new PatternIndex(patterns);
  }

  /** The first pattern in file order that matches, so the reported rule is stable. */
  findMatch(subject: ImageSubject): CompiledPattern | undefined {
    return this.index.findFirst(subject);
  }
}
