// Properties of the image-reference parser over generated input (fixed seed, reproducible):
// it throws nothing but InvalidImageReferenceError, its messages stay one short line, it finds
// exactly the parts a valid reference was built from, printing is a fixed point, and hostile
// strings up to 64 KiB are handled like any other input.
import fc from 'fast-check';
import { InvalidImageReferenceError, formatReference, parseImageReference, type ImageReference } from '../../../src/reference';
import {
  builtReferenceArbitrary,
  FIXED_SEED,
  hostileStringArbitrary,
  imageStringArbitrary,
  propertyRuns,
} from '../../support/arbitraries';

// A fault message quotes at most 100 characters of the input; the rest is fixed text.
const MAX_MESSAGE_LENGTH = 400;
const HOSTILE_SAMPLES = 300;

function parseOrError(input: unknown): ImageReference | InvalidImageReferenceError {
  try {
    return parseImageReference(input as string);
  } catch (error) {
    if (error instanceof InvalidImageReferenceError) return error;
    throw new Error(`parseImageReference(${JSON.stringify(input)}) threw ${String(error)}, not InvalidImageReferenceError`);
  }
}

describe('parseImageReference over generated input', () => {
  test('throws only InvalidImageReferenceError, with a one-line bounded message', () => {
    fc.assert(
      fc.property(imageStringArbitrary, (input) => {
        const result = parseOrError(input);
        if (result instanceof InvalidImageReferenceError) {
          expect(result.message).not.toMatch(/[\n\r]/);
          expect(result.message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
          expect(result.input).toBe(input);
        }
      }),
      propertyRuns(1000),
    );
  });

  test('values that are not strings (from decoded JSON) are refused with the typed error', () => {
    fc.assert(
      fc.property(fc.anything().filter((value) => typeof value !== 'string'), (value) => {
        expect(parseOrError(value)).toBeInstanceOf(InvalidImageReferenceError);
      }),
      propertyRuns(300),
    );
  });

  test('a reference built from valid parts parses to exactly those parts, normalized', () => {
    fc.assert(
      fc.property(builtReferenceArbitrary, (built) => {
        const parsed = parseOrError(built.written);
        expect(parsed).not.toBeInstanceOf(InvalidImageReferenceError);
        expect(parsed).toEqual({
          registry: built.registry,
          repository: built.repository,
          ...(built.tag === undefined ? {} : { tag: built.tag }),
          ...(built.digest === undefined ? {} : { digest: built.digest }),
        });
      }),
      propertyRuns(1000),
    );
  });

  test('normalization is idempotent: the printed form re-parses to the same reference', () => {
    fc.assert(
      fc.property(imageStringArbitrary, (input) => {
        const parsed = parseOrError(input);
        if (parsed instanceof InvalidImageReferenceError) return;
        const printed = formatReference(parsed);
        const reparsed = parseOrError(printed);
        expect(reparsed).toEqual(parsed);
        expect(formatReference(reparsed as ImageReference)).toBe(printed);
      }),
      propertyRuns(1000),
    );
  });
});

describe('parseImageReference on hostile input up to 64 KiB', () => {
  test('refuses or parses it, throwing nothing else (how fast: make bench, hostile part)', () => {
    const inputs = fc.sample(hostileStringArbitrary, { seed: FIXED_SEED, numRuns: HOSTILE_SAMPLES });
    expect(Math.max(...inputs.map((input) => input.length))).toBeGreaterThan(60 * 1024);
    for (const input of inputs) parseOrError(input);
  });
});
