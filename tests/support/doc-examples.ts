// Examples in the documentation that tests produce from the real commands, so a changed command
// fails the build instead of the reader: the fenced block after an `<!-- example: ... -->` marker,
// split into the commands it shows (`$ ...`) and the output under each, where `...` stands for any
// number of lines.

const ELLIPSIS = '...';

/** The body of the first fenced block after the marker comment that contains `marker`. */
export function findExampleBlock(markdown: string, marker: string): string {
  const at = markdown.indexOf(`<!-- example: ${marker}`);
  if (at < 0) throw new Error(`no example marked "${marker}"`);
  const match = /```[a-z]*\n([\s\S]*?)\n```/.exec(markdown.slice(at));
  if (match === null) throw new Error(`no fenced block after the example marked "${marker}"`);
  return match[1] ?? '';
}

export interface ConsoleStep {
  /** The command after `$ `. */
  readonly command: string;
  readonly output: readonly string[];
}

export function parseConsoleExample(block: string): ConsoleStep[] {
  const steps: { command: string; output: string[] }[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
    else steps[steps.length - 1]?.output.push(line);
  }
  return steps;
}

/**
 * `actual` as the documentation would show it: the documented lines when they match (each `...`
 * standing for any run of lines), otherwise `actual` itself, so that a failing comparison shows it.
 */
export function asDocumented(documented: readonly string[], actual: readonly string[]): readonly string[] {
  const segments: string[][] = [[]];
  for (const line of documented) {
    if (line === ELLIPSIS) segments.push([]);
    else segments[segments.length - 1]?.push(line);
  }
  const [first = [], ...rest] = segments;
  if (!first.every((line, index) => actual[index] === line)) return actual;
  let position = first.length;
  for (const [index, segment] of rest.entries()) {
    const last = index === rest.length - 1;
    const from = last ? actual.length - segment.length : position;
    const found = from < position ? -1 : findSegment(actual, segment, from, last);
    if (found < 0) return actual;
    position = found + segment.length;
  }
  return rest.length === 0 && actual.length !== first.length ? actual : documented;
}

function findSegment(actual: readonly string[], segment: readonly string[], from: number, anchoredAtEnd: boolean): number {
  const matchesAt = (start: number): boolean => start >= 0 && segment.every((line, offset) => actual[start + offset] === line);
  if (anchoredAtEnd) return matchesAt(from) ? from : -1;
  for (let start = from; start + segment.length <= actual.length; start += 1) if (matchesAt(start)) return start;
  return -1;
}
