// Star globs for one pattern component (a path component, a host label, a tag) and the same
// wildcard algorithm lifted to whole components for `**`. Both match leftmost-greedy over literal
// runs, so cost is bounded by text length × pattern length and nothing can backtrack exponentially.

/** The only wildcard inside a component: any run of characters, possibly empty. */
export const STAR = '*';

/** A compiled star glob. A glob without `*` is a plain string comparison. */
export class StarGlob {
  readonly source: string;
  private readonly literals: readonly string[];

  constructor(source: string) {
    this.source = source;
    this.literals = source.split(STAR);
  }

  get isLiteral(): boolean {
    return this.literals.length === 1;
  }

  matches(text: string): boolean {
    const literals = this.literals;
    const first = literals[0] ?? '';
    if (literals.length === 1) return text === first;
    const last = literals[literals.length - 1] ?? '';
    if (text.length < first.length + last.length) return false;
    if (!text.startsWith(first) || !text.endsWith(last)) return false;
    // Each middle literal is taken at its leftmost position: leaving more text for the
    // rest can only help, so greedy never rejects a text that some other split would match.
    let position = first.length;
    const end = text.length - last.length;
    for (let index = 1; index < literals.length - 1; index += 1) {
      const literal = literals[index] ?? '';
      const found = text.indexOf(literal, position);
      if (found < 0 || found + literal.length > end) return false;
      position = found + literal.length;
    }
    return true;
  }
}

/**
 * Path globs over components: each entry matches exactly one component, and `null` stands for
 * `**` (zero or more components; consecutive `**` behave as one). Uses the same leftmost-greedy
 * placement as StarGlob, lifted from characters to components.
 */
export class ComponentGlob {
  private readonly runs: readonly (readonly StarGlob[])[];

  constructor(sequence: readonly (StarGlob | null)[]) {
    const runs: StarGlob[][] = [[]];
    for (const entry of sequence) {
      if (entry === null) runs.push([]);
      else runs[runs.length - 1]?.push(entry);
    }
    this.runs = runs;
  }

  matches(components: readonly string[]): boolean {
    const runs = this.runs;
    const head = runs[0] ?? [];
    if (runs.length === 1) return components.length === head.length && runMatchesAt(head, components, 0);
    const tail = runs[runs.length - 1] ?? [];
    const tailStart = components.length - tail.length;
    if (tailStart < head.length) return false;
    if (!runMatchesAt(head, components, 0) || !runMatchesAt(tail, components, tailStart)) return false;
    let position = head.length;
    for (let index = 1; index < runs.length - 1; index += 1) {
      const run = runs[index] ?? [];
      let start = position;
      while (start + run.length <= tailStart && !runMatchesAt(run, components, start)) start += 1;
      if (start + run.length > tailStart) return false;
      position = start + run.length;
    }
    return true;
  }
}

function runMatchesAt(run: readonly StarGlob[], components: readonly string[], start: number): boolean {
  for (let offset = 0; offset < run.length; offset += 1) {
    const component = components[start + offset];
    if (component === undefined || run[offset]?.matches(component) !== true) return false;
  }
  return true;
}
