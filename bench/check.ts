// The `check` part: is linting linear? Generated policies of growing size, each measured in a
// fresh child process, where `check FILE` is timed against loading the same file as `serve`
// does at start, in alternating rounds. Reports the ratio check ÷ load per size (target: at most
// 3× at 100 000 patterns) and how the time per pattern grows from the smallest size to the largest.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CheckInput, CheckMeasurement, CheckRound, PhaseTiming } from './check-child';
import type { BenchConfig } from './config';
import { generatePolicy } from './policy-generator';
import { median, round3 } from './stats';
import { PROJECT_ROOT } from './targets';

const CHILD = path.join(__dirname, 'check-child.js');
/** The bound: `check` of a 100 000-pattern policy within this many times its load. */
export const CHECK_OVER_LOAD_TARGET = 3;

export interface CheckRow {
  readonly patterns: number;
  readonly policyBytes: number;
  readonly warnings: number;
  /** Medians over rounds, milliseconds. */
  readonly loadMs: number;
  readonly loadCpuMs: number;
  readonly checkMs: number;
  readonly checkCpuMs: number;
  readonly lintMs: number;
  readonly lintCpuMs: number;
  /** Median over rounds of check ÷ load in the same round (wall, and CPU). */
  readonly checkOverLoad: number;
  readonly checkOverLoadCpu: number;
  /** Microseconds per pattern, wall and CPU. */
  readonly checkUsPerPattern: number;
  readonly checkCpuUsPerPattern: number;
  readonly loadUsPerPattern: number;
  readonly loadCpuUsPerPattern: number;
}

export interface CheckSummary {
  readonly settings: { readonly rounds: number; readonly quick: boolean };
  readonly commit: string;
  readonly rows: readonly CheckRow[];
  /** Time per pattern at the largest size ÷ at the smallest: 1 is linear. */
  readonly growth: { readonly from: number; readonly to: number; readonly check: number; readonly checkCpu: number; readonly load: number; readonly loadCpu: number };
  readonly target: number;
}

function describeCommit(): string {
  const run = (args: readonly string[]): string => spawnSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = run(['rev-parse', '--short', 'HEAD']) || 'unknown';
  return run(['status', '--porcelain', '--', 'src', 'bench/*.ts']) === '' ? commit : `${commit} (with uncommitted changes)`;
}

function measureInChild(input: CheckInput): CheckMeasurement {
  const result = spawnSync(process.execPath, ['--expose-gc', CHILD], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`check child failed for ${input.policyFile} (exit ${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as CheckMeasurement;
}

function medianOf(rounds: readonly CheckRound[], pick: (round: CheckRound) => number): number {
  return median(rounds.map(pick));
}

function summarizeSize(patterns: number, policyBytes: number, measured: CheckMeasurement): CheckRow {
  const { rounds } = measured;
  const wall = (phase: PhaseTiming): number => phase.wallMs;
  const loadMs = medianOf(rounds, (round) => wall(round.load));
  const checkMs = medianOf(rounds, (round) => wall(round.check));
  const loadCpuMs = medianOf(rounds, (round) => round.load.cpuMs);
  const checkCpuMs = medianOf(rounds, (round) => round.check.cpuMs);
  return {
    patterns,
    policyBytes,
    warnings: measured.warnings,
    loadMs: round3(loadMs),
    loadCpuMs: round3(loadCpuMs),
    checkMs: round3(checkMs),
    checkCpuMs: round3(checkCpuMs),
    lintMs: round3(medianOf(rounds, (round) => wall(round.lint))),
    lintCpuMs: round3(medianOf(rounds, (round) => round.lint.cpuMs)),
    checkOverLoad: round3(medianOf(rounds, (round) => round.check.wallMs / round.load.wallMs)),
    checkOverLoadCpu: round3(medianOf(rounds, (round) => round.check.cpuMs / round.load.cpuMs)),
    checkUsPerPattern: round3((checkMs * 1e3) / patterns),
    checkCpuUsPerPattern: round3((checkCpuMs * 1e3) / patterns),
    loadUsPerPattern: round3((loadMs * 1e3) / patterns),
    loadCpuUsPerPattern: round3((loadCpuMs * 1e3) / patterns),
  };
}

export function runCheckBench(config: BenchConfig): CheckSummary {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'ipw-check-'));
  try {
    const rows = config.checkSizes.map((size) => {
      const generated = generatePolicy(size);
      const policyFile = path.join(scratch, `policy-${size}.yaml`);
      writeFileSync(policyFile, generated.text);
      process.stderr.write(`check: ${generated.patternCount} patterns (${Math.round(generated.text.length / 1024)} KiB), ${config.rounds} rounds\n`);
      return summarizeSize(generated.patternCount, Buffer.byteLength(generated.text), measureInChild({ policyFile, rounds: config.rounds }));
    });
    const first = rows[0]!;
    const last = rows[rows.length - 1]!;
    const summary: CheckSummary = {
      settings: { rounds: config.rounds, quick: config.quick },
      commit: describeCommit(),
      rows,
      growth: {
        from: first.patterns,
        to: last.patterns,
        check: round3(last.checkUsPerPattern / first.checkUsPerPattern),
        checkCpu: round3(last.checkCpuUsPerPattern / first.checkCpuUsPerPattern),
        load: round3(last.loadUsPerPattern / first.loadUsPerPattern),
        loadCpu: round3(last.loadCpuUsPerPattern / first.loadCpuUsPerPattern),
      },
      target: CHECK_OVER_LOAD_TARGET,
    };
    process.stdout.write(formatCheckReport(summary));
    return summary;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatCheckReport(summary: CheckSummary): string {
  const { growth } = summary;
  const lines = [
    '',
    `### check: \`check FILE\` in-process against loading the file as serve does, median of ${summary.settings.rounds} alternating rounds, code of ${summary.commit}${summary.settings.quick ? ' (QUICK MODE: smoke test, figures meaningless)' : ''}`,
    '',
    '| patterns | warnings | load ms (CPU) | check ms (CPU) | lintPolicy alone ms (CPU) | check ÷ load (CPU) | check µs per pattern (CPU) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...summary.rows.map((row) =>
      `| ${formatCount(row.patterns)} | ${formatCount(row.warnings)} | ${row.loadMs} (${row.loadCpuMs}) | ${row.checkMs} (${row.checkCpuMs}) | ${row.lintMs} (${row.lintCpuMs}) | **${row.checkOverLoad}×** (${row.checkOverLoadCpu}×) | ${row.checkUsPerPattern} (${row.checkCpuUsPerPattern}) |`,
    ),
    '',
    `Target: check ≤ ${summary.target}× load at 100,000 patterns. Growth from ${formatCount(growth.from)} to ${formatCount(growth.to)} patterns, time per pattern: check ${growth.check}× (CPU ${growth.checkCpu}×), load ${growth.load}× (CPU ${growth.loadCpu}×); 1× is linear.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
