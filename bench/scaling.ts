// The policy-size benchmark: generated policies of growing size, each measured in a fresh child
// process, reported relative to the smallest, with an SVG plot beside the results.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchConfig } from './config';
import { generatePolicy } from './policy-generator';
import { RESULTS_DIR } from './results';
import type { ScalingInput, ScalingMeasurement } from './scaling-child';
import { renderScalingPlot } from './scaling-plot';
import { round3 } from './stats';

export const SCALING_PLOT_FILE = 'scaling.svg';
const CHILD = path.join(__dirname, 'scaling-child.js');

export interface ScalingRow extends ScalingMeasurement {
  readonly patterns: number;
  readonly policyBytes: number;
  readonly relative: { readonly evaluate: number; readonly load: number; readonly heap: number; readonly rss: number };
}

export interface ScalingSummary {
  readonly settings: { readonly batchMs: number; readonly batches: number; readonly quick: boolean };
  readonly rows: readonly ScalingRow[];
  readonly plot: string;
}

function measureInChild(input: ScalingInput): ScalingMeasurement {
  const result = spawnSync(process.execPath, ['--expose-gc', CHILD], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`scaling child failed for ${input.policyFile} (exit ${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as ScalingMeasurement;
}

function roundMeasurement(measurement: ScalingMeasurement): ScalingMeasurement {
  return Object.fromEntries(Object.entries(measurement).map(([key, value]) => [key, round3(value as number)])) as unknown as ScalingMeasurement;
}

export function runScalingBench(config: BenchConfig): ScalingSummary {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ipw-scaling-'));
  const settings = { batchMs: config.quick ? 50 : 200, batches: config.quick ? 3 : 7, quick: config.quick };
  try {
    const measured: { patterns: number; policyBytes: number; measurement: ScalingMeasurement }[] = [];
    for (const size of config.policySizes) {
      const generated = generatePolicy(size);
      const policyFile = path.join(scratch, `policy-${size}.yaml`);
      writeFileSync(policyFile, generated.text);
      process.stderr.write(`scaling: ${generated.patternCount} patterns (${Math.round(generated.text.length / 1024)} KiB)\n`);
      const measurement = measureInChild({ policyFile, hits: generated.hits, misses: generated.misses, batchMs: settings.batchMs, batches: settings.batches });
      measured.push({ patterns: generated.patternCount, policyBytes: Buffer.byteLength(generated.text), measurement });
    }
    const base = measured[0]!.measurement;
    const rows = measured.map(({ patterns, policyBytes, measurement }): ScalingRow => ({
      patterns,
      policyBytes,
      ...roundMeasurement(measurement),
      relative: {
        evaluate: round3(measurement.evaluateUs / base.evaluateUs),
        load: round3(measurement.loadCpuMs / base.loadCpuMs),
        heap: round3(measurement.heapUsedMiB / base.heapUsedMiB),
        rss: round3(measurement.rssMiB / base.rssMiB),
      },
    }));
    writeFileSync(path.join(RESULTS_DIR, SCALING_PLOT_FILE), renderScalingPlot(rows));
    const summary = { settings, rows, plot: `bench/results/${SCALING_PLOT_FILE}` };
    process.stdout.write(formatScalingReport(summary));
    return summary;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatScalingReport(summary: ScalingSummary): string {
  const base = summary.rows[0]!;
  const lines = [
    '',
    `### Policy size: one fresh process per size; evaluate = CPU µs for a one-image review, median of ${summary.settings.batches} batches${summary.settings.quick ? ' (QUICK MODE: smoke test, figures meaningless)' : ''}`,
    '',
    '| patterns | evaluate µs (hit / miss) | × smallest | load+compile ms wall (CPU) | reload ms | × | heap MiB (policy) | × | RSS MiB | × |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...summary.rows.map((row) =>
      `| ${formatCount(row.patterns)} | ${row.evaluateUs} (${row.evaluateHitUs} / ${row.evaluateMissUs}) | ${row.relative.evaluate}× | ${row.loadMs} (${row.loadCpuMs}) | ${row.reloadMs} | ${row.relative.load}× | ${row.heapUsedMiB} (${row.policyHeapMiB}) | ${row.relative.heap}× | ${row.rssMiB} | ${row.relative.rss}× |`,
    ),
    '',
    `Ratios (×) are against the ${formatCount(base.patterns)}-pattern policy (load: by CPU time). Plot: \`${summary.plot}\`.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
