// The hostile part of `make bench`: how long the reference parser takes to refuse the strings a
// backtracking regular expression would choke on — the named rows of the unit tests and 300
// generated strings up to 64 KiB. Each input's cost is the best of a few runs after a warm-up
// (a garbage-collection pause inflates one run; a backtracking blow-up is slow every time).
// Bounds: median under 1 ms, slowest under 50 ms; real costs are microseconds.
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { parseImageReference } from '../src/reference';
import { FIXED_SEED, hostileStringArbitrary } from '../tests/support/arbitraries';
import { HOSTILE_GRAMMAR_INPUTS, HOSTILE_REFERENCES } from '../tests/support/hostile-references';
import { median, round3 } from './stats';

const GENERATED_SAMPLES = 300;
const WARM_UP_RUNS = 200;
const RUNS_PER_INPUT = 3;
export const HOSTILE_MEDIAN_BOUND_MS = 1;
export const HOSTILE_MAX_BOUND_MS = 50;

export interface HostileSummary {
  readonly inputs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly slowest: string;
  readonly boundsMs: { readonly median: number; readonly max: number };
  readonly withinBounds: boolean;
}

function bestOf(run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < RUNS_PER_INPUT; attempt += 1) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function parseQuietly(input: string): void {
  try {
    parseImageReference(input);
  } catch {
    // Refusing is the expected outcome; only its cost is measured here.
  }
}

export function runHostileInputBench(): HostileSummary {
  const generated = fc.sample(hostileStringArbitrary, { seed: FIXED_SEED, numRuns: GENERATED_SAMPLES });
  for (const input of generated.slice(0, WARM_UP_RUNS)) parseQuietly(input);
  const timings = [
    ...HOSTILE_REFERENCES.map(({ name, input }) => ({ name, ms: bestOf(() => parseQuietly(input)) })),
    ...HOSTILE_GRAMMAR_INPUTS.map(({ name, pattern, input }) => ({ name, ms: bestOf(() => pattern.test(input)) })),
    ...generated.map((input) => ({ name: `generated, ${input.length} characters: ${JSON.stringify(input.slice(0, 30))}...`, ms: bestOf(() => parseQuietly(input)) })),
  ];
  const slowest = timings.reduce((worst, each) => (each.ms > worst.ms ? each : worst));
  const medianMs = median(timings.map((each) => each.ms));
  const summary: HostileSummary = {
    inputs: timings.length,
    medianMs: round3(medianMs),
    maxMs: round3(slowest.ms),
    slowest: slowest.name,
    boundsMs: { median: HOSTILE_MEDIAN_BOUND_MS, max: HOSTILE_MAX_BOUND_MS },
    withinBounds: medianMs < HOSTILE_MEDIAN_BOUND_MS && slowest.ms < HOSTILE_MAX_BOUND_MS,
  };
  console.log(`hostile input: ${summary.inputs} inputs, median ${summary.medianMs} ms (bound ${HOSTILE_MEDIAN_BOUND_MS}), slowest ${summary.maxMs} ms (bound ${HOSTILE_MAX_BOUND_MS}): ${slowest.name}`);
  return summary;
}
