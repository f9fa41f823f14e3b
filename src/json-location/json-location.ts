// Line and column for a problem in a JSON report. Reports are read with JSON.parse (fast on
// multi-megabyte files); only when one is refused is the text walked again to point at the
// offending node, so the cost of locating is paid by bad files alone.
import { LineCounter, isNode, parseDocument } from 'yaml';

export interface TextLocation {
  readonly line: number;
  readonly column: number;
}

export type FieldPath = readonly (string | number)[];

const START_OF_TEXT: TextLocation = { line: 1, column: 1 };
const POSITION_IN_MESSAGE = /at position (\d+)/;
const END_OF_INPUT_MESSAGE = 'end of JSON input';

function locateOffset(text: string, offset: number): TextLocation {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index >= 0 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Where JSON.parse gave up: its message carries an offset, or says the text ended early. */
export function locateSyntaxError(text: string, message: string): TextLocation {
  const position = POSITION_IN_MESSAGE.exec(message)?.[1];
  if (position !== undefined) return locateOffset(text, Number(position));
  if (message.includes(END_OF_INPUT_MESSAGE)) return locateOffset(text, text.length);
  return START_OF_TEXT;
}

/** The node at `path`, or the deepest existing node above it (a missing field points at its object). */
export function locateField(text: string, path: FieldPath): TextLocation {
  const lineCounter = new LineCounter();
  // JSON is YAML 1.2 flow syntax, so the yaml parser gives node ranges for a JSON text.
  const document = parseDocument(text, { lineCounter, logLevel: 'silent' });
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const position = lineCounter.linePos(node.range[0]);
      return { line: position.line, column: position.col };
    }
  }
  return START_OF_TEXT;
}
