// Lint rules across patterns: allow entries that a deny entry makes useless, and entries written
// twice. Only lists that apply together are compared: the global lists everywhere, an overlay's
// lists with the global ones.
import type { ListedPattern } from './catalogue';
import { denyCoversAllow } from './containment';
import type { PatternFinding } from './written';

export interface LocatedFinding extends PatternFinding {
  readonly entry: ListedPattern;
}

/** The other pattern applies wherever `entry` does: same overlay, or global. */
function appliesWith(other: ListedPattern, entry: ListedPattern): boolean {
  return other.overlay === undefined || other.overlay === entry.overlay;
}

export function findShadowedAllows(patterns: readonly ListedPattern[]): LocatedFinding[] {
  const denies = patterns.filter((candidate) => candidate.pattern.kind === 'deny');
  return patterns.flatMap((entry) => {
    if (entry.pattern.kind !== 'allow') return [];
    const shadow = denies.find((deny) => appliesWith(deny, entry) && denyCoversAllow(deny.shape, entry.shape));
    if (shadow === undefined) return [];
    const message = `never admits an image: everything it matches is denied by ${shadow.pattern.origin} "${shadow.pattern.source}" (deny beats allow)`;
    return [{ entry, rule: 'shadowed-allow' as const, message }];
  });
}

export function findDuplicates(patterns: readonly ListedPattern[]): LocatedFinding[] {
  return patterns.flatMap((entry, index) => {
    const earlier = patterns
      .slice(0, index)
      .find((other) => other.pattern.kind === entry.pattern.kind && other.pattern.normalized === entry.pattern.normalized && appliesWith(other, entry));
    if (earlier === undefined) return [];
    const same = earlier.pattern.source === entry.pattern.source ? '' : ` (both read as ${entry.pattern.normalized})`;
    const why = earlier.overlay === entry.overlay ? 'one of them can go' : 'the global entry already applies in every namespace';
    return [{ entry, rule: 'duplicate-pattern' as const, message: `duplicates ${earlier.pattern.origin} "${earlier.pattern.source}"${same}: ${why}` }];
  });
}
