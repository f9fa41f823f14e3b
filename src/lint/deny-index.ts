// Finds the first deny entry of a list that covers an allow entry without trying every deny entry.
// Each deny entry is filed under what an allow entry must share with it to be covered, as the
// policy's own pattern index files patterns for images: its literal registry host (or the shape
// of its host glob), its path components before the first `**` and after the last (literal, or
// the text a glob fixes at that end), its literal tag or its digest.
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
 * Deny entries whose walk down the path tries ends at one node, keyed by what they require of the
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
 * The children of a path-trie node, by what a deny component requires of the allow component it
 * pairs with: a literal component the same text; a glob the text before its first `*` (read from
 * the start) or after its last `*` (read from the end), and nothing more when that text is empty.
 */
class ComponentEdges<Node> {
  private literal: Map<string, Node> | undefined;
  private starred: Node | undefined;
  private glued: Map<string, Node> | undefined;

  constructor(
    private readonly fromEnd: boolean,
    private readonly create: () => Node,
  ) {}

  childFor(component: string): Node {
    if (isLiteral(component)) return childIn((this.literal ??= new Map()), component, this.create);
    const fixed = this.fromEnd ? component.slice(component.lastIndexOf(STAR) + 1) : component.slice(0, component.indexOf(STAR));
    if (fixed === '') return (this.starred ??= this.create());
    return childIn((this.glued ??= new Map()), fixed, this.create);
  }

  /** Visits every child whose deny components can cover `component` (never `**`, which only `**` covers). */
  forEachCovering(component: string, visit: (child: Node) => void): void {
    const literal = this.literal?.get(component);
    if (literal !== undefined) visit(literal);
    if (this.starred !== undefined) visit(this.starred);
    if (this.glued === undefined) return;
    // A glob's fixed text is literal: it matches only the same text at that end, which holds no `*`.
    const glued = this.glued;
    const visitText = (text: string): void => {
      const child = glued.get(text);
      if (child !== undefined) visit(child);
    };
    if (this.fromEnd) for (let start = component.length - 1; start >= 0 && component.charAt(start) !== STAR; start -= 1) visitText(component.slice(start));
    else for (let end = 1; end <= component.length && component.charAt(end - 1) !== STAR; end += 1) visitText(component.slice(0, end));
  }
}

/**
 * The components after a deny path's last `**`, walked from the end: they pair with the allow
 * path's last components, one for one, as the components before the first `**` pair with its first.
 */
class TailNode {
  private readonly edges = new ComponentEdges<TailNode>(true, createTail);
  private bucket: ReferenceBucket | undefined;

  add(position: number, shape: PatternShape, tail: readonly string[]): void {
    let node: TailNode = this;
    for (let index = tail.length - 1; index >= 0; index -= 1) node = node.edges.childFor(tail[index]!);
    (node.bucket ??= new ReferenceBucket()).add(position, shape);
  }

  search(allow: PatternShape, denies: readonly ListedPattern[], best: number, fromEnd = 0): number {
    if (this.bucket !== undefined) best = this.bucket.search(allow, denies, best);
    const component = allow.path[allow.path.length - 1 - fromEnd];
    if (component === undefined || component === GLOBSTAR) return best;
    this.edges.forEachCovering(component, (child) => {
      best = child.search(allow, denies, best, fromEnd + 1);
    });
    return best;
  }
}

/** The components before a deny path's first `**` (all of them when it has none), walked from the start. */
class HeadNode {
  private readonly edges = new ComponentEdges<HeadNode>(false, createHead);
  private tail: TailNode | undefined;

  add(position: number, shape: PatternShape): void {
    const path = shape.path;
    let node: HeadNode = this;
    for (let depth = 0; depth < path.length && path[depth] !== GLOBSTAR; depth += 1) node = node.edges.childFor(path[depth]!);
    const lastGlobstar = path.lastIndexOf(GLOBSTAR);
    (node.tail ??= new TailNode()).add(position, shape, lastGlobstar < 0 ? [] : path.slice(lastGlobstar + 1));
  }

  search(allow: PatternShape, denies: readonly ListedPattern[], best: number, depth = 0): number {
    if (this.tail !== undefined) best = this.tail.search(allow, denies, best);
    const component = allow.path[depth];
    if (component === undefined || component === GLOBSTAR) return best;
    this.edges.forEachCovering(component, (child) => {
      best = child.search(allow, denies, best, depth + 1);
    });
    return best;
  }
}

function createTail(): TailNode {
  return new TailNode();
}

function createHead(): HeadNode {
  return new HeadNode();
}

function childIn<Node>(map: Map<string, Node>, key: string, create: () => Node): Node {
  let node = map.get(key);
  if (node === undefined) map.set(key, (node = create()));
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

/** A host glob's key: its label count and the literal labels after its last glob label. */
function describeHostGlob(host: string): string {
  const labels = host.split(HOST_LABEL_SEPARATOR);
  let firstLiteral = labels.length;
  while (firstLiteral > 0 && isLiteral(labels[firstLiteral - 1]!)) firstLiteral -= 1;
  return `${labels.length} ${labels.slice(firstLiteral).join(HOST_LABEL_SEPARATOR)}`;
}

/**
 * The keys of the host globs that can cover `host`: host globs match label by label, so a covered
 * host has as many labels and ends with the same literal ones, however many of them there are.
 */
function listHostGlobKeys(host: string): string[] {
  const labels = host.split(HOST_LABEL_SEPARATOR);
  return [...labels.map((_, index) => `${labels.length} ${labels.slice(index).join(HOST_LABEL_SEPARATOR)}`), `${labels.length} `];
}

export class DenyIndex {
  private readonly denies: readonly ListedPattern[];
  /** Deny entries with a literal registry host; a literal host covers only itself. */
  private readonly byHost = new Map<string, HeadNode>();
  private readonly byHostGlob = new Map<string, HeadNode>();
  /** Deny entries that open with `**` and so span every registry. */
  private readonly anyHost = new HeadNode();

  /** `denies` in file order: the first covering entry is the one a warning names. */
  constructor(denies: readonly ListedPattern[]) {
    this.denies = denies;
    denies.forEach((deny, position) => {
      const registry = deny.shape.registry;
      const node =
        registry === undefined ? this.anyHost : isLiteral(registry.host) ? childIn(this.byHost, registry.host, createHead) : childIn(this.byHostGlob, describeHostGlob(registry.host), createHead);
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
