// The one error loadPolicy throws. It carries every problem found in the file, each located at
// the offending YAML node, so an operator fixes a broken policy in one pass.

/** One problem in a policy file, at the line and column (both 1-based) of the node at fault. */
export interface PolicyIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Key path such as `namespaces[1].allow[0]`; empty for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

/** Formats an issue the way compilers do: `policy.yaml:12:5: allow[3]: <message>`. */
export function formatPolicyIssue(issue: PolicyIssue): string {
  const path = issue.path === '' ? '' : `${issue.path}: `;
  return `${issue.file}:${issue.line}:${issue.column}: ${path}${issue.message}`;
}

export class PolicyError extends Error {
  readonly issues: readonly PolicyIssue[];

  constructor(issues: readonly PolicyIssue[]) {
    super(issues.map(formatPolicyIssue).join('\n'));
    this.name = 'PolicyError';
    this.issues = issues;
  }
}
