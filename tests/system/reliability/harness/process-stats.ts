// What a long run watches in the server process over time, read from /proc like any operator's
// tooling would: resident memory and open file descriptors (sockets, watches, files).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessSample {
  /** ms since the run started. */
  readonly at: number;
  readonly rssKiB: number;
  readonly openFds: number;
}

export function readProcessSample(pid: number, at: number): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return { at, rssKiB: rss ? Number(rss[1]) : Number.NaN, openFds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    // The process is gone (or /proc is not there): no sample, not a crash of the harness.
    return undefined;
  }
}

/** The median of the numbers (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface FlatnessVerdict {
  readonly flat: boolean;
  readonly baseline: number;
  readonly late: number;
  readonly growth: number;
}

/**
 * Compares the first and last thirds of the samples taken after warm-up (medians, so one GC
 * spike or one burst of connections does not decide): flat when growth stays within `allowed`.
 */
export function judgeFlatness(values: readonly number[], allowed: (baseline: number) => number): FlatnessVerdict {
  const third = Math.max(1, Math.floor(values.length / 3));
  const baseline = median(values.slice(0, third));
  const late = median(values.slice(-third));
  const growth = late - baseline;
  return { flat: growth <= allowed(baseline), baseline, late, growth };
}
