// Does one pattern match everything another matches? Decided on the globs themselves: the inner
// pattern's wildcards are treated as symbols only an outer wildcard can absorb, which is sound
// (a yes is always right), so a "shadowed" warning is never raised for an entry that still works.
import { GLOBSTAR, type PatternShape, STAR } from './shape';

/**
 * Generic cover test over two sequences: `isWildcard(outer)` absorbs any run of inner items
 * (inner wildcards included); other items must pair up through `pairCovers`. Two-row dynamic
 * programming, so cost is the product of the lengths and nothing can backtrack.
 */
function sequenceCovers<Item>(
  outer: readonly Item[],
  inner: readonly Item[],
  isWildcard: (item: Item) => boolean,
  pairCovers: (outerItem: Item, innerItem: Item) => boolean,
): boolean {
  // next[j]: outer[i+1..] covers inner[j..]; current[j]: outer[i..] covers inner[j..].
  let next: boolean[] = inner.map(() => false).concat(true);
  for (let i = outer.length - 1; i >= 0; i -= 1) {
    const item = outer[i] as Item;
    const current: boolean[] = new Array<boolean>(inner.length + 1).fill(false);
    for (let j = inner.length; j >= 0; j -= 1) {
      const innerItem = inner[j];
      if (isWildcard(item)) current[j] = (next[j] ?? false) || (innerItem !== undefined && (current[j + 1] ?? false));
      else current[j] = innerItem !== undefined && pairCovers(item, innerItem) && (next[j + 1] ?? false);
    }
    next = current;
  }
  return next[0] ?? false;
}

/** Every text the inner star glob matches, the outer one matches too. */
export function starGlobCovers(outer: string, inner: string): boolean {
  return sequenceCovers(
    [...outer],
    [...inner],
    (character) => character === STAR,
    (outerCharacter, innerCharacter) => innerCharacter !== STAR && outerCharacter === innerCharacter,
  );
}

/** Path globs over components, where GLOBSTAR stands for any number of components. */
export function pathCovers(outer: readonly string[], inner: readonly string[]): boolean {
  return sequenceCovers(
    outer,
    inner,
    (component) => component === GLOBSTAR,
    (outerComponent, innerComponent) => innerComponent !== GLOBSTAR && starGlobCovers(outerComponent, innerComponent),
  );
}

function hostCovers(outer: string, inner: string): boolean {
  // Host globs never match an IPv6 literal, so a literal comparison is all there is to it.
  if (outer.startsWith('[') || inner.startsWith('[')) return outer === inner;
  const outerLabels = outer.split('.');
  const innerLabels = inner.split('.');
  return outerLabels.length === innerLabels.length && outerLabels.every((label, index) => starGlobCovers(label, innerLabels[index] ?? ''));
}

function registryCovers(deny: PatternShape, allow: PatternShape): boolean {
  if (deny.registry === undefined) return true;
  if (allow.registry === undefined) return false;
  if (!hostCovers(deny.registry.host, allow.registry.host)) return false;
  // A deny pattern that names no port denies its host on every port.
  return deny.registry.port === undefined || deny.registry.port === allow.registry.port;
}

function referenceCovers(deny: PatternShape, allow: PatternShape): boolean {
  if (deny.digest !== undefined) return allow.digest === deny.digest;
  if (deny.tag === undefined) return true;
  // A tag pattern matches only images without a digest, so the allow entry must be tag-only too.
  return allow.digest === undefined && allow.tag !== undefined && starGlobCovers(deny.tag, allow.tag);
}

/** True when every image the allow pattern matches is also matched by the deny pattern. */
export function denyCoversAllow(deny: PatternShape, allow: PatternShape): boolean {
  return registryCovers(deny, allow) && pathCovers(deny.path, allow.path) && referenceCovers(deny, allow);
}
