// Every pattern of a compiled policy with what the lint rules need beside it: where it is in the
// YAML, which overlay it belongs to, and its written and normalized shapes.
import type { CompiledPattern, CompiledPolicy, PatternSet } from '../policy';
import type { NodePath } from './locate';
import { type PatternShape, type WrittenName, readNormalizedPattern, readWrittenName } from './shape';

export interface ListedPattern {
  readonly pattern: CompiledPattern;
  readonly nodePath: NodePath;
  /** Index of the namespace overlay, or undefined for the global lists. */
  readonly overlay: number | undefined;
  readonly shape: PatternShape;
  readonly written: WrittenName;
}

function listSet(set: PatternSet, parent: NodePath, overlay: number | undefined): ListedPattern[] {
  return set.patterns.map((pattern, index) => ({
    pattern,
    nodePath: [...parent, pattern.kind, index],
    overlay,
    shape: readNormalizedPattern(pattern.normalized),
    written: readWrittenName(pattern.source),
  }));
}

/** Patterns in file order: global allow and deny, then each overlay's. */
export function listPatterns(policy: CompiledPolicy): ListedPattern[] {
  return [
    ...listSet(policy.allow, [], undefined),
    ...listSet(policy.deny, [], undefined),
    ...policy.namespaces.flatMap((overlay, index) => [...listSet(overlay.allow, ['namespaces', index], index), ...listSet(overlay.deny, ['namespaces', index], index)]),
  ];
}
