// Where each node of a plain policy file starts, read line by line: block mappings with simple
// keys, block sequences, one-line flow sequences of simple items, one-line scalars, comments —
// the YAML nearly every policy file is written in. It gives up (returns undefined) on anything
// else, and the locator then asks the full YAML parser. On what it accepts it places every node
// where the full parser does, without building the parser's node per scalar: for a
// 100 000-pattern policy that node tree costs more than loading the policy.
export interface Location {
  readonly line: number;
  readonly column: number;
}

export type NodePath = readonly (string | number)[];

export interface PositionNode {
  readonly start: Location;
  /** A mapping's keys, each with where the key is written and its value. */
  readonly keys?: ReadonlyMap<string, { readonly key: Location; readonly value: PositionNode }>;
  readonly items?: readonly PositionNode[];
}

interface Line {
  readonly number: number;
  readonly indent: number;
  readonly text: string;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)/;
/** A one-line scalar: quoted without its own quote inside, or plain without space, comment or flow characters. */
const SCALAR = /^(?:"[^"\\]*"|'[^']*'|[A-Za-z0-9_/.][A-Za-z0-9._/:@*+-]*)(?: +#.*)?$/;
const FLOW_ITEM = /^(?:"[^"\\]*"|'[^']*'|[A-Za-z0-9_/.][A-Za-z0-9._/:@*+-]*)$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const TRAILING_COMMENT = /^(?: +#.*)?$/;
const SEQUENCE_ENTRY = '- ';
const FLOW_START = '[';
const FLOW_END = ']';
const FLOW_SEPARATOR = ',';
const DOUBLE_QUOTE = '"';
const SINGLE_QUOTE = "'";
/** Where a plain flow item ends: a separator, the end of the list, or a space before either. */
const PLAIN_FLOW_END = ', ]';
const SPACE = ' ';
const COMMENT = '#';

/** Thrown inside the reader to give up; never escapes readPlainPositions. */
class NotPlain extends Error {}

function giveUp(): never {
  throw new NotPlain();
}

function splitLines(text: string): Line[] {
  if (text.includes('\r') || text.includes('\t') || text.startsWith('\uFEFF')) giveUp();
  const lines: Line[] = [];
  text.split('\n').forEach((raw, index) => {
    let end = raw.length;
    while (end > 0 && raw.charAt(end - 1) === SPACE) end -= 1;
    let indent = 0;
    while (indent < end && raw.charAt(indent) === SPACE) indent += 1;
    const body = raw.slice(indent, end);
    if (body === '' || body.startsWith(COMMENT)) return;
    if (body.startsWith('%') || body.startsWith('---') || body.startsWith('...') || !PRINTABLE_ASCII.test(body)) giveUp();
    lines.push({ number: index + 1, indent, text: body });
  });
  return lines;
}

/** `[a, "b", c]` on one line: the sequence and where each item starts. */
function readFlowSequence(line: number, column: number, text: string): PositionNode {
  const items: PositionNode[] = [];
  let at = 1;
  const skipSpaces = (): void => {
    while (text.charAt(at) === SPACE) at += 1;
  };
  skipSpaces();
  if (text.charAt(at) === FLOW_END) at += 1;
  else {
    for (let next = FLOW_SEPARATOR; next === FLOW_SEPARATOR; at += 1) {
      skipSpaces();
      const start = at;
      const quote = text.charAt(at);
      if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) {
        const close = text.indexOf(quote, at + 1);
        if (close < 0) giveUp();
        at = close + 1;
      } else while (at < text.length && !PLAIN_FLOW_END.includes(text.charAt(at))) at += 1;
      if (!FLOW_ITEM.test(text.slice(start, at))) giveUp();
      items.push({ start: { line, column: column + start } });
      skipSpaces();
      next = text.charAt(at);
      if (next !== FLOW_SEPARATOR && next !== FLOW_END) giveUp();
    }
  }
  if (!TRAILING_COMMENT.test(text.slice(at))) giveUp();
  return { start: { line, column }, items };
}

/** The value written on the same line as its key or sequence dash, starting at `column`. */
function readInline(line: number, column: number, text: string): PositionNode {
  if (text.startsWith(FLOW_START)) return readFlowSequence(line, column, text);
  if (!SCALAR.test(text)) giveUp();
  return { start: { line, column } };
}

class Reader {
  private position = 0;

  constructor(private readonly lines: Line[]) {}

  readDocument(): PositionNode {
    const first = this.lines[0];
    if (first === undefined || first.indent !== 0) giveUp();
    const document = this.readMapping(0);
    if (this.position !== this.lines.length) giveUp();
    return document;
  }

  private peek(): Line | undefined {
    return this.lines[this.position];
  }

  private readMapping(indent: number): PositionNode {
    const keys = new Map<string, { key: Location; value: PositionNode }>();
    const first = this.peek()!;
    for (let line = this.peek(); line !== undefined && line.indent === indent; line = this.peek()) {
      const match = KEY.exec(line.text);
      if (match === null) giveUp();
      const key = match[1]!;
      if (keys.has(key)) giveUp();
      const rest = line.text.slice(match[0].length);
      this.position += 1;
      const value = rest === '' || rest.startsWith(COMMENT) ? this.readNested(indent) : readInline(line.number, indent + match[0].length + 1, rest);
      keys.set(key, { key: { line: line.number, column: indent + 1 }, value });
    }
    const next = this.peek();
    if (next !== undefined && next.indent > indent) giveUp();
    return { start: { line: first.number, column: indent + 1 }, keys };
  }

  /** The block below a key with no inline value: deeper lines, or a sequence at the key's own indent. */
  private readNested(keyIndent: number): PositionNode {
    const next = this.peek();
    if (next === undefined) giveUp();
    if (next.indent > keyIndent) return next.text.startsWith(SEQUENCE_ENTRY) ? this.readSequence(next.indent) : this.readMapping(next.indent);
    if (next.indent === keyIndent && next.text.startsWith(SEQUENCE_ENTRY)) return this.readSequence(keyIndent);
    return giveUp();
  }

  private readSequence(indent: number): PositionNode {
    const items: PositionNode[] = [];
    const first = this.peek()!;
    for (let line = this.peek(); line !== undefined && line.indent === indent && line.text.startsWith(SEQUENCE_ENTRY); line = this.peek()) {
      const item = line.text.slice(SEQUENCE_ENTRY.length).trimStart();
      const itemIndent = indent + line.text.length - item.length;
      if (KEY.test(item)) {
        // `- key: value` opens a mapping whose keys line up with this first one.
        this.lines[this.position] = { number: line.number, indent: itemIndent, text: item };
        items.push(this.readMapping(itemIndent));
      } else {
        this.position += 1;
        items.push(readInline(line.number, itemIndent + 1, item));
      }
    }
    const next = this.peek();
    if (next !== undefined && next.indent > indent) giveUp();
    return { start: { line: first.number, column: indent + 1 }, items };
  }
}

/** Reads where every node starts when `text` stays inside the plain subset, else undefined. */
export function readPlainPositions(text: string): PositionNode | undefined {
  try {
    return new Reader(splitLines(text)).readDocument();
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

/** A sequence index as the YAML library reads one: a number, or a string that spells a whole number. */
function readItemIndex(segment: string | number): number | undefined {
  const index = typeof segment === 'string' && segment !== '' ? Number(segment) : segment;
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 ? index : undefined;
}

/** The node at `path`, or undefined when it is absent or passes through a scalar. */
export function findPositionNode(root: PositionNode, path: NodePath): PositionNode | undefined {
  let node: PositionNode | undefined = root;
  for (const segment of path) {
    if (node === undefined) return undefined;
    if (node.keys !== undefined) node = typeof segment === 'string' ? node.keys.get(segment)?.value : undefined;
    else if (node.items !== undefined) {
      const index = readItemIndex(segment);
      node = index === undefined ? undefined : node.items[index];
    } else return undefined;
  }
  return node;
}
