// Reads a WWW-Authenticate header (RFC 7235): `Bearer realm="https://auth.example/token",
// service="registry",scope="repository:app:pull"`. The header comes from the network, so the
// reader is a single linear scan with a length cap; nothing here can backtrack.

/** Far above any real challenge; a longer header is refused rather than scanned. */
export const MAX_CHALLENGE_LENGTH = 4096;

export interface Challenge {
  /** Lower-cased: `bearer`, `basic`. */
  readonly scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN_CHARACTER = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const WHITESPACE = /[ \t]/;

class Scanner {
  position = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  skip(pattern: RegExp): void {
    while (!this.done && pattern.test(this.text.charAt(this.position))) this.position += 1;
  }

  token(): string {
    const start = this.position;
    while (!this.done && TOKEN_CHARACTER.test(this.text.charAt(this.position))) this.position += 1;
    return this.text.slice(start, this.position);
  }

  /** After the opening quote; `\x` stands for x. Undefined when the quote never closes. */
  quoted(): string | undefined {
    let value = '';
    while (!this.done) {
      const character = this.text.charAt(this.position);
      this.position += 1;
      if (character === '"') return value;
      if (character === '\\' && !this.done) {
        value += this.text.charAt(this.position);
        this.position += 1;
      } else value += character;
    }
    return undefined;
  }

  peek(): string {
    return this.text.charAt(this.position);
  }

  /** True when a `name=` follows (a parameter), false when a new scheme starts. */
  parameterFollows(): boolean {
    const saved = this.position;
    this.skip(WHITESPACE);
    const name = this.token();
    this.skip(WHITESPACE);
    const isParameter = name !== '' && this.peek() === '=';
    this.position = saved;
    return isParameter;
  }
}

/** Every challenge in the header, in order; undefined when the header is not a valid challenge list. */
export function parseChallenges(header: string): Challenge[] | undefined {
  if (header.length > MAX_CHALLENGE_LENGTH) return undefined;
  const scanner = new Scanner(header);
  const challenges: Challenge[] = [];
  for (;;) {
    scanner.skip(/[ \t,]/);
    if (scanner.done) break;
    const scheme = scanner.token();
    if (scheme === '') return undefined;
    const params = new Map<string, string>();
    for (;;) {
      scanner.skip(WHITESPACE);
      if (!scanner.parameterFollows()) break;
      scanner.skip(WHITESPACE);
      const name = scanner.token().toLowerCase();
      scanner.skip(WHITESPACE);
      scanner.position += 1;
      scanner.skip(WHITESPACE);
      let value: string | undefined;
      if (scanner.peek() === '"') {
        scanner.position += 1;
        value = scanner.quoted();
      } else value = scanner.token();
      if (value === undefined) return undefined;
      params.set(name, value);
      scanner.skip(WHITESPACE);
      if (scanner.peek() !== ',') break;
      scanner.position += 1;
    }
    challenges.push({ scheme: scheme.toLowerCase(), params });
    scanner.skip(WHITESPACE);
    if (!scanner.done && scanner.peek() !== ',' && !TOKEN_CHARACTER.test(scanner.peek())) return undefined;
  }
  return challenges;
}
