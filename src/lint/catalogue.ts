// Every pattern of a compiled policy with what the lint rules need beside it: where it is in the
// YAML, which overlay it belongs to, and its written and normalized shapes.
import type { CompiledPattern, CompiledPolicy, PatternSet } from '../policy';
import type { NodePath } from './locate';
import { type PatternShape, type WrittenName, readNormalizedPattern, readWrittenName } from './shape';

export interface ListedPattern {
  readonly pattern: CompiledPattern;
  /** The key path of the list the pattern is in, e.g. `['namespaces', 1, 'allow']`; shared by its entries. */
  readonly list: NodePath;
  /** The pattern's position in that list. */
  readonly index: number;
  /** Index of the namespace overlay, or undefined for the global lists. */
  readonly overlay: number | undefined;
  readonly shape: PatternShape;
  readonly written: WrittenName;
}

/**
 * The key path of the entry's node in the policy document, e.g. `['namespaces', 1, 'allow', 0]`;
 * built only for the entries a warning names, not kept for every pattern of a large policy.
 */
export function findNodePath(entry: ListedPattern): NodePath {
  return [...entry.list, entry.index];
}

function listSet(into: ListedPattern[], set: PatternSet, list: NodePath, overlay: number | undefined): void {
  set.patterns.forEach((pattern, index) => {
    into.push({ pattern, list, index, overlay, shape: readNormalizedPattern(pattern.normalized), written: readWrittenName(pattern.source) });
  });
}

/** Patterns in file order: global allow and deny, then each overlay's. */
export function listPatterns(policy: CompiledPolicy): ListedPattern[] {
  const listed: ListedPattern[] = [];
  listSet(listed, policy.allow, ['allow'], undefined);
  listSet(listed, policy.deny, ['deny'], undefined);
  policy.namespaces.forEach((overlay, index) => {
    listSet(listed, overlay.allow, ['namespaces', index, 'allow'], index);
    listSet(listed, overlay.deny, ['namespaces', index, 'deny'], index);
  });
  return listed;
}
