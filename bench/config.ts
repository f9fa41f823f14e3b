// Benchmark settings from the environment. The defaults give stable medians in a few minutes;
// BENCH_QUICK=1 is a smoke test of the harness whose figures mean nothing.
export interface BenchConfig {
  readonly quick: boolean;
  /** Seconds per measured round. */
  readonly seconds: number;
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly concurrencies: readonly number[];
  /** Worker counts to run `serve` with, each as its own target. */
  readonly workers: readonly number[];
  /** Policy sizes for the scaling benchmark. */
  readonly policySizes: readonly number[];
  /** Policy sizes for the check benchmark; the first is the reference for growth. */
  readonly checkSizes: readonly number[];
}

const DEFAULTS = {
  seconds: 5,
  rounds: 5,
  warmupSeconds: 3,
  concurrencies: [1, 16, 64],
  workers: [1, 2],
  policySizes: [10, 1_000, 10_000, 100_000],
  checkSizes: [1_000, 10_000, 100_000],
};
const QUICK = { seconds: 1, rounds: 1, warmupSeconds: 0.5, policySizes: [10, 1_000, 10_000], checkSizes: [1_000, 10_000] };

function readNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

function readList(name: string, fallback: readonly number[]): readonly number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((item) => Number(item.trim()));
  if (values.some((value) => !Number.isInteger(value) || value <= 0)) {
    throw new Error(`${name} must be a comma-separated list of positive integers, got ${JSON.stringify(raw)}`);
  }
  return values;
}

export function readBenchConfig(): BenchConfig {
  const quick = process.env['BENCH_QUICK'] === '1';
  const base = quick ? { ...DEFAULTS, ...QUICK } : DEFAULTS;
  return {
    quick,
    seconds: readNumber('BENCH_SECONDS', base.seconds),
    rounds: readNumber('BENCH_ROUNDS', base.rounds),
    warmupSeconds: readNumber('BENCH_WARMUP_SECONDS', base.warmupSeconds),
    concurrencies: readList('BENCH_CONCURRENCY', base.concurrencies),
    workers: readList('BENCH_WORKERS', base.workers),
    policySizes: readList('BENCH_POLICY_SIZES', base.policySizes),
    checkSizes: readList('BENCH_CHECK_SIZES', base.checkSizes),
  };
}
