// Finds the first matching pattern of a list without scanning the list. Each pattern is filed
// under what an image must share with it to match — its registry host, its repository or the
// literal components its path starts with, its exact tag or digest — so one lookup reads a few
// small buckets whatever the list's length. The index only narrows: CompiledPattern.matches
// still decides every candidate, so matching means exactly what it means without the index.
import { DEFAULT_REGISTRY } from '../reference';
import type { CompiledPattern, ImageSubject } from './matcher';
import { STAR } from './glob';
import type { PatternSpec } from './pattern';

/** What an image must share with a pattern for the pattern to match it. */
export interface IndexKey {
  /** The registry host an image must have; undefined for a host glob or a leading `**`. */
  readonly host: string | undefined;
  /** For a host glob whose last label is literal: the label count and that label. */
  readonly hostShape: string | undefined;
  /** A host glob that also stands for a host it cannot match by shape (a deny glob over Docker Hub's names). */
  readonly alsoHost: string | undefined;
  /** The repository an image must have, when the pattern's path has no wildcard. */
  readonly repository: string | undefined;
  /** Otherwise, the leading path components an image must have literally (empty for a repository). */
  readonly literalPrefix: readonly string[];
  /** The digest an image must carry. */
  readonly digest: string | undefined;
  /** The literal tag an image must carry (with no digest). */
  readonly tag: string | undefined;
}

const isLiteral = (piece: string): boolean => !piece.includes(STAR);

function shapeOf(labelCount: number, lastLabel: string): string {
  return `${labelCount} ${lastLabel}`;
}

const NO_PREFIX: readonly string[] = [];

/** `repository` is the pattern's path joined, when the path has no wildcard (shared, not rebuilt). */
function describeHostShape(host: string): string | undefined {
  const labels = host.split('.');
  const lastLabel = labels[labels.length - 1]!;
  return isLiteral(lastLabel) ? shapeOf(labels.length, lastLabel) : undefined;
}

export function describeIndexKey(spec: PatternSpec, repository: string | undefined, deniesDockerHub: boolean): IndexKey {
  const host = spec.registry?.host;
  const literalHost = host !== undefined && isLiteral(host);
  const prefixLength = repository === undefined ? spec.path.findIndex((segment) => !isLiteral(segment)) : -1;
  return {
    host: literalHost ? host : undefined,
    hostShape: host !== undefined && !literalHost ? describeHostShape(host) : undefined,
    alsoHost: deniesDockerHub ? DEFAULT_REGISTRY : undefined,
    repository,
    literalPrefix: prefixLength < 0 ? NO_PREFIX : spec.path.slice(0, prefixLength),
    digest: spec.digest,
    tag: spec.digest === undefined && spec.tag !== undefined && isLiteral(spec.tag) ? spec.tag : undefined,
  };
}

/** Positions in the pattern list, ascending, so the first match found in a bucket is its earliest. */
type Positions = number[];

/** Up to this many patterns share a path, a bucket is scanned; beyond, it is keyed by tag and digest. */
const SMALL_BUCKET = 8;

/** Patterns of one path, keyed by the digest or literal tag they require (e.g. many pinned releases). */
class KeyedPositions {
  private readonly any: Positions = [];
  private readonly byDigest = new Map<string, Positions>();
  private readonly byTag = new Map<string, Positions>();

  add(position: number, key: IndexKey): void {
    if (key.digest !== undefined) appendTo(this.byDigest, key.digest, position);
    else if (key.tag !== undefined) appendTo(this.byTag, key.tag, position);
    else this.any.push(position);
  }

  search(subject: ImageSubject, patterns: readonly CompiledPattern[], best: number): number {
    best = firstMatch(this.any, subject, patterns, best);
    if (subject.digest !== undefined) return firstMatch(this.byDigest.get(subject.digest), subject, patterns, best);
    // A tag pin never matches an image that also carries a digest (the runtime ignores its tag).
    if (subject.tag !== undefined) return firstMatch(this.byTag.get(subject.tag), subject, patterns, best);
    return best;
  }
}

/** The patterns that share a path: a short list, or keyed once it grows. */
class TagBucket {
  // Created with its first position: an exactly sized array, not an empty one grown by push.
  private readonly positions: Positions;
  private keyed: KeyedPositions | undefined;

  constructor(first: number) {
    this.positions = [first];
  }

  add(position: number, patterns: readonly CompiledPattern[]): void {
    this.positions.push(position);
    if (this.keyed !== undefined) this.keyed.add(position, patterns[position]!.indexKey);
    else if (this.positions.length > SMALL_BUCKET) {
      this.keyed = new KeyedPositions();
      for (const each of this.positions) this.keyed.add(each, patterns[each]!.indexKey);
    }
  }

  /** The earliest matching position below `best`, or `best`. */
  search(subject: ImageSubject, patterns: readonly CompiledPattern[], best: number): number {
    return this.keyed !== undefined ? this.keyed.search(subject, patterns, best) : firstMatch(this.positions, subject, patterns, best);
  }
}

/** A node of the trie over literal leading path components, for patterns with wildcards. */
class PrefixNode {
  children: Map<string, PrefixNode> | undefined;
  /** Patterns whose literal prefix ends at this node. */
  bucket: TagBucket | undefined;
}

/** The patterns of one registry host (or host shape, or any host). */
class HostEntry {
  private byRepository: Map<string, TagBucket> | undefined;
  private readonly prefixes = new PrefixNode();

  add(position: number, patterns: readonly CompiledPattern[]): void {
    const key = patterns[position]!.indexKey;
    if (key.repository !== undefined) {
      this.byRepository ??= new Map();
      const bucket = this.byRepository.get(key.repository);
      if (bucket === undefined) this.byRepository.set(key.repository, new TagBucket(position));
      else bucket.add(position, patterns);
      return;
    }
    let node = this.prefixes;
    for (const component of key.literalPrefix) {
      node.children ??= new Map();
      let child = node.children.get(component);
      if (child === undefined) node.children.set(component, (child = new PrefixNode()));
      node = child;
    }
    if (node.bucket === undefined) node.bucket = new TagBucket(position);
    else node.bucket.add(position, patterns);
  }

  search(subject: ImageSubject, patterns: readonly CompiledPattern[], best: number): number {
    const exact = this.byRepository?.get(subject.repository);
    if (exact !== undefined) best = exact.search(subject, patterns, best);
    let node: PrefixNode | undefined = this.prefixes;
    for (let depth = 0; node !== undefined; depth += 1) {
      if (node.bucket !== undefined) best = node.bucket.search(subject, patterns, best);
      // Only a deeper literal prefix needs the image's path split into components.
      if (node.children === undefined || depth === subject.components.length) break;
      node = node.children.get(subject.components[depth]!);
    }
    return best;
  }
}

function appendTo(map: Map<string, Positions>, key: string, position: number): void {
  const positions = map.get(key);
  if (positions === undefined) map.set(key, [position]);
  else positions.push(position);
}

function firstMatch(positions: Positions | undefined, subject: ImageSubject, patterns: readonly CompiledPattern[], best: number): number {
  if (positions === undefined) return best;
  for (const position of positions) {
    if (position >= best) break;
    if (patterns[position]!.matches(subject)) return position;
  }
  return best;
}

function entryIn(map: Map<string, HostEntry>, name: string): HostEntry {
  let entry = map.get(name);
  if (entry === undefined) map.set(name, (entry = new HostEntry()));
  return entry;
}

const NOT_FOUND = Number.POSITIVE_INFINITY;

export class PatternIndex {
  private readonly patterns: readonly CompiledPattern[];
  private readonly byHost = new Map<string, HostEntry>();
  private readonly byHostShape = new Map<string, HostEntry>();
  private readonly anyHost = new HostEntry();

  constructor(patterns: readonly CompiledPattern[]) {
    this.patterns = patterns;
    patterns.forEach((pattern, position) => {
      this.entryFor(pattern.indexKey).add(position, patterns);
      if (pattern.indexKey.alsoHost !== undefined) entryIn(this.byHost, pattern.indexKey.alsoHost).add(position, patterns);
    });
  }

  private entryFor(key: IndexKey): HostEntry {
    if (key.host !== undefined) return entryIn(this.byHost, key.host);
    if (key.hostShape !== undefined) return entryIn(this.byHostShape, key.hostShape);
    return this.anyHost;
  }

  /** The first pattern in list order that matches, exactly as a scan of the list would find it. */
  findFirst(subject: ImageSubject): CompiledPattern | undefined {
    let best = NOT_FOUND;
    const hostEntry = this.byHost.get(subject.host);
    if (hostEntry !== undefined) best = hostEntry.search(subject, this.patterns, best);
    const labels = this.byHostShape.size > 0 ? subject.hostLabels : undefined;
    if (labels !== undefined) {
      const shapeEntry = this.byHostShape.get(shapeOf(labels.length, labels[labels.length - 1]!));
      if (shapeEntry !== undefined) best = shapeEntry.search(subject, this.patterns, best);
    }
    best = this.anyHost.search(subject, this.patterns, best);
    return best === NOT_FOUND ? undefined : this.patterns[best];
  }
}
