// The one error this module throws, and the quoting that keeps attacker-chosen strings safe to
// print: reasons and log lines must stay one short line whatever the pod author wrote.

/** Longest part of the input quoted in a message; a 64 KiB image string must not become a 64 KiB reason. */
export const MAX_QUOTED_LENGTH = 100;

const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** Formats a code unit or code point as `U+200B`, the way Unicode charts name it. */
export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

function escapeCharacter(character: string): string {
  const named = NAMED_ESCAPES[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  if (code < 0x20 || code > 0x7e) return `\\u${code.toString(16).padStart(4, '0')}`;
  return character;
}

/**
 * Quotes a value for a message: printable ASCII only (everything else escaped JSON-style), at
 * most `limit` characters between the quotes, with the full length stated when cut short.
 */
export function quoteForMessage(value: string, limit: number = MAX_QUOTED_LENGTH): string {
  let escaped = '';
  let index = 0;
  for (; index < value.length; index += 1) {
    const piece = escapeCharacter(value.charAt(index));
    if (escaped.length + piece.length > limit) break;
    escaped += piece;
  }
  return index < value.length ? `"${escaped}..." (${value.length} characters)` : `"${escaped}"`;
}

/** Thrown by parseImageReference; `fault` says what is wrong, `input` is the string as received. */
export class InvalidImageReferenceError extends Error {
  readonly input: string;
  readonly fault: string;

  constructor(input: string, fault: string) {
    super(`invalid image reference ${quoteForMessage(input)}: ${fault}`);
    this.name = 'InvalidImageReferenceError';
    this.input = input;
    this.fault = fault;
  }
}

/** Result of a check that either yields a normalized value or says what is wrong. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly fault: string };
