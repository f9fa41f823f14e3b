// Order statistics for the harness: medians over rounds and nearest-rank percentiles over the
// per-request latencies a round records (autocannon's own histogram has 1 ms resolution).

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile of an ascending array; `fraction` is 0.5 for p50, 0.999 for p99.9. */
export function percentile(sortedAscending: Float64Array | readonly number[], fraction: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1]!;
}

/** Rounds for tables and JSON: 3 significant digits is well inside the run-to-run noise. */
export function round3(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(3)) : value;
}
