// The first gate every image string passes: a length cap and one pass over the characters,
// before any regular expression runs. After it, the input is short and plain ASCII, so later
// checks cannot be slowed down or confused by look-alike characters.
import { formatCodePoint, quoteForMessage } from './errors';

/**
 * Longest accepted image string. A real reference is at most a few hundred characters
 * (255 for the path, 128 for a tag, 135 for a sha512 digest, plus the registry).
 */
export const MAX_REFERENCE_LENGTH = 4096;

const ASCII_WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);
const DELETE = 0x7f;

function isGrammarCharacter(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x2e || // .
    code === 0x5f || // _
    code === 0x2d || // -
    code === 0x2f || // /
    code === 0x3a || // :
    code === 0x40 || // @
    code === 0x5b || // [
    code === 0x5d //    ]
  );
}

function describeCharacterFault(input: string, offset: number): string {
  const code = input.charCodeAt(offset);
  if (ASCII_WHITESPACE.has(code)) return `contains whitespace ${formatCodePoint(code)} at offset ${offset}`;
  if (code < 0x20 || code === DELETE) return `contains a control character ${formatCodePoint(code)} at offset ${offset}`;
  if (code > DELETE) {
    const codePoint = input.codePointAt(offset) ?? code;
    return `contains a non-ASCII character ${formatCodePoint(codePoint)} at offset ${offset}`;
  }
  return `contains the character ${quoteForMessage(input.charAt(offset))} at offset ${offset}, which no image reference may contain`;
}

/** Returns what makes the input unreadable as a reference before parsing starts, or undefined. */
export function findCharacterFault(input: string): string | undefined {
  if (input.length === 0) return 'is empty';
  if (input.length > MAX_REFERENCE_LENGTH) {
    return `is ${input.length} characters long, more than the limit of ${MAX_REFERENCE_LENGTH}`;
  }
  for (let offset = 0; offset < input.length; offset += 1) {
    if (!isGrammarCharacter(input.charCodeAt(offset))) return describeCharacterFault(input, offset);
  }
  return undefined;
}
