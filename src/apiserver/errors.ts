// The one error type of the apiserver scaffolding. Every builder validates its whole input and
// reports all problems together, so a user fixes a command line in one pass instead of one flag
// per run; each problem names the field, the value and the rule.

export class ApiserverConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ApiserverConfigError';
    this.problems = problems;
  }
}

/** Renders a user-supplied value for an error message: strings quoted, everything else as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value) ?? String(value);
}

/** Throws when any problem was collected; keeps the call sites to one line. */
export function throwIfProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new ApiserverConfigError(problems);
}
