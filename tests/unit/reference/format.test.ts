// Printing: formatReference(parseImageReference(x)) is in the grammar and re-parses to the same
// reference, for every valid row and for generated strings.
import fc from 'fast-check';
import { InvalidImageReferenceError, formatReference, parseImageReference } from '../../../src/reference';
import { ANCHORED_REFERENCE } from '../../../src/reference/grammar';
import { SHA256, VALID_ROWS } from './valid-rows';

function tryParse(input: string): ReturnType<typeof parseImageReference> | InvalidImageReferenceError {
  try {
    return parseImageReference(input);
  } catch (error) {
    if (error instanceof InvalidImageReferenceError) return error;
    throw error;
  }
}

describe('formatReference', () => {
  test.each([
    { name: 'tag only', ref: { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }, want: 'docker.io/library/nginx:latest' },
    { name: 'digest only', ref: { registry: 'r.io:5000', repository: 'a/b', digest: SHA256 }, want: `r.io:5000/a/b@${SHA256}` },
    { name: 'tag and digest', ref: { registry: '[::1]:5000', repository: 'x', tag: '1', digest: SHA256 }, want: `[::1]:5000/x:1@${SHA256}` },
    { name: 'neither', ref: { registry: 'localhost', repository: 'app' }, want: 'localhost/app' },
  ])('$name', ({ ref, want }) => {
    expect(formatReference(ref)).toBe(want);
  });
});

describe('formatReference round trip', () => {
  test.each(VALID_ROWS)('$name', ({ input }) => {
    const parsed = parseImageReference(input);
    const printed = formatReference(parsed);
    expect(printed).toMatch(ANCHORED_REFERENCE);
    expect(parseImageReference(printed)).toStrictEqual(parsed);
    expect(formatReference(parseImageReference(printed))).toBe(printed);
  });
});

// Characters that drive the grammar's decisions, so random strings hit the interesting cases.
const GRAMMAR_CHARACTERS = ['a', 'b', 'z', 'A', 'F', '0', '9', '.', '_', '-', '/', ':', '@', '[', ']', 'f', 'c'];

/** Faults this module raises on strings distribution's grammar accepts, each a documented stricter rule. */
const STRICTER_THAN_DISTRIBUTION = [
  /must be lowercase/, // upper-case first component: distribution reads it as a registry
  /unsupported digest algorithm|digest must be/, // only registered algorithms and exact lengths
  /character "[+=]"/, // only in unregistered digest encodings (sha256+b64u:...=)
  /not a valid IPv6 address/, // distribution accepts any [hex:] run
  // A first component with "." or ":" is a registry (splitDockerDomain) and must be a valid host;
  // distribution's grammar also reads `a_b.c/d` as a path, and ParseNormalizedNamed then returns
  // a name with no registry at all.
  /registry host/,
  /registry port/, // no leading zeros, 1..65535
  /image ID/, // distribution refuses these too, in ParseNormalizedNamed
  /characters long, more than 255/, // distribution checks this after matching too
];

describe('generated references', () => {
  test('every parse result prints into the grammar and re-parses unchanged', () => {
    const inputs = fc.string({ unit: fc.constantFrom(...GRAMMAR_CHARACTERS), maxLength: 40 });
    fc.assert(
      fc.property(inputs, (input) => {
        const parsed = tryParse(input);
        if (parsed instanceof InvalidImageReferenceError) return;
        const printed = formatReference(parsed);
        expect(printed).toMatch(ANCHORED_REFERENCE);
        expect(parseImageReference(printed)).toStrictEqual(parsed);
      }),
      { numRuns: 3000 },
    );
  });

  test("strings in distribution's grammar parse, or fail a documented stricter rule", () => {
    const inputs = fc.stringMatching(ANCHORED_REFERENCE).filter((input) => input.length <= 1000);
    fc.assert(
      fc.property(inputs, (input) => {
        const parsed = tryParse(input);
        if (parsed instanceof InvalidImageReferenceError) {
          expect(STRICTER_THAN_DISTRIBUTION.some((rule) => rule.test(parsed.fault))).toBe(true);
          return;
        }
        expect(parseImageReference(formatReference(parsed))).toStrictEqual(parsed);
      }),
      { numRuns: 3000 },
    );
  });

  test('any string either parses or throws InvalidImageReferenceError with a short printable message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        const parsed = tryParse(input);
        if (!(parsed instanceof InvalidImageReferenceError)) return;
        expect(parsed.message).toMatch(/^[\x20-\x7e]+$/);
        expect(parsed.message.length).toBeLessThanOrEqual(512);
      }),
      { numRuns: 3000 },
    );
  });
});
