// A fast reader for the plain YAML that policy files are written in: block mappings with simple
// keys, block sequences, one-line flow sequences, quoted and plain scalars without escapes, and
// comments. It gives up (returns undefined) on anything else — anchors, tags, multi-line
// scalars, escapes, numbers, nulls, tabs, unusual keys — and loadPolicy then reads the text with
// the full YAML parser. On what it accepts it yields exactly the value the full parser yields,
// without building a node per scalar: a 100 000-pattern policy costs milliseconds, not seconds.

/** A content line: its indentation and its text without the indentation and trailing spaces. */
interface Line {
  readonly indent: number;
  readonly text: string;
}

type Value = string | boolean | Value[] | { [key: string]: Value };

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)/;
/** Plain scalars read as strings: no indicator first, no space, no flow or comment characters. */
const PLAIN_STRING = /^[A-Za-z0-9_/][A-Za-z0-9._/:@*-]*$/;
const QUOTED_CONTENT = /^[\x20-\x7e]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const SPACE = ' ';
const TRAILING_COMMENT = /^(?: +#.*)?$/;
// The YAML 1.2 core schema's non-string plain scalars (as the full parser resolves them).
const CORE_NULL = /^(?:~|[Nn]ull|NULL)?$/;
const CORE_TRUE = /^(?:[Tt]rue|TRUE)$/;
const CORE_FALSE = /^(?:[Ff]alse|FALSE)$/;
const CORE_NUMBERS = [
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
const SEQUENCE_ENTRY = '- ';
const COMMENT = '#';
const FORBIDDEN_KEY = '__proto__';

/** Thrown inside the reader to give up; never escapes parseSimpleYaml. */
class NotSimple extends Error {}

function giveUp(): never {
  throw new NotSimple();
}

function splitLines(text: string): Line[] {
  if (text.includes('\r') || text.includes('\t') || text.startsWith('\uFEFF')) giveUp();
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    // Only ASCII spaces are trimmed: trim() would also drop Unicode spaces (U+00A0, U+2028, ...),
    // which the full parser reads as content.
    let end = raw.length;
    while (end > 0 && raw.charAt(end - 1) === SPACE) end -= 1;
    let indent = 0;
    while (indent < end && raw.charAt(indent) === SPACE) indent += 1;
    const body = raw.slice(indent, end);
    if (body === '' || body.startsWith(COMMENT)) continue;
    // Directives, document markers and non-ASCII content are left to the full parser.
    if (body.startsWith('%') || body.startsWith('---') || body.startsWith('...') || !PRINTABLE_ASCII.test(body)) giveUp();
    lines.push({ indent, text: body });
  }
  return lines;
}

function readPlain(text: string): string | boolean {
  if (CORE_TRUE.test(text)) return true;
  if (CORE_FALSE.test(text)) return false;
  if (!PLAIN_STRING.test(text) || text.endsWith(':') || CORE_NULL.test(text) || CORE_NUMBERS.some((number) => number.test(text))) giveUp();
  return text;
}

/** A quoted scalar that needs no escape handling: `"..."` without `\` or `"`, `'...'` without `'`. */
function readQuoted(text: string): { value: string; rest: string } {
  const quote = text.charAt(0);
  const end = text.indexOf(quote, 1);
  if (end < 0) giveUp();
  const value = text.slice(1, end);
  if (!QUOTED_CONTENT.test(value) || (quote === '"' && value.includes('\\'))) giveUp();
  return { value, rest: text.slice(end + 1) };
}

function readFlowSequence(text: string): Value[] {
  const end = text.indexOf(']');
  if (end < 0 || !TRAILING_COMMENT.test(text.slice(end + 1))) giveUp();
  const inner = text.slice(1, end).trim();
  if (inner === '') return [];
  return inner.split(',').map((item) => {
    const trimmed = item.trim();
    if (trimmed.startsWith('"') || trimmed.startsWith("'")) {
      const quoted = readQuoted(trimmed);
      if (quoted.rest !== '') giveUp();
      return quoted.value;
    }
    return readPlain(trimmed);
  });
}

/** The value written on the same line as its key or sequence dash. */
function readInline(text: string): Value {
  if (text.startsWith('"') || text.startsWith("'")) {
    const quoted = readQuoted(text);
    if (!TRAILING_COMMENT.test(quoted.rest)) giveUp();
    return quoted.value;
  }
  if (text.startsWith('[')) return readFlowSequence(text);
  const comment = text.indexOf(' #');
  return readPlain(comment < 0 ? text : text.slice(0, comment).trimEnd());
}

class Reader {
  private position = 0;

  constructor(private readonly lines: Line[]) {}

  readDocument(): Value {
    const first = this.lines[0];
    if (first === undefined || first.indent !== 0) giveUp();
    const value = this.readMapping(0);
    if (this.position !== this.lines.length) giveUp();
    return value;
  }

  private peek(): Line | undefined {
    return this.lines[this.position];
  }

  private readMapping(indent: number): { [key: string]: Value } {
    const mapping: { [key: string]: Value } = {};
    for (let line = this.peek(); line !== undefined && line.indent === indent; line = this.peek()) {
      const match = KEY.exec(line.text);
      if (match === null) giveUp();
      const key = match[1]!;
      if (key === FORBIDDEN_KEY || Object.hasOwn(mapping, key)) giveUp();
      const rest = line.text.slice(match[0].length);
      this.position += 1;
      mapping[key] = rest === '' || rest.startsWith(COMMENT) ? this.readNested(indent) : readInline(rest);
    }
    const next = this.peek();
    if (next !== undefined && next.indent > indent) giveUp();
    return mapping;
  }

  /** The block below a key with no inline value: deeper lines, or a sequence at the key's own indent. */
  private readNested(keyIndent: number): Value {
    const next = this.peek();
    if (next === undefined) giveUp();
    if (next.indent > keyIndent) return next.text.startsWith(SEQUENCE_ENTRY) ? this.readSequence(next.indent) : this.readMapping(next.indent);
    if (next.indent === keyIndent && next.text.startsWith(SEQUENCE_ENTRY)) return this.readSequence(keyIndent);
    return giveUp();
  }

  private readSequence(indent: number): Value[] {
    const sequence: Value[] = [];
    for (let line = this.peek(); line !== undefined && line.indent === indent && line.text.startsWith(SEQUENCE_ENTRY); line = this.peek()) {
      const item = line.text.slice(SEQUENCE_ENTRY.length);
      const itemIndent = indent + line.text.length - item.trimStart().length;
      if (KEY.test(item.trimStart())) {
        // `- key: value` opens a mapping whose keys line up with this first one.
        this.lines[this.position] = { indent: itemIndent, text: item.trimStart() };
        sequence.push(this.readMapping(itemIndent));
      } else {
        this.position += 1;
        sequence.push(readInline(item.trimStart()));
      }
    }
    const next = this.peek();
    if (next !== undefined && next.indent > indent) giveUp();
    return sequence;
  }
}

/**
 * Reads `text` when it stays inside the simple subset, else returns undefined. The top level
 * must be a mapping; the result equals what the full YAML parser's toJS() gives for the text.
 */
export function parseSimpleYaml(text: string): Record<string, unknown> | undefined {
  try {
    return new Reader(splitLines(text)).readDocument() as Record<string, unknown>;
  } catch (error) {
    if (error instanceof NotSimple) return undefined;
    throw error;
  }
}
