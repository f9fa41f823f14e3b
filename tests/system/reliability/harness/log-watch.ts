// Follows a serve process's JSON log without keeping the per-review lines: long runs write one
// line per review, so only the other messages (reloads, refusals, shutdown) are kept and counted.
import { eventually } from '../../../support/eventually';

export interface LogWatch {
  /** Feed for ServeOptions.onOutput. */
  readonly onOutput: (chunk: string) => void;
  /** Number of kept lines so far: a mark for waitFor. */
  mark(): number;
  /** Resolves with the first kept line after `mark` matching `pattern`, or undefined at the timeout. */
  waitFor(pattern: RegExp, mark: number, timeoutMs: number): Promise<string | undefined>;
  count(pattern: RegExp): number;
  reviewLines(): number;
}

const REVIEW_LINE = '"message":"review"';

export function createLogWatch(): LogWatch {
  const kept: string[] = [];
  let partial = '';
  let reviews = 0;
  return {
    onOutput(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes(REVIEW_LINE)) reviews += 1;
        else if (line.trim() !== '') kept.push(line);
      }
    },
    mark: () => kept.length,
    waitFor: (pattern, mark, timeoutMs) =>
      eventually(() => kept.slice(mark).find((line) => pattern.test(line)), { timeoutMs, intervalMs: 20 }).catch(() => undefined),
    count: (pattern) => kept.filter((line) => pattern.test(line)).length,
    reviewLines: () => reviews,
  };
}
