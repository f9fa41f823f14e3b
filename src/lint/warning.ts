// What a lint warning is and how it prints: like a compiler, `policy.yaml:12:5: warning: ...`,
// with the rule name last so a reader can look it up and a script can filter on it.

export const WARNING_RULES = [
  'glued-glob',
  'registry-globstar',
  'host-like-namespace',
  'surprising-normalization',
  'shadowed-allow',
  'duplicate-pattern',
  'bootstrap-denied',
  'deny-apex-not-covered',
  'deny-tag-escaped-by-digest',
  'deny-one-spelling',
  'signature-unfetchable',
  'signature-key-unused',
  'signature-uncovered-allow',
] as const;
export type WarningRule = (typeof WARNING_RULES)[number];

export type PatternKind = 'allow' | 'deny';

export interface PolicyWarning {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Key path such as `namespaces[1].allow[0]`; empty for the file as a whole. */
  readonly path: string;
  readonly rule: WarningRule;
  readonly message: string;
  /** Patterns that would close what the warning points at; each one loads as written. */
  readonly fixes?: readonly string[];
}

export function formatPolicyWarning(warning: PolicyWarning): string {
  const path = warning.path === '' ? '' : `${warning.path}: `;
  return `${warning.file}:${warning.line}:${warning.column}: warning: ${path}${warning.message} [${warning.rule}]`;
}
