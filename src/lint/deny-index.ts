// Finds the first deny entry of a list that covers an allow entry without trying every deny entry.
// Each deny entry is filed under what an allow entry must share with it to be covered, as the
// policy's own pattern index files patterns for images: its literal registry host (or the shape
// of its host glob), the literal components its path starts with, its literal tag or its digest.
// The index only narrows: denyCoversAllow decides every candidate, so the answer is exactly the
// one a scan of the list in file order gives.
import type { ListedPattern } from './catalogue';
import { denyCoversAllow } from './containment';
import { type PatternShape, STAR } from './shape';

/** Positions in the deny list, ascending, so the first cover found in a bucket is its earliest. */
type Positions = number[];

const NOT_FOUND = Number.POSITIVE_INFINITY;
const HOST_LABEL_SEPARATOR = '.';

const isLiteral = (piece: string): boolean => !piece.includes(STAR);

/**
 * Deny entries whose literal path prefix ends at one trie node, keyed by what they require of the
 * allow entry's reference: a digest only the same digest satisfies, a literal tag only the same
 * tag (a tag glob or no tag at all goes under `any`).
 */
class ReferenceBucket {
  private readonly any: Positions = [];
  private byDigest: Map<string, Positions> | undefined;
  private byTag: Map<string, Positions> | undefined;

  add(position: number, shape: PatternShape): void {
    if (shape.digest !== undefined) appendTo((this.byDigest ??= new Map()), shape.digest, position);
    else if (shape.tag !== undefined && isLiteral(shape.tag)) appendTo((this.byTag ??= new Map()), shape.tag, position);
    else this.any.push(position);
  }

  /** The earliest covering position below `best`, or `best`. */
  search(allow: PatternShape, denies: readonly ListedPattern[], best: number): number {
    best = firstCover(this.any, allow, denies, best);
    if (allow.digest !== undefined) return firstCover(this.byDigest?.get(allow.digest), allow, denies, best);
    // A normalized shape with a digest has no tag, so an allow entry with a tag is tag-only.
    if (allow.tag !== undefined) return firstCover(this.byTag?.get(allow.tag), allow, denies, best);
    return best;
  }
}

/**
 * A node of the trie over literal leading path components. A literal deny component covers only
 * the identical allow component (never a glob), so an allow entry walks its own path down the trie.
 */
class PrefixNode {
  private children: Map<string, PrefixNode> | undefined;
  private bucket: ReferenceBucket | undefined;

  add(position: number, shape: PatternShape): void {
    let node: PrefixNode = this;
    for (const component of shape.path) {
      if (!isLiteral(component)) break;
      node.children ??= new Map();
      let child = node.children.get(component);
      if (child === undefined) node.children.set(component, (child = new PrefixNode()));
      node = child;
    }
    (node.bucket ??= new ReferenceBucket()).add(position, shape);
  }

  search(allow: PatternShape, denies: readonly ListedPattern[], best: number): number {
    let node: PrefixNode | undefined = this;
    for (let depth = 0; node !== undefined; depth += 1) {
      if (node.bucket !== undefined) best = node.bucket.search(allow, denies, best);
      const component = allow.path[depth];
      if (component === undefined || node.children === undefined) break;
      node = node.children.get(component);
    }
    return best;
  }
}

function appendTo(map: Map<string, Positions>, key: string, position: number): void {
  const positions = map.get(key);
  if (positions === undefined) map.set(key, [position]);
  else positions.push(position);
}

function firstCover(positions: Positions | undefined, allow: PatternShape, denies: readonly ListedPattern[], best: number): number {
  if (positions === undefined) return best;
  for (const position of positions) {
    if (position >= best) break;
    if (denyCoversAllow(denies[position]!.shape, allow)) return position;
  }
  return best;
}

/**
 * The key of a host glob: its label count and, when literal, its last label (host globs match
 * label by label, so a covered host has as many labels and, there, the same last one).
 */
function describeHostGlob(host: string): string {
  const labels = host.split(HOST_LABEL_SEPARATOR);
  const last = labels[labels.length - 1]!;
  return isLiteral(last) ? `${labels.length} ${last}` : String(labels.length);
}

/** The host-glob keys under which a deny entry covering `host` can be filed. */
function listHostGlobKeys(host: string): readonly string[] {
  const labels = host.split(HOST_LABEL_SEPARATOR);
  return [`${labels.length} ${labels[labels.length - 1]!}`, String(labels.length)];
}

function nodeIn(map: Map<string, PrefixNode>, key: string): PrefixNode {
  let node = map.get(key);
  if (node === undefined) map.set(key, (node = new PrefixNode()));
  return node;
}

export class DenyIndex {
  private readonly denies: readonly ListedPattern[];
  /** Deny entries with a literal registry host; a literal host covers only itself. */
  private readonly byHost = new Map<string, PrefixNode>();
  private readonly byHostGlob = new Map<string, PrefixNode>();
  /** Deny entries that open with `**` and so span every registry. */
  private readonly anyHost = new PrefixNode();

  /** `denies` in file order: the first covering entry is the one a warning names. */
  constructor(denies: readonly ListedPattern[]) {
    this.denies = denies;
    denies.forEach((deny, position) => {
      const registry = deny.shape.registry;
      const node =
        registry === undefined ? this.anyHost : isLiteral(registry.host) ? nodeIn(this.byHost, registry.host) : nodeIn(this.byHostGlob, describeHostGlob(registry.host));
      node.add(position, deny.shape);
    });
  }

  /** The first deny entry in file order whose matches include everything `allow` matches. */
  findFirstCover(allow: PatternShape): ListedPattern | undefined {
    let best = this.anyHost.search(allow, this.denies, NOT_FOUND);
    // An allow entry that spans every registry is covered only by a deny entry that does too.
    if (allow.registry !== undefined) {
      const host = allow.registry.host;
      const literal = this.byHost.get(host);
      if (literal !== undefined) best = literal.search(allow, this.denies, best);
      if (this.byHostGlob.size > 0) {
        for (const key of listHostGlobKeys(host)) {
          const node = this.byHostGlob.get(key);
          if (node !== undefined) best = node.search(allow, this.denies, best);
        }
      }
    }
    return best === NOT_FOUND ? undefined : this.denies[best];
  }
}
