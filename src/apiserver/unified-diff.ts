// A unified diff of two texts, in the format of `diff -u` (three lines of context, GNU hunk
// ranges, "\ No newline at end of file"), so the operator reviews a manifest change the way they
// review any patch, and `patch` can apply it. Lines are matched with Myers' O(ND) algorithm.

const CONTEXT_LINES = 3;
const NO_NEWLINE_MARKER = '\\ No newline at end of file';

interface Line {
  readonly text: string;
  /** False for a last line without a trailing newline. */
  readonly terminated: boolean;
}

type Edit = { kind: ' ' | '-' | '+'; line: Line; oldIndex: number; newIndex: number };

function splitLines(text: string): Line[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const terminated = parts[parts.length - 1] === '';
  if (terminated) parts.pop();
  return parts.map((part, index) => ({ text: part, terminated: terminated || index < parts.length - 1 }));
}

function sameLine(a: Line | undefined, b: Line | undefined): boolean {
  return a !== undefined && b !== undefined && a.text === b.text && a.terminated === b.terminated;
}

/** Myers' greedy shortest edit script: the furthest-reaching path on each diagonal, kept per step. */
function shortestEditScript(before: readonly Line[], after: readonly Line[]): Edit[] {
  const n = before.length;
  const m = after.length;
  const max = n + m;
  const offset = max + 1;
  const furthest = new Array<number>(2 * max + 3).fill(0);
  const trace: number[][] = [];
  let found = false;
  for (let depth = 0; depth <= max && !found; depth += 1) {
    trace.push([...furthest]);
    for (let diagonal = -depth; diagonal <= depth; diagonal += 2) {
      const down = diagonal === -depth || (diagonal !== depth && (furthest[offset + diagonal - 1] ?? 0) < (furthest[offset + diagonal + 1] ?? 0));
      let x = down ? (furthest[offset + diagonal + 1] ?? 0) : (furthest[offset + diagonal - 1] ?? 0) + 1;
      let y = x - diagonal;
      while (x < n && y < m && sameLine(before[x], after[y])) {
        x += 1;
        y += 1;
      }
      furthest[offset + diagonal] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let depth = trace.length - 1; depth >= 0; depth -= 1) {
    const previous = trace[depth] ?? [];
    const diagonal = x - y;
    const down = diagonal === -depth || (diagonal !== depth && (previous[offset + diagonal - 1] ?? 0) < (previous[offset + diagonal + 1] ?? 0));
    const previousDiagonal = down ? diagonal + 1 : diagonal - 1;
    const previousX = previous[offset + previousDiagonal] ?? 0;
    const previousY = previousX - previousDiagonal;
    while (x > previousX && y > previousY) {
      x -= 1;
      y -= 1;
      edits.push({ kind: ' ', line: before[x] as Line, oldIndex: x, newIndex: y });
    }
    if (depth > 0) {
      if (down) {
        y -= 1;
        edits.push({ kind: '+', line: after[y] as Line, oldIndex: x, newIndex: y });
      } else {
        x -= 1;
        edits.push({ kind: '-', line: before[x] as Line, oldIndex: x, newIndex: y });
      }
    }
  }
  return deletionsFirst(edits.reverse());
}

/** Within each run of changed lines, removals before additions, as `diff -u` shows them. */
function deletionsFirst(edits: readonly Edit[]): Edit[] {
  const ordered: Edit[] = [];
  let run: Edit[] = [];
  const flush = (): void => {
    ordered.push(...run.filter((edit) => edit.kind === '-'), ...run.filter((edit) => edit.kind === '+'));
    run = [];
  };
  for (const edit of edits) {
    if (edit.kind === ' ') {
      flush();
      ordered.push(edit);
    } else {
      run.push(edit);
    }
  }
  flush();
  return ordered;
}

/** GNU's range: `start,count`, `start` alone for one line, the line before for none. */
function formatRange(start: number, count: number): string {
  if (count === 1) return String(start + 1);
  return `${count === 0 ? start : start + 1},${count}`;
}

function formatHunk(edits: readonly Edit[]): string[] {
  const oldStart = Math.min(...edits.map((edit) => edit.oldIndex));
  const newStart = Math.min(...edits.map((edit) => edit.newIndex));
  const oldCount = edits.filter((edit) => edit.kind !== '+').length;
  const newCount = edits.filter((edit) => edit.kind !== '-').length;
  const header = `@@ -${formatRange(oldStart, oldCount)} +${formatRange(newStart, newCount)} @@`;
  return [header, ...edits.flatMap(({ kind, line }) => [`${kind}${line.text}`, ...(line.terminated ? [] : [NO_NEWLINE_MARKER])])];
}

/** `diff -u` of two texts under the given labels; the empty string when they are equal. */
export function formatUnifiedDiff(before: string, after: string, beforeLabel: string, afterLabel: string): string {
  const edits = shortestEditScript(splitLines(before), splitLines(after));
  const changed = edits.flatMap((edit, index) => (edit.kind === ' ' ? [] : [index]));
  if (changed.length === 0) return '';
  const hunks: Edit[][] = [];
  let start = Math.max(0, (changed[0] ?? 0) - CONTEXT_LINES);
  let end = start;
  for (const index of changed) {
    // Hunks whose context would touch or overlap are one, as in GNU diff.
    if (index - end - 1 > 2 * CONTEXT_LINES) {
      hunks.push(edits.slice(start, end + CONTEXT_LINES + 1));
      start = index - CONTEXT_LINES;
    }
    end = index;
  }
  hunks.push(edits.slice(start, end + CONTEXT_LINES + 1));
  return `${[`--- ${beforeLabel}`, `+++ ${afterLabel}`, ...hunks.flatMap(formatHunk)].join('\n')}\n`;
}
