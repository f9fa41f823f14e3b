// Properties of the image-reference parser over generated input (fixed seed, reproducible):
// it throws nothing but InvalidImageReferenceError, its messages stay one short line, it finds
// exactly the parts a valid reference was built from, printing is a fixed point, and hostile
// strings up to 64 KiB are refused in linear time.
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { InvalidImageReferenceError, formatReference, parseImageReference, type ImageReference } from '../../src/reference';
import {
  builtReferenceArbitrary,
  FIXED_SEED,
  hostileStringArbitrary,
  imageStringArbitrary,
  propertyRuns,
} from '../support/arbitraries';

// A fault message quotes at most 100 characters of the input; the rest is fixed text.
const MAX_MESSAGE_LENGTH = 400;
const HOSTILE_SAMPLES = 300;
const WARM_UP_RUNS = 200;
const RUNS_PER_INPUT = 3;
// Generous on purpose: real cost is microseconds; a backtracking blow-up costs seconds.
const MEDIAN_BOUND_MS = 1;
const MAX_BOUND_MS = 50;

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

describe('parseImageReference cost on hostile input up to 64 KiB', () => {
  test(`median under ${MEDIAN_BOUND_MS} ms, slowest under ${MAX_BOUND_MS} ms`, () => {
    const inputs = fc.sample(hostileStringArbitrary, { seed: FIXED_SEED, numRuns: HOSTILE_SAMPLES });
    for (const input of inputs.slice(0, WARM_UP_RUNS)) parseOrError(input);
    // Each input's cost is the best of a few runs: a garbage-collection pause or a busy machine
    // inflates one run, while a backtracking blow-up is slow every time.
    const timings = inputs.map((input) => {
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < RUNS_PER_INPUT; run += 1) {
        const start = performance.now();
        parseOrError(input);
        best = Math.min(best, performance.now() - start);
      }
      return { ms: best, length: input.length, head: input.slice(0, 40) };
    });
    const sorted = [...timings].sort((a, b) => a.ms - b.ms);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const slowest = sorted[sorted.length - 1]!;
    expect(Math.max(...inputs.map((input) => input.length))).toBeGreaterThan(60 * 1024);
    expect(median.ms).toBeLessThan(MEDIAN_BOUND_MS);
    if (slowest.ms >= MAX_BOUND_MS) throw new Error(`slowest input took ${slowest.ms.toFixed(2)} ms: ${JSON.stringify(slowest)}`);
  });
});
