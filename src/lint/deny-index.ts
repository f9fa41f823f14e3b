// Finds the first deny entry of a list that covers an allow entry without trying every deny entry.
// Each deny entry is filed under what an allow entry must share with it to be covered, as the
// policy's own pattern index files patterns for images: its literal registry host (or the shape
// of its host glob), its path components up to the first `**` (literal, `*`, or glued to leading
// text), its literal tag or its digest.
// The index only narrows: denyCoversAllow decides every candidate, so the answer is exactly the
// one a scan of the list in file order gives.
import type { ListedPattern } from './catalogue';
import { denyCoversAllow } from './containment';
import { GLOBSTAR, type PatternShape, STAR } from './shape';

/** Positions in the deny list, ascending, so the first cover found in a bucket is its earliest. */
type Positions = number[];

const NOT_FOUND = Number.POSITIVE_INFINITY;
const HOST_LABEL_SEPARATOR = '.';

const isLiteral = (piece: string): boolean => !piece.includes(STAR);

/**
 * Deny entries whose walk down the path trie ends at one node, keyed by what they require of the
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
 * A node of the trie over deny paths, walked component by component up to the first `**`. Until
 * then each deny component pairs with the allow component at the same depth, so an allow entry
 * follows its own path down: a literal component covers only the same text, a component that
 * opens with `*` covers any component but `**`, and one glued to text (`legacy-*`) covers only
 * components that start with that text.
 */
class PathNode {
  private literal: Map<string, PathNode> | undefined;
  private starred: PathNode | undefined;
  /** Glued components, keyed by their text before the first `*`. */
  private glued: Map<string, PathNode> | undefined;
  private bucket: ReferenceBucket | undefined;

  add(position: number, shape: PatternShape): void {
    let node: PathNode = this;
    for (const component of shape.path) {
      if (component === GLOBSTAR) break;
      node = node.childFor(component);
    }
    (node.bucket ??= new ReferenceBucket()).add(position, shape);
  }

  private childFor(component: string): PathNode {
    const star = component.indexOf(STAR);
    if (star < 0) return childIn((this.literal ??= new Map()), component);
    if (star === 0) return (this.starred ??= new PathNode());
    return childIn((this.glued ??= new Map()), component.slice(0, star));
  }

  search(allow: PatternShape, denies: readonly ListedPattern[], best: number, depth = 0): number {
    if (this.bucket !== undefined) best = this.bucket.search(allow, denies, best);
    const component = allow.path[depth];
    // Only a deny `**` covers an allow `**`, and the entries below this node have none up to here.
    if (component === undefined || component === GLOBSTAR) return best;
    const literal = this.literal?.get(component);
    if (literal !== undefined) best = literal.search(allow, denies, best, depth + 1);
    if (this.starred !== undefined) best = this.starred.search(allow, denies, best, depth + 1);
    if (this.glued !== undefined) {
      // The text before a glued `*` is literal: it can only match the same leading text.
      for (let end = 1; end <= component.length && component.charAt(end - 1) !== STAR; end += 1) {
        const glued = this.glued.get(component.slice(0, end));
        if (glued !== undefined) best = glued.search(allow, denies, best, depth + 1);
      }
    }
    return best;
  }
}

function childIn(map: Map<string, PathNode>, key: string): PathNode {
  let node = map.get(key);
  if (node === undefined) map.set(key, (node = new PathNode()));
  return node;
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

export class DenyIndex {
  private readonly denies: readonly ListedPattern[];
  /** Deny entries with a literal registry host; a literal host covers only itself. */
  private readonly byHost = new Map<string, PathNode>();
  private readonly byHostGlob = new Map<string, PathNode>();
  /** Deny entries that open with `**` and so span every registry. */
  private readonly anyHost = new PathNode();

  /** `denies` in file order: the first covering entry is the one a warning names. */
  constructor(denies: readonly ListedPattern[]) {
    this.denies = denies;
    denies.forEach((deny, position) => {
      const registry = deny.shape.registry;
      const node =
        registry === undefined ? this.anyHost : isLiteral(registry.host) ? childIn(this.byHost, registry.host) : childIn(this.byHostGlob, describeHostGlob(registry.host));
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
