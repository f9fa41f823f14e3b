// Lint rules across patterns: allow entries that a deny entry makes useless, and entries written
// twice. Only lists that apply together are compared: the global lists everywhere, an overlay's
// lists with the global ones. Both look entries up (a deny index, a map by normalized form)
// instead of comparing every pair, so `check` stays linear in the policy's size.
import type { ListedPattern } from './catalogue';
import { DenyIndex } from './deny-index';
import type { PatternFinding } from './written';

export interface LocatedFinding extends PatternFinding {
  readonly entry: ListedPattern;
}

/** One deny index for the global list and one per overlay that has deny entries. */
function indexDenies(patterns: readonly ListedPattern[]): { global: DenyIndex; byOverlay: Map<number, DenyIndex> } {
  const global: ListedPattern[] = [];
  const overlays = new Map<number, ListedPattern[]>();
  for (const entry of patterns) {
    if (entry.pattern.kind !== 'deny') continue;
    if (entry.overlay === undefined) global.push(entry);
    else {
      const list = overlays.get(entry.overlay);
      if (list === undefined) overlays.set(entry.overlay, [entry]);
      else list.push(entry);
    }
  }
  return { global: new DenyIndex(global), byOverlay: new Map([...overlays].map(([overlay, denies]) => [overlay, new DenyIndex(denies)])) };
}

export function findShadowedAllows(patterns: readonly ListedPattern[]): LocatedFinding[] {
  const denies = indexDenies(patterns);
  return patterns.flatMap((entry) => {
    if (entry.pattern.kind !== 'allow') return [];
    // The global deny entries come before every overlay's in file order, so they are asked first.
    const shadow = denies.global.findFirstCover(entry.shape) ?? (entry.overlay === undefined ? undefined : denies.byOverlay.get(entry.overlay)?.findFirstCover(entry.shape));
    if (shadow === undefined) return [];
    const message = `never admits an image: everything it matches is denied by ${shadow.pattern.origin} "${shadow.pattern.source}" (deny beats allow)`;
    return [{ entry, rule: 'shadowed-allow' as const, message }];
  });
}

export function findDuplicates(patterns: readonly ListedPattern[]): LocatedFinding[] {
  // The first entry of each kind and normalized form, globally and per overlay. A global entry
  // applies everywhere and comes first in file order, so it is the one a later entry repeats.
  const firstGlobal = new Map<string, ListedPattern>();
  const firstInOverlay = new Map<number, Map<string, ListedPattern>>();
  return patterns.flatMap((entry) => {
    const key = `${entry.pattern.kind} ${entry.pattern.normalized}`;
    let overlayFirsts: Map<string, ListedPattern> | undefined;
    if (entry.overlay !== undefined) {
      overlayFirsts = firstInOverlay.get(entry.overlay);
      if (overlayFirsts === undefined) firstInOverlay.set(entry.overlay, (overlayFirsts = new Map()));
    }
    const earlier = firstGlobal.get(key) ?? overlayFirsts?.get(key);
    if (earlier === undefined) {
      (overlayFirsts ?? firstGlobal).set(key, entry);
      return [];
    }
    const same = earlier.pattern.source === entry.pattern.source ? '' : ` (both read as ${entry.pattern.normalized})`;
    const why = earlier.overlay === entry.overlay ? 'one of them can go' : 'the global entry already applies in every namespace';
    return [{ entry, rule: 'duplicate-pattern' as const, message: `duplicates ${earlier.pattern.origin} "${earlier.pattern.source}"${same}: ${why}` }];
  });
}
